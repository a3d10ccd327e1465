"""A stateful imitation of МойСклад's JSON API 1.2, as a Flask blueprint.

Mounted at ``/sandbox/moysklad``: ``/sandbox/moysklad/api/remap/1.2/entity/assortment``
answers like ``https://api.moysklad.ru/api/remap/1.2/entity/assortment``. Every shape is
the official reference's (github.com/moysklad/api-remap-1.2-doc, md/):

- lists: ``context`` + ``meta`` {href, type, mediaType, size, limit, offset, nextHref /
  previousHref when there are more} + ``rows``; ``limit`` 1..1000, default 1000
  (_general.md «Мета коллекций», dictionaries/_assortment.md «Параметры»);
- assortment rows as in «Получить Ассортимент»; stock by store rows as in «Получить
  Остатки по складам» (reports/_report_stock.md), one entry per store;
- errors ``{"errors": [{"error", "code", "moreInfo"}]}``: 401 code 1056 for a bad token,
  429 code 1049 over 45 requests in 3 s per token with ``X-RateLimit-Limit``,
  ``X-Lognex-Retry-TimeInterval``, ``X-RateLimit-Remaining``, ``X-Lognex-Reset`` and
  ``X-Lognex-Retry-After`` (ms) (_general.md «Обработка ошибок», _errors.md); 415 without
  a body when ``Accept-Encoding`` lacks gzip (_general.md «Сжатие содержимого ответов»).

Config: ``SANDBOX_MOYSKLAD_TOKEN`` (default ``"sandbox"``, sent as ``Bearer``),
``SANDBOX_MOYSKLAD_RATE`` (requests per 3 s, default 45). ``/_control/``: ``faults`` and
``reset`` (common), ``generate`` {"count"} makes goods with EAN-13s, buy prices and stock
on two stores, ``products`` {"rows": [...]} adds rows as given, ``state``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from warehouse.accounting.sandbox_db import hits, products, stock, stores
from warehouse.marketplaces.sandbox import common

logger = logging.getLogger(__name__)

bp = Blueprint("sandbox_moysklad", __name__)

API = "/api/remap/1.2"
DEFAULT_TOKEN = "sandbox"
WINDOW_SECONDS = 3.0
DOC = "https://dev.moysklad.ru/doc/api/remap/1.2/#error_"
STORE_NAMES = ("Основной склад", "Не основной склад")


# --- gate: token, gzip, the rate limit ----------------------------------------------------


def _auth() -> Response | None:
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return Response(status=415)
    expected = f"Bearer {current_app.config.get('SANDBOX_MOYSKLAD_TOKEN', DEFAULT_TOKEN)}"
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        message = "Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ"
        return _errors(401, 1056, message)
    return _count_request(hashlib.sha256(given.encode()).hexdigest())


def _count_request(token_key: str) -> Response | None:
    """45 requests (``SANDBOX_MOYSKLAD_RATE``) per 3 s per token; the 46th is a 429."""
    rate = int(current_app.config.get("SANDBOX_MOYSKLAD_RATE", 45))
    now = time.time()
    with common.begin() as conn:
        conn.execute(delete(hits).where(hits.c.ts <= now - WINDOW_SECONDS))
        window = select(hits.c.ts).where(hits.c.token_key == token_key).order_by(hits.c.ts)
        recent = list(conn.scalars(window))
        if len(recent) >= rate:
            reset_ms = int((recent[0] + WINDOW_SECONDS - now) * 1000) + 1
            return _too_many(rate, reset_ms)
        conn.execute(hits.insert().values(token_key=token_key, ts=now))
    return None


def _too_many(rate: int, wait_ms: int) -> Response:
    response = _errors(429, 1049, "Превышено ограничение на количество запросов в единицу времени")
    response.headers["X-RateLimit-Limit"] = str(rate)
    response.headers["X-Lognex-Retry-TimeInterval"] = str(int(WINDOW_SECONDS * 1000))
    response.headers["X-RateLimit-Remaining"] = "0"
    response.headers["X-Lognex-Reset"] = str(wait_ms)
    response.headers["X-Lognex-Retry-After"] = str(wait_ms)
    return response


def _fault_response(kind: str, retry_after: float) -> Response:
    if kind == "429":
        rate = int(current_app.config.get("SANDBOX_MOYSKLAD_RATE", 45))
        return _too_many(rate, int(retry_after * 1000))
    return _errors(500, None, "При обработке запроса возникла непредвиденная ошибка")


def _errors(status: int, code: int | None, message: str) -> Response:
    error: dict[str, Any] = {"error": message}
    if code is not None:
        error.update(code=code, moreInfo=f"{DOC}{code}")
    response = jsonify({"errors": [error]})
    response.status_code = status
    return response


common.install(bp, "moysklad", _auth, _fault_response)


# --- the API -------------------------------------------------------------------------------


@bp.get(f"{API}/entity/assortment")
def assortment() -> Response:
    paging = _paging()
    if isinstance(paging, Response):
        return paging
    limit, offset = paging
    with common.begin() as conn:
        size = conn.scalar(select(func.count()).select_from(products)) or 0
        rows = conn.execute(
            select(products).order_by(products.c.seq).limit(limit).offset(offset)
        ).all()
    body = _list("entity/assortment", "assortment", size, limit, offset)
    body["rows"] = [_assortment_row(row) for row in rows]
    return jsonify(body)


@bp.get(f"{API}/report/stock/bystore")
def stock_by_store() -> Response:
    paging = _paging()
    if isinstance(paging, Response):
        return paging
    limit, offset = paging
    goods = products.c.type.in_(("product", "variant"))
    with common.begin() as conn:
        size = conn.scalar(select(func.count()).select_from(products).where(goods)) or 0
        rows = conn.execute(
            select(products).where(goods).order_by(products.c.seq).limit(limit).offset(offset)
        ).all()
        all_stores = conn.execute(select(stores).order_by(stores.c.seq)).all()
        levels = {
            (row.product_id, row.store_id): row
            for row in conn.execute(
                select(stock).where(stock.c.product_id.in_([row.id for row in rows]))
            )
        }
    body = _list("report/stock/bystore", "stockbystore", size, limit, offset)
    body["rows"] = [
        {
            "meta": _meta(f"entity/{row.type}/{row.id}?expand=supplier", row.type),
            "stockByStore": [
                _store_level(store, levels.get((row.id, store.id))) for store in all_stores
            ],
        }
        for row in rows
    ]
    return jsonify(body)


def _paging() -> tuple[int, int] | Response:
    try:
        limit = int(request.args.get("limit", 1000))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        return _errors(412, 1014, "Неверное значение параметра запроса 'limit' или 'offset'")
    if not 1 <= limit <= 1000 or offset < 0:
        return _errors(412, 1014, "Параметр 'limit' должен быть от 1 до 1000")
    return limit, offset


def _root() -> str:
    """The API's own address as the caller reached it (``…/sandbox/moysklad/api/remap/1.2``)."""
    return f"{request.url_root.rstrip('/')}{request.path.split(API, 1)[0]}{API}"


