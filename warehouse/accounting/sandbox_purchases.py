"""The МойСклад sandbox's purchase orders (Заказ поставщику): what the routes in
``sandbox.py`` do for ``entity/purchaseorder``.

Shapes from the reference (github.com/moysklad/api-remap-1.2-doc,
md/documents/_purchaseOrder.md «Получить список Заказов Поставщикам», «Получить Заказ
поставщику», «Получить позиции Заказа поставщику»): every field marked «Обязательное при
ответе» (meta, id, accountId, owner, shared, group, updated, name, externalCode, moment,
applicable, printed, published, rate, sum, organization, agent, positions as a MetaArray,
vatEnabled, created, files) plus store, description, deliveryPlannedMoment and the read-only
sums (payedSum, shippedSum, invoicedSum, waitSum); positions carry quantity, price
(kopecks), discount, vat, vatEnabled, assortment (meta), shipped («Принято») and
inTransit («Ожидание»), all Floats but vat.

- lists: ``limit`` / ``offset``; ``filter`` by equality on id, name, externalCode and
  applicable; ``order`` on the fields the reference sorts a purchase order by (moment,
  name, created, …, ``asc`` / ``desc``; another field 1063, another direction 1042);
- ``expand`` (_general.md «Замена ссылок объектами с помощью expand»): agent,
  organization and store of an order, assortment of a position; ignored when ``limit`` is
  over 100, as the reference says; a field this sandbox does not expand is refused 1089;
- a position's ``shipped`` is what supplies made on the order (``purchaseOrder``) took in
  of its item, in position order; ``shippedSum`` the sum of those supplies' positions.

Purchase orders are made through ``/_control/purchaseorders`` (the reference's «Создать
Заказ поставщику» needs organization and agent: the sandbox's legal entity, a counterparty
named by the caller), each position's quantity positive as «Создать позицию» demands.
Not from the reference (it names no code for them): the status of 1063 / 1042 / 1089
(412, as this sandbox answers every other bad parameter).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import request
from sqlalchemy import asc, desc, func, select
from sqlalchemy.engine import Connection, Row

from warehouse.accounting import sandbox_documents as docs
from warehouse.accounting.sandbox_db import (
    documents,
    entities,
    positions,
    products,
    purchase_orders,
    stores,
    supply_orders,
)
from warehouse.accounting.sandbox_shapes import (
    ACCOUNT_ID,
    ApiError,
    assortment_json,
    collection,
    currency,
    meta,
    nested,
    root,
)

KIND = "purchaseorder"
SORTABLE = {
    "id": "id",
    "name": "name",
    "externalCode": "external_code",
    "moment": "moment",
    "applicable": "applicable",
    "created": "created",
    "deliveryPlannedMoment": "delivery_planned_moment",
    "description": "description",
}
ORDER_EXPANDS = ("agent", "organization", "store")
EXPAND_LIMIT = 100  # the reference: expand only on a page of at most 100


def expands(allowed: tuple[str, ...], limit: int) -> set[str]:
    """The ``expand`` fields asked for, or none when the page is over 100."""
    asked = {field.strip() for field in request.args.get("expand", "").split(",") if field.strip()}
    for field in asked - set(allowed):
        raise ApiError(412, 1089, f"Expand поля {field} не поддерживается", "expand")
    return asked if limit <= EXPAND_LIMIT else set()


def ordering() -> list[Any]:
    """``order=field[,asc|desc];…`` as SQL; the list's own order (creation) last."""
    found = []
    for condition in filter(None, request.args.get("order", "").split(";")):
        field, _, direction = condition.partition(",")
        field, direction = field.strip(), (direction.strip() or "asc")
        if field not in SORTABLE:
            text = (
                f"Ошибка сортировки: неизвестное поле '{field}' или сортировка для данного "
                "поля не поддерживается"
            )
            raise ApiError(412, 1063, text, "order")
        if direction not in ("asc", "desc"):
            text = (
                f"Неверное значение '{direction}' параметра сортировки '{field}', "
                "допустимые значения: 'asc, desc'"
            )
            raise ApiError(412, 1042, text, "order")
        column = purchase_orders.c[SORTABLE[field]]
        found.append(desc(column) if direction == "desc" else asc(column))
    return [*found, purchase_orders.c.seq]


