"""The МойСклад sandbox's directory and documents: what the routes in ``sandbox.py`` do.

Shapes and rules from the reference (github.com/moysklad/api-remap-1.2-doc, md/):

- ``entity/organization``, ``entity/store``, ``entity/counterparty`` lists
  (dictionaries/_organization.md, _store.md, _counterparty.md «Получить …»), seeded with
  one legal entity, the two stores of the report example and a few counterparties;
- ``entity/demand`` (documents/_demand.md «Создать Отгрузку»: organization, agent and
  store are needed) and ``entity/salesreturn`` (documents/_sales_return.md «Создать
  Возврат покупателя»: organization, store, agent; with a ``demand`` basis the agent and
  organization must be the demand's (3004), positions only those of the demand, never
  more than it holds, at its price) and ``entity/supply`` (documents/_supply.md «Создать
  Приемку»: organization, agent and store are needed; ``purchaseOrder``, «Связи с другими
  документами», links it to a purchase order, whose positions then count it as taken in);
- every meta is checked: no meta (2014), no href (2010), no type (2011), an unknown type
  (2012), a type the field does not take (2021), an href of another type (2024), of
  another server (1059) or naming nothing (2013) — all 400, as format errors;
- a missing needed field is 412 with 3000, a negative quantity or price 3002;
- ``syncId`` (_general.md «Назначение поля syncId»): a create repeated with the same
  syncId answers the document made the first time;
- a held document (``applicable``, the default) moves the store's stock: a demand takes
  its positions off, a return and a supply put them on.

Not from the reference (it names no code for them): a return's position missing from its
demand, or more units than the demand holds, is refused 412 with 3007.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Row

from warehouse.accounting.sandbox_db import (
    documents,
    entities,
    positions,
    products,
    purchase_orders,
    stock,
    stores,
    supply_orders,
)
from warehouse.accounting.sandbox_shapes import (
    ACCOUNT_ID,
    API,
    ApiError,
    collection,
    currency,
    meta,
    nested,
    root,
)

STORE_NAMES = ("Основной склад", "Не основной склад")
ORGANIZATIONS = ("ООО «Склад у дома»",)
COUNTERPARTIES = (
    'ООО "Поставщик"',
    'ООО "Покупатель"',
    "Розничный покупатель",
    "Wildberries",
    "Ozon",
    "Яндекс Маркет",
    "Мегамаркет",
)
DOCUMENT_TYPES = ("demand", "salesreturn", "supply")
NEEDED = {
    "demand": ("organization", "agent", "store"),
    "salesreturn": ("organization", "agent", "store"),
    "supply": ("organization", "agent", "store"),
}
META_TYPES = frozenset(
    {"organization", "counterparty", "store", "product", "variant", "service", "bundle"}
    | {"consignment", "demand", "salesreturn", "employee", "currency", "contract", "project"}
    | {"supply", "purchaseorder"}
)
GOODS = ("product", "variant", "service", "bundle", "consignment")
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$")
EMPLOYEE = "faba7f37-2e58-11e6-8a84-bae500000028"
GROUP = "f97aa1fb-2e58-11e6-8a84-bae500000002"


def _needed(field: str) -> ApiError:
    text = f"поле '{field}' не может быть пустым или отсутствовать"
    return ApiError(412, 3000, f"Ошибка сохранения объекта: {text}", field)


def _format(code: int, text: str, field: str) -> ApiError:
    return ApiError(400, code, f"Ошибка формата: {text}", field)


def _saving(code: int, text: str, field: str) -> ApiError:
    return ApiError(412, code, f"Ошибка сохранения объекта: {text}", field)


def _not_the_basis(field: str) -> ApiError:
    return _saving(3004, f"поле '{field}' не соответствует полю связанного объекта", field)


def _invalid(text: str, field: str) -> ApiError:
    return ApiError(412, 3007, f"Ошибка валидации сохраняемого объекта: {text}", field)


# --- the directory ---------------------------------------------------------------------------


def ensure_directory(conn: Connection) -> list[str]:
    """Stores, the legal entity and counterparties of a fresh account; the stores' ids."""
    if not conn.scalar(select(func.count()).select_from(entities)):
        for kind, names in (("organization", ORGANIZATIONS), ("counterparty", COUNTERPARTIES)):
            for name in names:
                add_entity(conn, kind, {"name": name})
    found = list(conn.scalars(select(stores.c.id).order_by(stores.c.seq)))
    if found:
        return found
    for name in STORE_NAMES:
        store_id = str(uuid.uuid4())
        conn.execute(stores.insert().values(id=store_id, name=name))
        found.append(store_id)
    return found


