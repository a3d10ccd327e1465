"""A stateful imitation of МойСклад's JSON API 1.2, as a Flask blueprint.

Mounted at ``/sandbox/moysklad``: ``/sandbox/moysklad/api/remap/1.2/entity/assortment``
answers like ``https://api.moysklad.ru/api/remap/1.2/entity/assortment``. Every shape is
the official reference's (github.com/moysklad/api-remap-1.2-doc, md/):

- lists: ``context`` + ``meta`` {href, type, mediaType, size, limit, offset, nextHref /
  previousHref when there are more} + ``rows``; ``limit`` 1..1000, default 1000
  (_general.md «Мета коллекций», dictionaries/_assortment.md «Параметры»); ``filter`` by
  equality (``externalCode=…``; other operators refused, 1034);
- assortment rows as in «Получить Ассортимент»; stock by store rows as in «Получить
  Остатки по складам» (reports/_report_stock.md), one entry per store, only goods with
  stock unless ``filter=stockMode=all`` (the report's default is ``nonEmpty``);
- the directory (organization, store, counterparty) and the documents demand,
  salesreturn and supply: ``sandbox_documents.py``; purchase orders (read only, with
  their positions, ``expand`` and ``order``): ``sandbox_purchases.py``;
- errors ``{"errors": [{"error", "code", "moreInfo"}]}``: 401 code 1056 for a bad token,
  429 code 1049 over 45 requests in 3 s per token with ``X-RateLimit-Limit``,
  ``X-Lognex-Retry-TimeInterval``, ``X-RateLimit-Remaining``, ``X-Lognex-Reset`` and
  ``X-Lognex-Retry-After`` (ms) (_general.md «Обработка ошибок», _errors.md); 415 without
  a body when ``Accept-Encoding`` lacks gzip (_general.md «Сжатие содержимого ответов»).

Config: ``SANDBOX_MOYSKLAD_TOKEN`` (default ``"sandbox"``, sent as ``Bearer``),
``SANDBOX_MOYSKLAD_RATE`` (requests per 3 s, default 45). ``/_control/``: ``faults`` and
``reset`` (common), ``generate`` {"count"} makes goods with EAN-13s, buy prices and stock
on two stores, ``products`` {"rows": [...]} adds rows as given, ``entities`` {"type",
"rows"} adds organizations / counterparties, ``purchaseorders`` {"rows"} makes purchase
orders, ``state`` (with every document written and every purchase order).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import time
import uuid
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from warehouse.accounting import sandbox_documents as docs
from warehouse.accounting import sandbox_purchases as purchases
from warehouse.accounting.sandbox_db import hits, products, stock, stores
from warehouse.accounting.sandbox_shapes import (
    API,
    ApiError,
    assortment_json,
    collection,
    errors,
    filters,
    meta,
    paging,
)
from warehouse.marketplaces.sandbox import common

logger = logging.getLogger(__name__)

bp = Blueprint("sandbox_moysklad", __name__)

DEFAULT_TOKEN = "sandbox"
WINDOW_SECONDS = 3.0
STOCK_MODES = ("all", "positiveOnly", "negativeOnly", "empty", "nonEmpty", "underMinimum")


# --- gate: token, gzip, the rate limit ----------------------------------------------------


def _auth() -> Response | None:
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return Response(status=415)
    expected = f"Bearer {current_app.config.get('SANDBOX_MOYSKLAD_TOKEN', DEFAULT_TOKEN)}"
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        message = "Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ"
        return errors(401, 1056, message)
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
    response = errors(429, 1049, "Превышено ограничение на количество запросов в единицу времени")
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
    return errors(500, None, "При обработке запроса возникла непредвиденная ошибка")


common.install(bp, "moysklad", _auth, _fault_response)


@bp.errorhandler(ApiError)
def _refused(exc: ApiError) -> Response:
    return exc.response()


# --- the API -------------------------------------------------------------------------------


@bp.get(f"{API}/entity/assortment")
def assortment() -> Response:
    limit, offset = paging()
    with common.begin() as conn:
        size = conn.scalar(select(func.count()).select_from(products)) or 0
        rows = conn.execute(
            select(products).order_by(products.c.seq).limit(limit).offset(offset)
        ).all()
    body = collection("entity/assortment", "assortment", size, limit, offset)
    body["rows"] = [assortment_json(row) for row in rows]
    return jsonify(body)


@bp.get(f"{API}/report/stock/bystore")
def stock_by_store() -> Response:
    limit, offset = paging()
    mode = (filters(("stockMode",)).get("stockMode") or ["nonEmpty"])[-1]
    if mode not in STOCK_MODES:
        raise ApiError(412, 1041, f"Неверное значение '{mode}' параметра фильтрации 'stockMode'")
    with common.begin() as conn:
        docs.ensure_directory(conn)
        wanted = _stock_mode(mode)
        size = conn.scalar(select(func.count()).select_from(wanted.subquery())) or 0
        rows = conn.execute(wanted.order_by(products.c.seq).limit(limit).offset(offset)).all()
        all_stores = conn.execute(select(stores).order_by(stores.c.seq)).all()
        levels = {
            (row.product_id, row.store_id): row
            for row in conn.execute(
                select(stock).where(stock.c.product_id.in_([row.id for row in rows]))
            )
        }
    body = collection("report/stock/bystore", "stockbystore", size, limit, offset)
    body["rows"] = [
        {
            "meta": meta(f"entity/{row.type}/{row.id}?expand=supplier", row.type),
            "stockByStore": [
                _store_level(store, levels.get((row.id, store.id))) for store in all_stores
            ],
        }
        for row in rows
    ]
    return jsonify(body)


def _stock_mode(mode: str) -> Any:
    """Goods (products and variants) whose stock over all stores the mode lets through."""
    total = (
        select(func.coalesce(func.sum(stock.c.stock), 0.0))
        .where(stock.c.product_id == products.c.id)
        .scalar_subquery()
    )
    query = select(products).where(products.c.type.in_(("product", "variant")))
    conditions = {
        "nonEmpty": total != 0,
        "positiveOnly": total > 0,
        "negativeOnly": total < 0,
        "empty": total == 0,
    }
    return query.where(conditions[mode]) if mode in conditions else query


@bp.get(f"{API}/entity/<any(organization, store, counterparty):kind>")
def directory(kind: str) -> Response:
    limit, offset = paging()
    wanted = filters(("id", "name", "externalCode", "archived"))
    with common.begin() as conn:
        body = docs.directory(conn, kind, wanted, request.args.get("search", ""), limit, offset)
    return jsonify(body)


@bp.get(f"{API}/entity/<any(demand, salesreturn, supply):kind>")
def document_list(kind: str) -> Response:
    limit, offset = paging()
    wanted = filters(("id", "name", "externalCode"))
    with common.begin() as conn:
        return jsonify(docs.listing(conn, kind, wanted, limit, offset))


@bp.post(f"{API}/entity/<any(demand, salesreturn, supply):kind>")
def document_create(kind: str) -> Response:
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, 2001, "Ошибка формата: входящий запрос не соответствует формату JSON")
    with common.begin() as conn:
        document_id = docs.create(conn, kind, body)
        created = docs.document_json(conn, docs.one(conn, kind, document_id))
    logger.info("moysklad sandbox %s %s %s", kind, created["name"], created["externalCode"])
    return jsonify(created)


@bp.get(f"{API}/entity/<any(demand, salesreturn, supply):kind>/<document_id>")
def document_one(kind: str, document_id: str) -> Response:
    with common.begin() as conn:
        return jsonify(docs.document_json(conn, docs.one(conn, kind, document_id)))


@bp.get(f"{API}/entity/<any(demand, salesreturn, supply):kind>/<document_id>/positions")
def document_positions(kind: str, document_id: str) -> Response:
    limit, offset = paging()
    with common.begin() as conn:
        return jsonify(docs.positions_json(conn, docs.one(conn, kind, document_id), limit, offset))


@bp.get(f"{API}/entity/purchaseorder")
def purchase_order_list() -> Response:
    limit, offset = paging()
    wanted = filters(("id", "name", "externalCode", "applicable"))
    with common.begin() as conn:
        return jsonify(purchases.listing(conn, wanted, limit, offset))


@bp.post(f"{API}/entity/purchaseorder")
def purchase_order_create() -> Response:
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, 2001, "Ошибка формата: входящий запрос не соответствует формату JSON")
    with common.begin() as conn:
        order_id = purchases.create(conn, body)
        created = purchases.order_json(conn, purchases.one(conn, order_id), set())
    logger.info("moysklad sandbox purchaseorder %s %s", created["name"], created["externalCode"])
    return jsonify(created)


@bp.get(f"{API}/entity/purchaseorder/<order_id>")
def purchase_order_one(order_id: str) -> Response:
    expand = purchases.expands(purchases.ORDER_EXPANDS, 1)
    with common.begin() as conn:
        return jsonify(purchases.order_json(conn, purchases.one(conn, order_id), expand))


@bp.get(f"{API}/entity/purchaseorder/<order_id>/positions")
def purchase_order_positions(order_id: str) -> Response:
    limit, offset = paging()
    with common.begin() as conn:
        return jsonify(purchases.positions_json(conn, purchases.one(conn, order_id), limit, offset))


def _store_level(store: Any, level: Any) -> dict[str, Any]:
    return {
        "meta": meta(f"entity/store/{store.id}", "store"),
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


@bp.post("/_control/entities")
def control_entities() -> Response:
    """``{"type": "organization" | "counterparty", "rows": [{"name", "id"?}]}`` added."""
    data = request.get_json(silent=True) or {}
    kind = data.get("type")
    if kind not in ("organization", "counterparty"):
        return errors(400, None, "type must be organization or counterparty")
    with common.begin() as conn:
        docs.ensure_directory(conn)
        ids = [docs.add_entity(conn, kind, row) for row in data.get("rows", [])]
    return jsonify({"ids": ids})


@bp.post("/_control/purchaseorders")
def control_purchase_orders() -> Response:
    """``{"rows": [{"agent": counterparty name, "positions": [{"product": id, "quantity",
    "price"?}], "name"?, "moment"?, "applicable"?}]}`` made as purchase orders; their ids."""
    rows = (request.get_json(silent=True) or {}).get("rows", [])
    with common.begin() as conn:
        ids = [purchases.add(conn, row) for row in rows]
    return jsonify({"ids": ids})


@bp.post("/_control/stock")
def control_stock() -> Response:
    """``{"rows": [{"product": id, "store": name, "stock", "reserve"?, "inTransit"?}]}``."""
    rows = (request.get_json(silent=True) or {}).get("rows", [])
    with common.begin() as conn:
        docs.ensure_directory(conn)
        by_name = {row.name: row.id for row in conn.execute(select(stores))}
        for row in rows:
            key = {"product_id": str(row["product"]), "store_id": by_name[row["store"]]}
            conn.execute(delete(stock).filter_by(**key))
            conn.execute(
                stock.insert().values(
                    **key,
                    stock=float(row.get("stock", 0)),
                    reserve=float(row.get("reserve", 0)),
                    in_transit=float(row.get("inTransit", 0)),
                )
            )
    return jsonify({"set": len(rows)})


@bp.get("/_control/state")
def control_state() -> Response:
    with common.begin() as conn:
        return jsonify(
            {
                "products": conn.scalar(select(func.count()).select_from(products)),
                "stores": [row.name for row in conn.execute(select(stores).order_by(stores.c.seq))],
                "faults": common.queued_faults(conn, "moysklad"),
                "documents": docs.state(conn),
                "purchaseorders": purchases.state(conn),
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
    store_ids = docs.ensure_directory(conn)
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


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