def _meta(path: str, kind: str) -> dict[str, Any]:
    entity = path.split("/")[1] if path.startswith("entity/") else kind
    return {
        "href": f"{_root()}/{path}",
        "metadataHref": f"{_root()}/entity/{entity}/metadata",
        "type": kind,
        "mediaType": "application/json",
    }


def _list(path: str, kind: str, size: int, limit: int, offset: int) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "href": f"{_root()}/{path}",
        "type": kind,
        "mediaType": "application/json",
        "size": size,
        "limit": limit,
        "offset": offset,
    }
    if offset + limit < size:
        meta["nextHref"] = (
            f"{_root()}/{path}?{urlencode({'limit': limit, 'offset': offset + limit})}"
        )
    if offset > 0:
        back = max(0, offset - limit)
        meta["previousHref"] = f"{_root()}/{path}?{urlencode({'limit': limit, 'offset': back})}"
    employee = {
        "href": f"{_root()}/context/employee",
        "type": "employee",
        "mediaType": "application/json",
    }
    return {"context": {"employee": {"meta": employee}}, "meta": meta}


def _currency() -> dict[str, Any]:
    return {"meta": _meta("entity/currency/10772c12-36e7-11e7-8a7f-40d000000097", "currency")}


def _assortment_row(row: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "meta": _meta(f"entity/{row.type}/{row.id}", row.type),
        "id": row.id,
        "accountId": "103bff1b-36e7-11e7-8a7f-40d000000004",
        "shared": True,
        "updated": row.updated,
        "name": row.name,
        "code": row.code,
        "externalCode": row.external_code,
        "archived": bool(row.archived),
        "pathName": "",
        "vat": 20,
        "vatEnabled": True,
        "effectiveVat": 20,
        "effectiveVatEnabled": True,
        "buyPrice": {"value": float(row.buy_price), "currency": _currency()},
        "barcodes": list(row.barcodes),
    }
    if row.type in ("product", "variant") and row.article is not None:
        found.update(article=row.article, weight=0, volume=0, variantsCount=0)
    return found