def add_entity(conn: Connection, kind: str, row: dict[str, Any]) -> str:
    entity_id = str(row.get("id") or uuid.uuid4())
    conn.execute(
        entities.insert().values(
            id=entity_id,
            type=kind,
            name=str(row.get("name") or ""),
            external_code=str(row.get("externalCode") or uuid.uuid4().hex[:22]),
            archived=bool(row.get("archived")),
            updated=now(),
        )
    )
    return entity_id


def directory(
    conn: Connection, kind: str, wanted: dict[str, list[str]], search: str, limit: int, offset: int
) -> dict[str, Any]:
    """A list answer of ``entity/<kind>`` (organization, counterparty, store)."""
    ensure_directory(conn)
    table = stores if kind == "store" else entities
    query = select(table)
    if kind != "store":
        query = query.where(entities.c.type == kind)
    for field, column in (("id", "id"), ("name", "name"), ("externalCode", "external_code")):
        if field in wanted:
            query = query.where(table.c[column].in_(wanted[field]))
    if kind != "store" and wanted.get("archived") in (["true"], ["false"]):
        query = query.where(entities.c.archived.is_(wanted["archived"] == ["true"]))
    if search:
        query = query.where(table.c.name.contains(search))
    size = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = conn.execute(query.order_by(table.c.seq).limit(limit).offset(offset)).all()
    body = collection(f"entity/{kind}", kind, size, limit, offset)
    body["meta"]["metadataHref"] = f"{root()}/entity/{kind}/metadata"
    body["rows"] = [entity_json(kind, row) for row in rows]
    return body