# --- reading ----------------------------------------------------------------------------------


def listing(
    conn: Connection, wanted: dict[str, list[str]], limit: int, offset: int
) -> dict[str, Any]:
    expand = expands(ORDER_EXPANDS, limit)
    query = select(purchase_orders)
    for field, column in (("id", "id"), ("name", "name"), ("externalCode", "external_code")):
        if field in wanted:
            query = query.where(purchase_orders.c[column].in_(wanted[field]))
    if wanted.get("applicable") in (["true"], ["false"]):
        query = query.where(purchase_orders.c.applicable.is_(wanted["applicable"] == ["true"]))
    size = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = conn.execute(query.order_by(*ordering()).limit(limit).offset(offset)).all()
    body = collection(f"entity/{KIND}", KIND, size, limit, offset)
    body["meta"]["metadataHref"] = f"{root()}/entity/{KIND}/metadata"
    body["rows"] = [order_json(conn, row, expand) for row in rows]
    return body


def one(conn: Connection, order_id: str) -> Row[Any]:
    row = conn.execute(select(purchase_orders).where(purchase_orders.c.id == order_id)).first()
    if row is None:
        raise ApiError(
            404, 1021, f"Объект с типом '{KIND}' и идентификатором '{order_id}' не найден"
        )
    return row


def order_json(conn: Connection, row: Row[Any], expand: set[str]) -> dict[str, Any]:
    lines = _lines(conn, row.id)
    got = shipped(conn, row.id, lines)
    total = sum(_sum(line, line.quantity) for line in lines)
    found: dict[str, Any] = {
        "meta": meta(f"entity/{KIND}/{row.id}", KIND),
        "id": row.id,
        "accountId": ACCOUNT_ID,
        "owner": {"meta": meta(f"entity/employee/{docs.EMPLOYEE}", "employee")},
        "shared": False,
        "group": {"meta": meta(f"entity/group/{docs.GROUP}", "group")},
        "updated": row.created,
        "name": row.name,
        "externalCode": row.external_code,
        "moment": row.moment,
        "applicable": bool(row.applicable),
        "printed": False,
        "published": False,
        "rate": {"currency": currency()},
        "sum": total,
        "organization": _ref(conn, "organization", row.organization_id, expand),
        "agent": _ref(conn, "counterparty", row.agent_id, expand, field="agent"),
        "vatEnabled": True,
        "vatIncluded": True,
        "created": row.created,
        "files": nested(f"entity/{KIND}/{row.id}/files", "files", 0),
        "positions": nested(f"entity/{KIND}/{row.id}/positions", f"{KIND}position", len(lines)),
        "payedSum": 0.0,
        "shippedSum": _received_sum(conn, row.id),
        "invoicedSum": 0.0,
        "waitSum": sum(_sum(line, max(0.0, line.quantity - got[line.id])) for line in lines),
    }
    if row.store_id:
        found["store"] = _ref(conn, "store", row.store_id, expand)
    if row.description:
        found["description"] = row.description
    if row.delivery_planned_moment:
        found["deliveryPlannedMoment"] = row.delivery_planned_moment
    made = list(conn.scalars(select(supply_orders.c.supply_id).where(_of_order(row.id))))
    if made:
        found["supplies"] = [{"meta": meta(f"entity/supply/{ident}", "supply")} for ident in made]
    return found


def positions_json(conn: Connection, row: Row[Any], limit: int, offset: int) -> dict[str, Any]:
    expand = expands(("assortment",), limit)
    lines = _lines(conn, row.id)
    got = shipped(conn, row.id, lines)
    path = f"entity/{KIND}/{row.id}/positions"
    body = collection(path, f"{KIND}position", len(lines), limit, offset)
    body["rows"] = [
        {
            "meta": meta(f"{path}/{line.id}", f"{KIND}position"),
            "id": line.id,
            "accountId": ACCOUNT_ID,
            "quantity": line.quantity,
            "price": line.price,
            "discount": line.discount,
            "vat": int(line.vat),
            "vatEnabled": line.vat > 0,
            "assortment": _item(conn, line, "assortment" in expand),
            "shipped": got[line.id],
            "inTransit": max(0.0, line.quantity - got[line.id]),
        }
        for line in lines[offset : offset + limit]
    ]
    return body