def _store_level(store: Any, level: Any) -> dict[str, Any]:
    return {
        "meta": _meta(f"entity/store/{store.id}", "store"),
        "name": store.name,
        "stock": float(level.stock) if level else 0.0,
        "reserve": float(level.reserve) if level else 0.0,
        "inTransit": float(level.in_transit) if level else 0.0,
    }


# --- control --------------------------------------------------------------------------------


@bp.post("/_control/generate")
def control_generate() -> Response:
    count = int((request.get_json(silent=True) or {}).get("count", 1000))
    with common.begin() as conn:
        made = generate(conn, max(0, min(count, 100_000)))
    return jsonify({"created": made})


@bp.post("/_control/products")
def control_products() -> Response:
    """Rows as the reference shows them (id, meta.type, name, code, article, barcodes,
    buyPrice.value) added as they are."""
    rows = (request.get_json(silent=True) or {}).get("rows", [])
    with common.begin() as conn:
        for row in rows:
            conn.execute(products.insert().values(**_stored(row)))
    return jsonify({"created": len(rows)})


@bp.get("/_control/state")
def control_state() -> Response:
    with common.begin() as conn:
        return jsonify(
            {
                "products": conn.scalar(select(func.count()).select_from(products)),
                "stores": [row.name for row in conn.execute(select(stores).order_by(stores.c.seq))],
                "faults": common.queued_faults(conn, "moysklad"),
            }
        )


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row.get("id") or uuid.uuid4()),
        "type": str((row.get("meta") or {}).get("type") or "product"),
        "name": str(row.get("name") or ""),
        "code": str(row.get("code") or ""),
        "article": row.get("article"),
        "external_code": str(row.get("externalCode") or uuid.uuid4().hex[:22]),
        "buy_price": float((row.get("buyPrice") or {}).get("value") or 0),
        "barcodes": list(row.get("barcodes") or []),
        "archived": bool(row.get("archived")),
        "updated": str(row.get("updated") or _now()),
    }


def generate(conn: Connection, count: int) -> int:
    """``count`` goods after those already there, with stock on the two stores."""
    store_ids = _stores(conn)
    start = conn.scalar(select(func.count()).select_from(products)) or 0
    rng = random.Random(start)
    for number in range(start + 1, start + count + 1):
        product_id = str(uuid.UUID(int=rng.getrandbits(128)))
        conn.execute(
            products.insert().values(
                id=product_id,
                type="product",
                name=f"Товар {number}",
                code=f"{number:05d}",
                article=f"MS-{number:05d}",
                external_code=uuid.uuid4().hex[:22],
                buy_price=float(rng.randrange(100, 500_000)),
                barcodes=[{"ean13": ean13(f"200{number:09d}")}],
                updated=_now(),
            )
        )
        for store_id in store_ids:
            conn.execute(
                stock.insert().values(
                    product_id=product_id, store_id=store_id, stock=rng.randrange(0, 50)
                )
            )
    return count


def _stores(conn: Connection) -> list[str]:
    found = list(conn.scalars(select(stores.c.id).order_by(stores.c.seq)))
    if found:
        return found
    for name in STORE_NAMES:
        store_id = str(uuid.uuid4())
        conn.execute(stores.insert().values(id=store_id, name=name))
        found.append(store_id)
    return found


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
