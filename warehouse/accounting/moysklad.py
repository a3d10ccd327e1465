"""МойСклад JSON API 1.2 connector (httpx): assortment and stock by store read page by page,
the directory (legal entities, stores, counterparties), documents looked up and created.

Shapes follow the official reference (github.com/moysklad/api-remap-1.2-doc, md/):
lists are ``{"meta": {"size", "limit", "offset", "nextHref"?}, "rows": [...]}`` with
``limit`` 1..1000 / ``offset`` (_general.md «Мета коллекций»); errors are
``{"errors": [{"error", "code", "moreInfo"}]}`` (_general.md «Обработка ошибок»); a 429
carries ``X-Lognex-Retry-After`` in milliseconds (and ``X-RateLimit-Remaining``); the
server answers only ``Accept-Encoding: gzip`` (else 415). Assortment rows
(dictionaries/_assortment.md) carry ``id``, ``meta.type``, ``name``, ``code``,
``article``, ``barcodes`` ([{"ean13": …} | {"ean8"} | {"code128"} | {"gtin"} | {"upc"}],
dictionaries/_product.md «Штрихкоды») and ``buyPrice.value`` in kopecks (Float).
``report/stock/bystore`` rows carry ``meta.href`` of the item and ``stockByStore``
[{meta (store), name, stock, reserve, inTransit}] (reports/_report_stock.md); the report
leaves out goods without stock unless asked ``filter=stockMode=all``. Documents
(documents/_demand.md, _sales_return.md) are found by ``filter=externalCode=…`` (a ``;``
in a value is written ``\\;``, _general.md «Фильтрация») and created by POST; a refusal's
``errors[].error`` texts are МойСклад's own words, kept for the desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from warehouse.marketplaces.base import RejectedError
from warehouse.marketplaces.http import Answer, SellerApi, raise_for_status, read_error

BASE_URL = "https://api.moysklad.ru/api/remap/1.2"
PAGE_LIMIT = 1000  # the reference's maximum for limit
EXPAND_LIMIT = 100  # the reference: ``expand`` only works on pages of at most 100
BARCODE_KINDS = ("ean13", "ean8", "code128", "gtin", "upc")
# Only goods lie on shelves; services have no stock, bundles are made of other goods.
GOODS_TYPES = frozenset({"product", "variant"})


@dataclass(frozen=True)
class AssortmentItem:
    external_id: str
    type: str
    name: str
    article: str
    code: str
    barcodes: tuple[str, ...]
    buy_price_kopecks: int | None
    archived: bool = False


@dataclass(frozen=True)
class StoreStock:
    store_id: str
    store_name: str
    stock: float
    reserve: float
    in_transit: float


@dataclass(frozen=True)
class PurchaseOrder:
    """A Заказ поставщику as the desk lists it; sums in kopecks (Float, as МойСклад says)."""

    id: str
    name: str
    moment: str  # «ГГГГ-ММ-ДД ЧЧ:мм:сс», Moscow time
    agent_name: str
    positions: int
    sum_kopecks: float
    shipped_kopecks: float  # «Сумма принятого»: what supplies made on it took in

    @property
    def day(self) -> str:
        """The order's date as people write it: ДД.ММ.ГГГГ."""
        year, _, rest = self.moment[:10].partition("-")
        month, _, day = rest.partition("-")
        return f"{day}.{month}.{year}" if day else self.moment

    @property
    def received(self) -> bool:
        """Taken in full in МойСклад. An order of zero sum cannot tell (nothing priced):
        it counts as open and its positions tell when a delivery is opened from it."""
        return self.sum_kopecks > 0 and self.shipped_kopecks >= self.sum_kopecks


@dataclass(frozen=True)
class OrderPosition:
    """A position of a purchase order: its item (``assortment`` meta) and how much of it was
    ordered and already taken in (``shipped``), both Floats as the reference types them."""

    id: str
    item_type: str
    item_id: str
    name: str  # the item's own name and article, when МойСклад expanded it
    article: str
    quantity: float
    shipped: float
    price_kopecks: float


@dataclass(frozen=True)
class Choice:
    """One entry of a directory list: what a person picks on the desk."""

    id: str
    name: str


class Refused(RejectedError):
    """МойСклад understood a write and refused it; ``words`` are its own error texts."""

    def __init__(self, message: str, code: str | None, words: str) -> None:
        super().__init__(message, code=code)
        self.words = words


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    size: int  # how many the whole list holds
    next_offset: int | None  # None on the last page


