"""Purchase orders (Заказ поставщику) in the МойСклад sandbox and our client reading them,
shaped and refused as the reference shows (github.com/moysklad/api-remap-1.2-doc,
md/documents/_purchaseOrder.md «Получить список Заказов Поставщикам», «Получить позиции
Заказа поставщику»; _supply.md «Создать Приемку»; _general.md «expand», «Сортировка»;
_errors.md 1021, 1034, 1042, 1063, 1089)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.accounting.conftest import TOKEN, MoySkladSandbox
from warehouse.accounting.moysklad import MoySkladClient
from warehouse.marketplaces.base import AuthError, RejectedError, TransientError

SUPPLIER = 'ООО "Поставщик"'
# «Обязательное при ответе» in the reference's tables
ORDER_FIELDS = {
    "accountId",
    "agent",
    "applicable",
    "created",
    "externalCode",
    "files",
    "group",
    "id",
    "meta",
    "moment",
    "name",
    "organization",
    "positions",
    "printed",
    "published",
    "rate",
    "shared",
    "updated",
    "vatEnabled",
}
POSITION_FIELDS = {
    "accountId",
    "assortment",
    "discount",
    "id",
    "price",
    "quantity",
    "shipped",
    "inTransit",
    "vat",
    "vatEnabled",
}


def _item(number: int) -> dict[str, Any]:
    return {
        "meta": {"type": "product"},
        "id": str(uuid.UUID(int=number)),
        "name": f"Товар {number}",
        "code": f"C-{number}",
        "article": f"A-{number}",
    }


@pytest.fixture
def goods(moysklad_sandbox: MoySkladSandbox) -> list[str]:
    rows = [_item(n) for n in (1, 2, 3)]
    moysklad_sandbox.add_rows(*rows)
    return [row["id"] for row in rows]


def error(response) -> dict[str, Any]:
    return response.json()["errors"][0]


def test_orders_and_positions_are_shaped_as_the_reference_shows(moysklad_sandbox, goods):
    first = moysklad_sandbox.purchase_order(
        SUPPLIER, (goods[0], 3, 1000.0), (goods[1], 2, 550.0), moment="2026-12-01 10:00:00"
    )
    second = moysklad_sandbox.purchase_order(
        "Ozon", (goods[2], 1, 0.0), moment="2026-12-02 10:00:00"
    )
    body = moysklad_sandbox.get("/entity/purchaseorder").json()
    assert body["meta"]["type"] == "purchaseorder" and body["meta"]["size"] == 2
    row = body["rows"][0]
    assert set(row) >= ORDER_FIELDS and row["id"] == first and row["name"] == "00001"
    assert row["meta"]["href"].endswith(f"/entity/purchaseorder/{first}")
    assert row["positions"]["meta"]["type"] == "purchaseorderposition"
    assert row["positions"]["meta"]["size"] == 2
    assert set(row["agent"]) == {"meta"} and row["agent"]["meta"]["type"] == "counterparty"
    assert (row["sum"], row["shippedSum"], row["waitSum"]) == (4100.0, 0.0, 4100.0)

    newest = moysklad_sandbox.get(
        "/entity/purchaseorder", order="moment,desc", expand="agent", limit=100
    ).json()
    assert [r["id"] for r in newest["rows"]] == [second, first]
    assert [r["agent"]["name"] for r in newest["rows"]] == ["Ozon", SUPPLIER]
    big_page = moysklad_sandbox.get("/entity/purchaseorder", expand="agent", limit=101).json()
    assert "name" not in big_page["rows"][0]["agent"]  # expand is ignored over 100
    named = moysklad_sandbox.get("/entity/purchaseorder", filter="name=00002").json()
    assert [r["id"] for r in named["rows"]] == [second]

    lines = moysklad_sandbox.get(f"/entity/purchaseorder/{first}/positions").json()
    assert lines["meta"]["type"] == "purchaseorderposition" and lines["meta"]["size"] == 2
    assert all(set(line) >= POSITION_FIELDS for line in lines["rows"])
    assert [(p["quantity"], p["price"], p["shipped"]) for p in lines["rows"]] == [
        (3.0, 1000.0, 0.0),
        (2.0, 550.0, 0.0),
    ]
    assert lines["rows"][0]["assortment"]["meta"]["href"].endswith(f"/entity/product/{goods[0]}")
    expanded = moysklad_sandbox.get(
        f"/entity/purchaseorder/{first}/positions", expand="assortment", limit=100
    ).json()
    assert [p["assortment"]["article"] for p in expanded["rows"]] == ["A-1", "A-2"]
    one = moysklad_sandbox.get(f"/entity/purchaseorder/{first}", expand="agent").json()
    assert (
        one["agent"]["name"] == SUPPLIER and one["organization"]["meta"]["type"] == "organization"
    )


def test_reading_orders_is_refused_as_the_reference_refuses_it(moysklad_sandbox, goods):
    order = moysklad_sandbox.purchase_order(SUPPLIER, (goods[0], 1, 100.0))
    missing = str(uuid.uuid4())
    cases = [
        (f"/entity/purchaseorder/{missing}", {}, 404, 1021),
        (f"/entity/purchaseorder/{missing}/positions", {}, 404, 1021),
        ("/entity/purchaseorder", {"order": "shippedSum"}, 412, 1063),
        ("/entity/purchaseorder", {"order": "moment,down"}, 412, 1042),
        ("/entity/purchaseorder", {"expand": "owner"}, 412, 1089),
        (f"/entity/purchaseorder/{order}/positions", {"expand": "agent"}, 412, 1089),
        ("/entity/purchaseorder", {"filter": "sum>1"}, 412, 1034),
        ("/entity/purchaseorder", {"limit": 1001}, 412, 1014),
    ]
    for path, params, status, code in cases:
        refused = moysklad_sandbox.get(path, **params)
        assert (refused.status_code, error(refused)["code"]) == (status, code), (path, params)
    assert moysklad_sandbox.get("/entity/purchaseorder", token="wrong").status_code == 401
    bad = moysklad_sandbox.http.post(
        f"{moysklad_sandbox.base_url}/_control/purchaseorders",
        json={"rows": [{"agent": SUPPLIER, "positions": [{"product": goods[0], "quantity": 0}]}]},
    )
    assert bad.status_code == 400  # «Должно быть положительным»
    assert len(moysklad_sandbox.state()["purchaseorders"]) == 1


def test_a_supply_made_on_the_order_counts_as_taken_in(moysklad_sandbox, goods):
    order = moysklad_sandbox.purchase_order(SUPPLIER, (goods[0], 3, 1000.0), (goods[1], 2, 500.0))
    head = moysklad_sandbox.get(f"/entity/purchaseorder/{order}").json()
    store = moysklad_sandbox.meta("store", moysklad_sandbox.ids("store")["Основной склад"])
    body = {
        "organization": head["organization"],
        "agent": head["agent"],
        "store": store,
        "purchaseOrder": {"meta": head["meta"]},
        "positions": [
            {
                "quantity": 2.0,
                "price": 1000.0,
                "assortment": moysklad_sandbox.meta("product", goods[0]),
            }
        ],
    }
    without_store = {key: value for key, value in body.items() if key != "store"}
    refused = moysklad_sandbox.post("/entity/supply", without_store)
    assert (refused.status_code, error(refused)["code"]) == (412, 3000)
    nowhere = {
        "meta": {**head["meta"], "href": head["meta"]["href"].replace(order, str(uuid.uuid4()))}
    }
    refused = moysklad_sandbox.post("/entity/supply", {**body, "purchaseOrder": nowhere})
    assert (refused.status_code, error(refused)["code"]) == (400, 2013)

    made = moysklad_sandbox.post("/entity/supply", body)
    assert made.status_code == 200, made.text
    assert made.json()["purchaseOrder"]["meta"]["href"] == head["meta"]["href"]
    lines = moysklad_sandbox.get(f"/entity/purchaseorder/{order}/positions").json()["rows"]
    assert [(p["shipped"], p["inTransit"]) for p in lines] == [(2.0, 1.0), (0.0, 2.0)]
    after = moysklad_sandbox.get(f"/entity/purchaseorder/{order}").json()
    assert (after["shippedSum"], len(after["supplies"])) == (2000.0, 1)
    [supply] = moysklad_sandbox.documents("supply")
    assert supply["purchaseOrder"] == "00001" and supply["agent"] == SUPPLIER
    report = moysklad_sandbox.get("/report/stock/bystore").json()["rows"]
    assert report[0]["stockByStore"][0]["stock"] == 2.0  # taken in on the main store


def test_order_reads_meet_the_same_faults_and_rate_limit(moysklad_sandbox, goods):
    moysklad_sandbox.purchase_order(SUPPLIER, (goods[0], 1, 100.0))
    moysklad_sandbox.faults("500", "429", retry_after=0.01)
    assert moysklad_sandbox.get("/entity/purchaseorder").status_code == 500
    limited = moysklad_sandbox.get("/entity/purchaseorder")
    assert limited.status_code == 429 and error(limited)["code"] == 1049
    assert moysklad_sandbox.get("/entity/purchaseorder").status_code == 200
    moysklad_sandbox.app.config["SANDBOX_MOYSKLAD_RATE"] = 1
    statuses = {moysklad_sandbox.get("/entity/purchaseorder").status_code for _ in range(3)}
    assert 429 in statuses


# --- our client ---------------------------------------------------------------------------------


@pytest.fixture
def client(moysklad_sandbox):
    with MoySkladClient(moysklad_sandbox.api_url, TOKEN, timeout=5) as found:
        yield found


def test_the_client_reads_orders_newest_first_with_their_supplier(moysklad_sandbox, goods, client):
    old = moysklad_sandbox.purchase_order(
        SUPPLIER, (goods[0], 3, 1000.0), moment="2026-11-01 09:00:00"
    )
    new = moysklad_sandbox.purchase_order(
        "Ozon", (goods[1], 1, 10.0), (goods[2], 2.5, 0.0), moment="2026-12-01 09:00:00"
    )
    page = client.purchase_orders(limit=1)
    assert [o.id for o in page.rows] == [new] and page.size == 2 and page.next_offset == 1
    [order] = page.rows
    assert (order.name, order.agent_name, order.positions, order.moment) == (
        "00002",
        "Ozon",
        2,
        "2026-12-01 09:00:00",
    )
    assert order.sum_kopecks == 10.0 and not order.received
    assert [o.id for o in client.purchase_orders(offset=1).rows] == [old]
    assert client.purchase_order(old).agent_name == SUPPLIER
    lines = client.purchase_order_positions(new)
    assert [(p.item_type, p.item_id, p.quantity, p.price_kopecks) for p in lines.rows] == [
        ("product", goods[1], 1.0, 10.0),
        ("product", goods[2], 2.5, 0.0),
    ]
    assert [(p.name, p.article) for p in lines.rows] == [("Товар 2", "A-2"), ("Товар 3", "A-3")]


def test_the_client_says_what_went_wrong(moysklad_sandbox, goods, client):
    with pytest.raises(RejectedError) as missing:
        client.purchase_order(str(uuid.uuid4()))
    assert str(missing.value.code) == "1021"
    moysklad_sandbox.faults("500", retry_after=0.01)
    with pytest.raises(TransientError):
        client.purchase_orders()
    with (
        MoySkladClient(moysklad_sandbox.api_url, "wrong", timeout=5) as refused,
        pytest.raises(AuthError),
    ):
        refused.purchase_orders()