def _lines(conn: Connection, order_id: str) -> list[Row[Any]]:
    query = select(positions).where(positions.c.document_id == order_id)
    return list(conn.execute(query.order_by(positions.c.seq)).all())


def _of_order(order_id: str) -> Any:
    return supply_orders.c.purchase_order_id == order_id


def _supplies(conn: Connection, order_id: str) -> list[str]:
    """The held supplies made on the order (a draft takes nothing in)."""
    query = (
        select(documents.c.id)
        .join(supply_orders, supply_orders.c.supply_id == documents.c.id)
        .where(_of_order(order_id), documents.c.applicable.is_(True))
    )
    return list(conn.scalars(query))


def shipped(conn: Connection, order_id: str, lines: list[Row[Any]]) -> dict[str, float]:
    """Per position, what the order's supplies took in of its item: filled in position
    order; what is over the order's quantities lands on the item's last position."""
    received: dict[tuple[str, str], float] = {}
    query = select(positions).where(positions.c.document_id.in_(_supplies(conn, order_id)))
    for row in conn.execute(query):
        key = (row.assortment_type, row.assortment_id)
        received[key] = received.get(key, 0.0) + row.quantity
    found: dict[str, float] = {}
    last: dict[tuple[str, str], str] = {}
    for line in lines:
        key = (line.assortment_type, line.assortment_id)
        taken = min(line.quantity, received.get(key, 0.0))
        found[line.id] = taken
        received[key] = received.get(key, 0.0) - taken
        last[key] = line.id
    for key, rest in received.items():
        if rest > 0 and key in last:
            found[last[key]] += rest
    return found


def _received_sum(conn: Connection, order_id: str) -> float:
    query = select(positions).where(positions.c.document_id.in_(_supplies(conn, order_id)))
    return sum(_sum(row, row.quantity) for row in conn.execute(query))


def _sum(line: Any, quantity: float) -> float:
    return quantity * line.price * (1 - line.discount / 100)


def _ref(
    conn: Connection, kind: str, ident: str, expand: set[str], field: str = ""
) -> dict[str, Any]:
    if (field or kind) not in expand:
        return {"meta": meta(f"entity/{kind}/{ident}", kind)}
    table = stores if kind == "store" else entities
    row = conn.execute(select(table).where(table.c.id == ident)).one()
    return docs.entity_json(kind, row)


def _item(conn: Connection, line: Any, expand: bool) -> dict[str, Any]:
    kind, ident = line.assortment_type, line.assortment_id
    if not expand:
        return {"meta": meta(f"entity/{kind}/{ident}", kind)}
    return assortment_json(conn.execute(select(products).where(products.c.id == ident)).one())


# --- made through the control endpoint --------------------------------------------------------


def create(conn: Connection, body: Any) -> str:
    """«Создать Заказ поставщику» (POST entity/purchaseorder): organization and agent are
    required, store and positions optional, positions as any document's (assortment meta,
    quantity ≥ 0, price in kopecks). Not kept: ``syncId`` (our client finds an order by its
    externalCode before it makes one, so a repeated create is not asked)."""
    docs.ensure_directory(conn)
    if not isinstance(body, dict):
        raise ApiError(400, 2000, "Ошибка формата: отсутствует начало объекта", "")
    for needed in ("organization", "agent"):
        if body.get(needed) is None:
            text = f"поле '{needed}' не может быть пустым или отсутствовать"
            raise ApiError(412, 3000, f"Ошибка сохранения объекта: {text}", needed)
    _, organization = docs.resolve(
        conn, KIND, "organization", body["organization"], ("organization",)
    )
    _, agent = docs.resolve(conn, KIND, "agent", body["agent"], ("counterparty", "organization"))
    store = None
    if body.get("store") is not None:
        _, store = docs.resolve(conn, KIND, "store", body["store"], ("store",))
    lines = docs.positions_of(conn, KIND, body.get("positions", []))
    order_id = str(uuid.uuid4())
    count = conn.scalar(select(func.count()).select_from(purchase_orders)) or 0
    conn.execute(
        purchase_orders.insert().values(
            id=order_id,
            name=str(body.get("name") or f"{count + 1:05d}")[:255],
            external_code=str(body.get("externalCode") or uuid.uuid4().hex[:22])[:255],
            moment=str(body.get("moment") or docs.now()),
            applicable=bool(body.get("applicable", True)),
            organization_id=organization,
            agent_id=agent,
            store_id=store,
            description=str(body.get("description") or "")[:4096],
            delivery_planned_moment=body.get("deliveryPlannedMoment"),
            created=docs.now(),
        )
    )
    for line in lines:
        conn.execute(positions.insert().values(id=str(uuid.uuid4()), document_id=order_id, **line))
    return order_id