class MoySkladClient(SellerApi):
    service = "МойСклад"

    def __init__(self, base_url: str, token: str, *, timeout: float) -> None:
        super().__init__(
            base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
        )
        # the reference: «Поддерживается только значение 'application/json;charset=utf-8'»
        self._http.headers["Accept"] = "application/json;charset=utf-8"

    def ping(self) -> None:
        self._get("/entity/assortment", {"limit": 1}, "assortment")

    def assortment(self, offset: int = 0, limit: int = PAGE_LIMIT) -> Page[AssortmentItem]:
        body = self._get("/entity/assortment", {"limit": limit, "offset": offset}, "assortment")
        rows = tuple(assortment_item(row) for row in _rows(body))
        return Page(rows, _size(body), next_offset(body))

    def stock_by_store(
        self, offset: int = 0, limit: int = PAGE_LIMIT
    ) -> Page[tuple[str, tuple[StoreStock, ...]]]:
        """Every good with its stock on every store (zero ones too: ``stockMode=all``)."""
        query = {"limit": limit, "offset": offset, "filter": "stockMode=all"}
        body = self._get("/report/stock/bystore", query, "stock by store")
        rows = tuple(
            (id_of_href(str((row.get("meta") or {}).get("href", ""))), store_stocks(row))
            for row in _rows(body)
        )
        return Page(rows, _size(body), next_offset(body))

    def choices(self, entity: str) -> list[Choice]:
        """The first page (up to 1000) of a directory: ``organization``, ``store``,
        ``counterparty``; archived entries left out."""
        query = {"limit": PAGE_LIMIT, "filter": "archived=false"}
        body = self._get(f"/entity/{entity}", query, f"list {entity}")
        return [
            Choice(str(row.get("id") or ""), str(row.get("name") or ""))
            for row in _rows(body)
            if row.get("id")
        ]

    def purchase_orders(self, offset: int = 0, limit: int = EXPAND_LIMIT) -> Page[PurchaseOrder]:
        """Purchase orders newest first (``order=moment,desc``), each with its supplier's
        name (``expand=agent``, hence pages of at most 100)."""
        query = {"limit": limit, "offset": offset, "order": "moment,desc", "expand": "agent"}
        body = self._get("/entity/purchaseorder", query, "list purchase orders")
        rows = tuple(purchase_order(row) for row in _rows(body))
        return Page(rows, _size(body), next_offset(body))

    def purchase_order(self, order_id: str) -> PurchaseOrder:
        where = "read purchase order"
        return purchase_order(
            self._get(f"/entity/purchaseorder/{order_id}", {"expand": "agent"}, where)
        )

    def purchase_order_positions(
        self, order_id: str, offset: int = 0, limit: int = EXPAND_LIMIT
    ) -> Page[OrderPosition]:
        """A page of the order's positions, each item expanded (its name and article)."""
        query = {"limit": limit, "offset": offset, "expand": "assortment"}
        path = f"/entity/purchaseorder/{order_id}/positions"
        body = self._get(path, query, "read purchase order positions")
        return Page(
            tuple(order_position(row) for row in _rows(body)), _size(body), next_offset(body)
        )

    def find_document(self, entity: str, external_code: str) -> dict[str, Any] | None:
        """The document of ``entity`` (demand, salesreturn) with this externalCode, if any."""
        value = external_code.replace(";", "\\;")
        query = {"filter": f"externalCode={value}", "limit": 1}
        rows = _rows(self._get(f"/entity/{entity}", query, f"find {entity}"))
        return rows[0] if rows else None

    def document(self, entity: str, document_id: str) -> dict[str, Any]:
        return self._get(f"/entity/{entity}/{document_id}", {}, f"read {entity}")

    def create_document(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a new document; a 4xx refusal raises ``Refused`` with МойСклад's words."""
        where = f"create {entity}"
        response = self._request("POST", f"/entity/{entity}", json=body, where=where)
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 408, 429):
            code, _message = read_error(response, error_fields)
            words = all_errors(response)
            raise Refused(
                f"МойСклад refused {where} ({response.status_code} {code}): {words}", code, words
            )
        check(response, where)
        return Answer(response, self.service, where).object()

    def _get(self, path: str, params: dict[str, Any], where: str) -> dict[str, Any]:
        response = self._request("GET", path, params=params, where=where)
        check(response, where)
        return Answer(response, self.service, where).object()


def check(response: httpx.Response, where: str) -> None:
    raise_for_status(
        response,
        MoySkladClient.service,
        where,
        auth_message=_auth_message,
        fields=error_fields,
        wait=retry_wait,
    )