def entity_json(kind: str, row: Row[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "meta": meta(f"entity/{kind}/{row.id}", kind),
        "id": row.id,
        "accountId": ACCOUNT_ID,
        "owner": {"meta": meta(f"entity/employee/{EMPLOYEE}", "employee")},
        "shared": False,
        "group": {"meta": meta(f"entity/group/{GROUP}", "group")},
        "updated": getattr(row, "updated", None) or now(),
        "name": row.name,
        "externalCode": getattr(row, "external_code", None) or row.id.replace("-", "")[:22],
        "archived": bool(getattr(row, "archived", False)),
    }
    if kind == "store":
        found["pathName"] = ""
    if kind == "counterparty":
        found.update(companyType="legal", accounts={"meta": _accounts(kind, row.id)})
    if kind == "organization":
        found.update(companyType="legal", legalTitle=row.name)
    return found


def _accounts(kind: str, entity_id: str) -> dict[str, Any]:
    return nested(f"entity/{kind}/{entity_id}/accounts", "account", 0)["meta"]


# --- creating a document ----------------------------------------------------------------------


def create(conn: Connection, kind: str, body: Any) -> str:
    """A new demand / salesreturn from a request body (or the one its syncId made); its id."""
    ensure_directory(conn)
    if not isinstance(body, dict):
        raise _format(2000, "отсутствует начало объекта", "")
    earlier = _by_sync_id(conn, kind, body.get("syncId"))
    if earlier is not None:
        return earlier
    for field in NEEDED[kind]:
        if body.get(field) is None:
            raise _needed(field)
    _, organization = resolve(conn, kind, "organization", body["organization"], ("organization",))
    agent = resolve(conn, kind, "agent", body["agent"], ("counterparty", "organization"))
    _, store = resolve(conn, kind, "store", body["store"], ("store",))
    lines = positions_of(conn, kind, body.get("positions", []))
    demand_id = order_id = None
    if kind == "supply" and body.get("purchaseOrder") is not None:
        _, order_id = resolve(
            conn, kind, "purchaseOrder", body["purchaseOrder"], ("purchaseorder",)
        )
    if kind == "salesreturn" and body.get("demand") is not None:
        _, demand_id = resolve(conn, kind, "demand", body["demand"], ("demand",))
        _check_basis(conn, demand_id, organization, agent, lines)
    applicable = body.get("applicable", True)
    if not isinstance(applicable, bool):
        raise _format(
            2016, "значение поля 'applicable' не соответствует типу Boolean", "applicable"
        )
    document_id = str(uuid.uuid4())
    conn.execute(
        documents.insert().values(
            id=document_id,
            type=kind,
            name=_name(conn, kind, body.get("name")),
            external_code=_text(body, "externalCode", 255) or uuid.uuid4().hex[:22],
            sync_id=str(body["syncId"]) if body.get("syncId") else None,
            moment=_moment(body.get("moment")),
            applicable=applicable,
            organization_id=organization,
            agent_type=agent[0],
            agent_id=agent[1],
            store_id=store,
            demand_id=demand_id,
            description=_text(body, "description", 4096),
            created=now(),
        )
    )
    for line in lines:
        conn.execute(
            positions.insert().values(id=str(uuid.uuid4()), document_id=document_id, **line)
        )
    if order_id is not None:
        conn.execute(
            supply_orders.insert().values(supply_id=document_id, purchase_order_id=order_id)
        )
    if applicable:
        _move_stock(conn, store, lines, -1 if kind == "demand" else 1)
    return document_id


def _by_sync_id(conn: Connection, kind: str, sync_id: Any) -> str | None:
    if not sync_id:
        return None
    try:
        uuid.UUID(str(sync_id))
    except ValueError:
        raise ApiError(400, 1052, "Неверный формат UUID", "syncId") from None
    row = conn.execute(select(documents).where(documents.c.sync_id == str(sync_id))).first()
    if row is None:
        return None
    if row.type != kind:
        raise _saving(3006, "нарушено ограничение уникальности параметра 'syncId'", "syncId")
    return str(row.id)


def resolve(
    conn: Connection, owner: str, field: str, value: Any, takes: tuple[str, ...]
) -> tuple[str, str]:
    """(type, id) of a meta field, checked the way the reference lists its format errors."""
    if not isinstance(value, dict) or not isinstance(value.get("meta"), dict):
        raise _format(2014, f"отсутствует meta для поля '{field}'", field)
    href, kind = value["meta"].get("href"), value["meta"].get("type")
    if not href:
        raise _format(2010, f"отсутствует href для meta поля '{field}'", field)
    if not kind:
        raise _format(2011, f"отсутствует type для meta поля '{field}'", field)
    if kind not in META_TYPES:
        raise _format(2012, f"неизвестный type для meta поля '{field}'", field)
    if kind not in takes:
        text = f"в объектах типа '{owner}' полю '{field}' не может быть присвоен объект типа {kind}"
        raise _format(2021, text, field)
    entity, entity_id = _href_path(str(href), field)
    if entity != kind:
        text = f"href указывает на сущность неправильного типа '{entity}', требуется '{kind}'"
        raise _format(2024, text, field)
    if not _exists(conn, kind, entity_id):
        raise _format(2013, f"неправильное значение href для meta поля '{field}'", field)
    return kind, entity_id


def _href_path(href: str, field: str) -> tuple[str, str]:
    own = f"{root()}/entity/"
    if not href.startswith(own):
        if f"{API}/entity/" in href:
            text = f"Некорректный сервер в идентификаторе объекта: '{href}'"
            raise ApiError(400, 1059, text, field)
        raise _format(2013, f"неправильное значение href для meta поля '{field}'", field)
    entity, _, rest = href[len(own) :].split("?", 1)[0].partition("/")
    return entity, rest.strip("/")


def _exists(conn: Connection, kind: str, entity_id: str) -> bool:
    if kind in ("organization", "counterparty"):
        query = select(entities.c.id).where(entities.c.type == kind, entities.c.id == entity_id)
    elif kind == "store":
        query = select(stores.c.id).where(stores.c.id == entity_id)
    elif kind == "purchaseorder":
        query = select(purchase_orders.c.id).where(purchase_orders.c.id == entity_id)
    elif kind in DOCUMENT_TYPES:
        query = select(documents.c.id).where(documents.c.type == kind, documents.c.id == entity_id)
    else:
        query = select(products.c.id).where(products.c.type == kind, products.c.id == entity_id)
    return conn.scalar(query) is not None


def positions_of(conn: Connection, kind: str, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise _format(2016, "значение поля 'positions' не соответствует типу Array", "positions")
    if len(raw) > 1000:
        text = "слишком большое число элементов вложенной коллекции"
        raise ApiError(413, 2022, f"Ошибка формата: {text}", "positions")
    return [_position(conn, kind, position) for position in raw]


def _position(conn: Connection, kind: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _format(2000, "отсутствует начало объекта", "positions")
    for field in ("assortment", "quantity"):
        if raw.get(field) is None:
            raise _needed(field)
    assortment = resolve(conn, f"{kind}position", "assortment", raw["assortment"], GOODS)
    numbers = {field: _number(raw, field) for field in ("quantity", "price", "discount", "vat")}
    for field in ("quantity", "price"):
        if numbers[field] < 0:
            raise _saving(3002, f"поле '{field}' не может иметь отрицательное значение", field)
    for field, code, what in (("vat", 17007, "НДС"), ("discount", 17008, "скидка")):
        if numbers[field] > 100:
            text = f"Ошибка сохранения позиции документа: {what} не может быть больше 100"
            raise ApiError(412, code, text, field)
    return {"assortment_type": assortment[0], "assortment_id": assortment[1], **numbers}


def _number(raw: dict[str, Any], field: str) -> float:
    value = raw.get(field, 0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _format(2016, f"значение поля '{field}' не соответствует типу Float", field)
    return float(value)


def _check_basis(
    conn: Connection,
    demand_id: str,
    organization: str,
    agent: tuple[str, str],
    lines: list[dict[str, Any]],
) -> None:
    """A return on a demand: the demand's agent and legal entity, its goods at its prices,
    never more units than it holds (counting the returns made on it before)."""
    demand = conn.execute(select(documents).where(documents.c.id == demand_id)).one()
    if (demand.agent_type, demand.agent_id) != agent:
        raise _not_the_basis("agent")
    if demand.organization_id != organization:
        raise _not_the_basis("organization")
    held = _quantities(conn, [demand_id])
    prices = {
        (row.assortment_type, row.assortment_id): row.price
        for row in conn.execute(select(positions).where(positions.c.document_id == demand_id))
    }
    earlier = list(conn.scalars(select(documents.c.id).where(documents.c.demand_id == demand_id)))
    returned = _quantities(conn, earlier)
    asked: dict[tuple[str, str], float] = {}
    for line in lines:
        key = (line["assortment_type"], line["assortment_id"])
        if key not in held:
            raise _invalid("позиции нет в документе-основании", "positions")
        if line["price"] != prices[key]:
            raise _not_the_basis("price")
        asked[key] = asked.get(key, 0.0) + line["quantity"]
        if asked[key] + returned.get(key, 0.0) > held[key] + 1e-9:
            raise _invalid("количество больше, чем в документе-основании", "quantity")


def _quantities(conn: Connection, document_ids: list[str]) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    rows = conn.execute(select(positions).where(positions.c.document_id.in_(document_ids)))
    for row in rows:
        key = (row.assortment_type, row.assortment_id)
        found[key] = found.get(key, 0.0) + row.quantity
    return found


def _move_stock(conn: Connection, store_id: str, lines: list[dict[str, Any]], sign: int) -> None:
    for line in lines:
        if line["assortment_type"] not in ("product", "variant"):
            continue
        key = (stock.c.product_id == line["assortment_id"]) & (stock.c.store_id == store_id)
        moved = conn.execute(
            update(stock).where(key).values(stock=stock.c.stock + sign * line["quantity"])
        )
        if moved.rowcount == 0:
            conn.execute(
                stock.insert().values(
                    product_id=line["assortment_id"],
                    store_id=store_id,
                    stock=sign * line["quantity"],
                )
            )


def _name(conn: Connection, kind: str, given: Any) -> str:
    if given:
        return str(given)[:255]
    count = conn.scalar(select(func.count()).select_from(documents).where(documents.c.type == kind))
    return f"{(count or 0) + 1:05d}"


def _text(body: dict[str, Any], field: str, limit: int) -> str:
    value = body.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _format(2016, f"значение поля '{field}' не соответствует типу String", field)
    if len(value) > limit:
        text = f"значение поля '{field}' превышает максимально допустимое значение"
        raise _saving(3008, text, field)
    return value


def _moment(value: Any) -> str:
    if value is None:
        return now()
    if not isinstance(value, str) or not MOMENT.match(value):
        raise _format(2016, "значение поля 'moment' не соответствует типу DateTime", "moment")
    return value[:19] if len(value) >= 19 else f"{value}:00"


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 3 * 3600))  # MSK


# --- reading documents ------------------------------------------------------------------------


def listing(
    conn: Connection, kind: str, wanted: dict[str, list[str]], limit: int, offset: int
) -> dict[str, Any]:
    query = select(documents).where(documents.c.type == kind)
    for field, column in (("id", "id"), ("name", "name"), ("externalCode", "external_code")):
        if field in wanted:
            query = query.where(documents.c[column].in_(wanted[field]))
    size = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = conn.execute(query.order_by(documents.c.seq).limit(limit).offset(offset)).all()
    body = collection(f"entity/{kind}", kind, size, limit, offset)
    body["meta"]["metadataHref"] = f"{root()}/entity/{kind}/metadata"
    body["rows"] = [document_json(conn, row) for row in rows]
    return body


def one(conn: Connection, kind: str, document_id: str) -> Row[Any]:
    row = conn.execute(
        select(documents).where(documents.c.type == kind, documents.c.id == document_id)
    ).first()
    if row is None:
        raise ApiError(  # the reference's 1021
            404, 1021, f"Объект с типом '{kind}' и идентификатором '{document_id}' не найден"
        )
    return row


def document_json(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    lines = conn.execute(select(positions).where(positions.c.document_id == row.id)).all()
    found: dict[str, Any] = {
        "meta": meta(f"entity/{row.type}/{row.id}", row.type),
        "id": row.id,
        "accountId": ACCOUNT_ID,
        "updated": row.created,
        "name": row.name,
        "externalCode": row.external_code,
        "owner": {"meta": meta(f"entity/employee/{EMPLOYEE}", "employee")},
        "shared": False,
        "group": {"meta": meta(f"entity/group/{GROUP}", "group")},
        "moment": row.moment,
        "applicable": bool(row.applicable),
        "vatEnabled": True,
        "vatIncluded": True,
        "sum": sum(line.quantity * line.price * (1 - line.discount / 100) for line in lines),
        "rate": {"currency": currency()},
        "organization": {
            "meta": meta(f"entity/organization/{row.organization_id}", "organization")
        },
        "store": {"meta": meta(f"entity/store/{row.store_id}", "store")},
        "agent": {"meta": meta(f"entity/{row.agent_type}/{row.agent_id}", row.agent_type)},
        "created": row.created,
        "printed": False,
        "published": False,
        "files": nested(f"entity/{row.type}/{row.id}/files", "files", 0),
        "positions": nested(
            f"entity/{row.type}/{row.id}/positions", f"{row.type}position", len(lines)
        ),
        "payedSum": 0,
    }
    if row.sync_id:
        found["syncId"] = row.sync_id
    if row.description:
        found["description"] = row.description
    if row.demand_id:
        found["demand"] = {"meta": meta(f"entity/demand/{row.demand_id}", "demand")}
    order_id = _purchase_order_of(conn, row.id)
    if order_id:
        found["purchaseOrder"] = {"meta": meta(f"entity/purchaseorder/{order_id}", "purchaseorder")}
    returns = list(conn.scalars(select(documents.c.id).where(documents.c.demand_id == row.id)))
    if returns:
        found["returns"] = [
            {"meta": meta(f"entity/salesreturn/{ident}", "salesreturn")} for ident in returns
        ]
    return found


def _purchase_order_of(conn: Connection, document_id: str) -> str | None:
    query = select(supply_orders.c.purchase_order_id).where(
        supply_orders.c.supply_id == document_id
    )
    return conn.scalar(query)


def positions_json(conn: Connection, row: Row[Any], limit: int, offset: int) -> dict[str, Any]:
    query = select(positions).where(positions.c.document_id == row.id)
    size = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    lines = conn.execute(query.order_by(positions.c.seq).limit(limit).offset(offset)).all()
    path = f"entity/{row.type}/{row.id}/positions"
    body = collection(path, f"{row.type}position", size, limit, offset)
    body["rows"] = [
        {
            "meta": meta(f"{path}/{line.id}", f"{row.type}position"),
            "id": line.id,
            "accountId": ACCOUNT_ID,
            "quantity": line.quantity,
            "price": line.price,
            "discount": line.discount,
            "vat": int(line.vat),
            "vatEnabled": line.vat > 0,
            "assortment": {
                "meta": meta(
                    f"entity/{line.assortment_type}/{line.assortment_id}", line.assortment_type
                )
            },
        }
        for line in lines
    ]
    return body


def state(conn: Connection) -> dict[str, Any]:
    """Documents as a person would check them: names instead of ids, positions by article."""
    names = {row.id: row.name for row in conn.execute(select(entities))}
    names.update({row.id: row.name for row in conn.execute(select(stores))})
    codes = {row.id: row.external_code for row in conn.execute(select(documents))}
    orders = {row.id: row.name for row in conn.execute(select(purchase_orders))}
    articles = dict(conn.execute(select(products.c.id, products.c.article)).tuples().all())
    found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in DOCUMENT_TYPES}
    for row in conn.execute(select(documents).order_by(documents.c.seq)):
        lines = conn.execute(
            select(positions).where(positions.c.document_id == row.id).order_by(positions.c.seq)
        )
        found[row.type].append(
            {
                "id": row.id,
                "name": row.name,
                "externalCode": row.external_code,
                "syncId": row.sync_id,
                "moment": row.moment,
                "organization": names.get(row.organization_id),
                "agent": names.get(row.agent_id),
                "store": names.get(row.store_id),
                "demand": codes.get(row.demand_id) if row.demand_id else None,
                "purchaseOrder": orders.get(_purchase_order_of(conn, row.id) or ""),
                "description": row.description,
                "positions": [
                    {
                        "assortment": line.assortment_id,
                        "article": articles.get(line.assortment_id),
                        "quantity": line.quantity,
                        "price": line.price,
                    }
                    for line in lines
                ],
            }
        )
    return found