def add(conn: Connection, data: dict[str, Any]) -> str:
    """A purchase order from ``{"agent": counterparty name, "name"?, "moment"?,
    "applicable"?, "description"?, "positions": [{"product": id, "quantity", "price"?}]}``;
    its id. Anything it cannot be made of raises ``ApiError`` (400)."""
    docs.ensure_directory(conn)
    agent = conn.scalar(
        select(entities.c.id).where(
            entities.c.type == "counterparty", entities.c.name == str(data.get("agent", ""))
        )
    )
    if agent is None:
        raise ApiError(400, 2013, f"no counterparty named {data.get('agent')!r}", "agent")
    organization = conn.scalar(
        select(entities.c.id).where(entities.c.type == "organization").order_by(entities.c.seq)
    )
    order_id = str(data.get("id") or uuid.uuid4())
    count = conn.scalar(select(func.count()).select_from(purchase_orders)) or 0
    conn.execute(
        purchase_orders.insert().values(
            id=order_id,
            name=str(data.get("name") or f"{count + 1:05d}"),
            external_code=str(data.get("externalCode") or uuid.uuid4().hex[:22]),
            moment=str(data.get("moment") or docs.now()),
            applicable=bool(data.get("applicable", True)),
            organization_id=organization,
            agent_id=agent,
            store_id=data.get("store"),
            description=str(data.get("description") or ""),
            delivery_planned_moment=data.get("deliveryPlannedMoment"),
            created=docs.now(),
        )
    )
    for line in data.get("positions") or ():
        conn.execute(positions.insert().values(document_id=order_id, **_position(conn, line)))
    return order_id


def _position(conn: Connection, line: dict[str, Any]) -> dict[str, Any]:
    item = conn.execute(select(products).where(products.c.id == str(line.get("product")))).first()
    if item is None:
        raise ApiError(400, 2013, f"no item {line.get('product')!r}", "assortment")
    quantity = line.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int | float) or quantity <= 0:
        raise ApiError(400, 3002, "quantity must be a positive number", "quantity")
    return {
        "id": str(uuid.uuid4()),
        "assortment_type": item.type,
        "assortment_id": item.id,
        "quantity": float(quantity),
        "price": float(line.get("price", 0.0)),
        "discount": 0.0,
        "vat": 0.0,
    }


def state(conn: Connection) -> list[dict[str, Any]]:
    """Purchase orders as a person checks them: positions by article, ordered and taken in."""
    names = {row.id: row.name for row in conn.execute(select(entities))}
    articles = dict(conn.execute(select(products.c.id, products.c.article)).tuples().all())
    found = []
    for row in conn.execute(select(purchase_orders).order_by(purchase_orders.c.seq)):
        lines = _lines(conn, row.id)
        got = shipped(conn, row.id, lines)
        found.append(
            {
                "id": row.id,
                "name": row.name,
                "agent": names.get(row.agent_id),
                "positions": [
                    {
                        "article": articles.get(line.assortment_id),
                        "quantity": line.quantity,
                        "shipped": got[line.id],
                    }
                    for line in lines
                ],
            }
        )
    return found