def _auth_message(status: int, code: str | None, message: str) -> str:
    if status == 401:
        return f"МойСклад refused the token ({code}): {message}"
    return f"МойСклад denies this user the data ({code}): {message}"


def error_fields(body: dict[str, Any]) -> tuple[Any, Any] | None:
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0].get("code"), errors[0].get("error", "")
    return None


def all_errors(response: httpx.Response) -> str:
    """Every ``errors[].error`` text of a refusal, joined; the start of the body else."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    found = body.get("errors") if isinstance(body, dict) else None
    texts = [str(e.get("error")) for e in found or () if isinstance(e, dict) and e.get("error")]
    return "; ".join(texts)[:900] or str(body)[:300]


def retry_wait(headers: httpx.Headers) -> float | None:
    """Seconds to wait from ``X-Lognex-Retry-After`` (ms), else ``X-Lognex-Reset`` (ms)."""
    for name in ("X-Lognex-Retry-After", "X-Lognex-Reset"):
        try:
            return max(0.0, float(headers[name]) / 1000)
        except (KeyError, ValueError):
            continue
    return None


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    rows = body.get("rows")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _size(body: dict[str, Any]) -> int:
    return int((body.get("meta") or {}).get("size") or 0)


def next_offset(body: dict[str, Any]) -> int | None:
    """The offset ``meta.nextHref`` points at; None when there is no next page."""
    meta = body.get("meta") or {}
    href = meta.get("nextHref")
    if not href:
        return None
    found = parse_qs(urlsplit(str(href)).query).get("offset")
    if found and found[0].isdecimal():
        return int(found[0])
    return int(meta.get("offset") or 0) + int(meta.get("limit") or PAGE_LIMIT)


def id_of_href(href: str) -> str:
    """The item's id: the last segment of its ``meta.href`` path (query dropped)."""
    return urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]


def assortment_item(row: dict[str, Any]) -> AssortmentItem:
    meta = row.get("meta") or {}
    price = (row.get("buyPrice") or {}).get("value")
    return AssortmentItem(
        external_id=str(row.get("id") or id_of_href(str(meta.get("href", "")))),
        type=str(meta.get("type") or ""),
        name=str(row.get("name") or "").strip(),
        article=str(row.get("article") or "").strip(),
        code=str(row.get("code") or "").strip(),
        barcodes=barcodes_of(row.get("barcodes")),
        buy_price_kopecks=round(float(price)) if isinstance(price, int | float) else None,
        archived=bool(row.get("archived")),
    )


def purchase_order(row: dict[str, Any]) -> PurchaseOrder:
    agent = row.get("agent") or {}
    positions = ((row.get("positions") or {}).get("meta") or {}).get("size")
    return PurchaseOrder(
        id=str(row.get("id") or ""),
        name=str(row.get("name") or ""),
        moment=str(row.get("moment") or ""),
        agent_name=str(agent.get("name") or ""),
        positions=int(positions or 0),
        sum_kopecks=_number(row.get("sum")),
        shipped_kopecks=_number(row.get("shippedSum")),
    )


def order_position(row: dict[str, Any]) -> OrderPosition:
    item = row.get("assortment") or {}
    meta = item.get("meta") or {}
    return OrderPosition(
        id=str(row.get("id") or ""),
        item_type=str(meta.get("type") or ""),
        item_id=id_of_href(str(meta.get("href", ""))),
        name=str(item.get("name") or "").strip(),
        article=str(item.get("article") or item.get("code") or "").strip(),
        quantity=_number(row.get("quantity")),
        shipped=_number(row.get("shipped")),
        price_kopecks=_number(row.get("price")),
    )


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def barcodes_of(raw: Any) -> tuple[str, ...]:
    """Every barcode value, of any listed kind, in the order given, without repeats."""
    found: list[str] = []
    for entry in raw if isinstance(raw, list) else ():
        if not isinstance(entry, dict):
            continue
        for kind in BARCODE_KINDS:
            value = str(entry.get(kind) or "").strip()
            if value and value not in found:
                found.append(value)
    return tuple(found)


def store_stocks(row: dict[str, Any]) -> tuple[StoreStock, ...]:
    return tuple(
        StoreStock(
            store_id=id_of_href(str((entry.get("meta") or {}).get("href", ""))),
            store_name=str(entry.get("name") or ""),
            stock=float(entry.get("stock") or 0),
            reserve=float(entry.get("reserve") or 0),
            in_transit=float(entry.get("inTransit") or 0),
        )
        for entry in row.get("stockByStore") or ()
        if isinstance(entry, dict)
    )
