"""The МойСклад sandbox is no kinder than МойСклад: documents, the directory and the stock
report answer over HTTP as the reference shows (github.com/moysklad/api-remap-1.2-doc,
md/documents/_demand.md «Создать Отгрузку», _sales_return.md «Создать Возврат
покупателя», _general.md «Обработка ошибок», «Назначение поля syncId», _errors.md,
reports/_report_stock.md «Остатки по складам»).

Bodies are the reference's own examples, with the hrefs pointing at the sandbox's ids.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.accounting.conftest import MoySkladSandbox

PRODUCT = {
    "meta": {"type": "product"},
    "id": "8b382799-f7d2-11e5-8a84-bae5000003a5",
    "name": "Товар",
    "code": "00010",
    "article": "A-10",
    "buyPrice": {"value": 1000.0},
    "barcodes": [{"ean13": "2000000000107"}],
}


@pytest.fixture
def refs(moysklad_sandbox: MoySkladSandbox) -> dict[str, Any]:
    """The sandbox's legal entity, main store, a buyer and one product with 10 in stock."""
    moysklad_sandbox.add_rows(PRODUCT)
    moysklad_sandbox.set_stock({"product": PRODUCT["id"], "store": "Основной склад", "stock": 10})
    organization = next(iter(moysklad_sandbox.ids("organization").values()))
    return {
        "organization": moysklad_sandbox.meta("organization", organization),
        "store": moysklad_sandbox.meta("store", moysklad_sandbox.ids("store")["Основной склад"]),
        "agent": moysklad_sandbox.meta(
            "counterparty", moysklad_sandbox.ids("counterparty")["Wildberries"]
        ),
        "product": moysklad_sandbox.meta("product", PRODUCT["id"]),
    }


def demand_body(refs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The reference's «Пример создания новой Отгрузки с телом запроса, содержащим только
    необходимые поля», plus a position as in its fuller example."""
    body = {key: refs[key] for key in ("organization", "agent", "store")}
    body["positions"] = [
        {"quantity": 2, "price": 100.0, "discount": 0, "vat": 0, "assortment": refs["product"]}
    ]
    return {**body, **extra}


def error(response) -> dict[str, Any]:
    return response.json()["errors"][0]


def test_directory_lists_are_shaped_as_the_reference_shows(moysklad_sandbox):
    for entity in ("organization", "store", "counterparty"):
        body = moysklad_sandbox.get(f"/entity/{entity}", limit=2).json()
        assert body["meta"]["type"] == entity and body["meta"]["limit"] == 2
        assert body["context"]["employee"]["meta"]["type"] == "employee"
        row = body["rows"][0]
        assert row["meta"]["type"] == entity and row["meta"]["href"].endswith(row["id"])
        assert {"id", "name", "externalCode", "archived", "accountId"} <= set(row)
    names = moysklad_sandbox.ids("store")
    assert list(names) == ["Основной склад", "Не основной склад"]


def test_a_demand_is_created_with_positions_and_takes_stock_off_the_store(moysklad_sandbox, refs):
    created = moysklad_sandbox.post("/entity/demand", demand_body(refs, externalCode="X-1"))
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["meta"]["type"] == "demand" and body["externalCode"] == "X-1"
    assert body["applicable"] is True and body["sum"] == 200.0
    assert body["positions"]["meta"]["size"] == 1
    assert body["agent"]["meta"]["href"] == refs["agent"]["meta"]["href"]
    positions = moysklad_sandbox.get(f"/entity/demand/{body['id']}/positions").json()["rows"]
    assert [(p["quantity"], p["price"]) for p in positions] == [(2.0, 100.0)]
    found = moysklad_sandbox.get("/entity/demand", filter="externalCode=X-1").json()
    assert [row["id"] for row in found["rows"]] == [body["id"]]
    assert moysklad_sandbox.get("/entity/demand", filter="externalCode=X-2").json()["rows"] == []
    report = moysklad_sandbox.get("/report/stock/bystore").json()["rows"]
    assert [s["stock"] for s in report[0]["stockByStore"]] == [8.0, 0.0]


@pytest.mark.parametrize("field", ["organization", "agent", "store"])
def test_a_demand_without_a_needed_field_is_412_3000(moysklad_sandbox, refs, field):
    body = demand_body(refs)
    del body[field]
    refused = moysklad_sandbox.post("/entity/demand", body)
    assert refused.status_code == 412
    assert error(refused)["code"] == 3000 and error(refused)["parameter"] == field
    assert f"'{field}'" in error(refused)["error"]
    assert moysklad_sandbox.documents("demand") == []


def test_meta_references_are_checked_as_format_errors(moysklad_sandbox, refs):
    unknown = moysklad_sandbox.meta("counterparty", str(uuid.uuid4()))
    cases = [
        ({"agent": unknown}, 2013),
        ({"agent": moysklad_sandbox.meta("employee", str(uuid.uuid4()))}, 2021),
        ({"store": {"meta": {"type": "store"}}}, 2010),
        ({"store": {"meta": {"href": refs["store"]["meta"]["href"]}}}, 2011),
        ({"agent": {"name": "Wildberries"}}, 2014),
        (
            {
                "agent": {
                    "meta": {**refs["agent"]["meta"], "type": "organization"},
                }
            },
            2024,
        ),
        (
            {
                "store": {
                    "meta": {
                        **refs["store"]["meta"],
                        "href": "https://api.moysklad.ru/api/remap/1.2/entity/store/"
                        + str(uuid.uuid4()),
                    }
                }
            },
            1059,
        ),
    ]
    for change, code in cases:
        refused = moysklad_sandbox.post("/entity/demand", demand_body(refs, **change))
        assert (refused.status_code, error(refused)["code"]) == (400, code), change
    positions = [{"quantity": 1, "assortment": moysklad_sandbox.meta("product", str(uuid.uuid4()))}]
    refused = moysklad_sandbox.post("/entity/demand", demand_body(refs, positions=positions))
    assert error(refused)["code"] == 2013 and error(refused)["parameter"] == "assortment"
    negative = [{"quantity": -1, "assortment": refs["product"]}]
    assert (
        error(moysklad_sandbox.post("/entity/demand", demand_body(refs, positions=negative)))[
            "code"
        ]
        == 3002
    )
    assert moysklad_sandbox.documents("demand") == []


def test_a_create_repeated_with_its_sync_id_answers_the_first_document(moysklad_sandbox, refs):
    body = demand_body(refs, syncId=str(uuid.uuid4()), externalCode="SYNC-1")
    first = moysklad_sandbox.post("/entity/demand", body).json()
    again = moysklad_sandbox.post("/entity/demand", body).json()
    assert again["id"] == first["id"]
    assert len(moysklad_sandbox.documents("demand")) == 1
    report = moysklad_sandbox.get("/report/stock/bystore").json()["rows"]
    assert report[0]["stockByStore"][0]["stock"] == 8.0  # taken off once


def test_a_return_on_a_demand_keeps_to_its_agent_goods_and_quantities(moysklad_sandbox, refs):
    demand = moysklad_sandbox.post("/entity/demand", demand_body(refs)).json()
    basis = {"demand": {"meta": demand["meta"]}}
    one = [{"quantity": 1, "price": 100.0, "assortment": refs["product"]}]
    other_agent = moysklad_sandbox.meta(
        "counterparty", moysklad_sandbox.ids("counterparty")["Ozon"]
    )
    body = {**demand_body(refs, positions=one), **basis}
    refused = moysklad_sandbox.post("/entity/salesreturn", {**body, "agent": other_agent})
    assert (refused.status_code, error(refused)["code"]) == (412, 3004)
    dearer = [{"quantity": 1, "price": 150.0, "assortment": refs["product"]}]
    refused = moysklad_sandbox.post("/entity/salesreturn", {**body, "positions": dearer})
    assert error(refused)["code"] == 3004 and error(refused)["parameter"] == "price"
    assert moysklad_sandbox.post("/entity/salesreturn", body).status_code == 200
    assert moysklad_sandbox.post("/entity/salesreturn", body).status_code == 200
    third = moysklad_sandbox.post("/entity/salesreturn", body)  # the demand held 2
    assert (third.status_code, error(third)["code"]) == (412, 3007)
    returns = moysklad_sandbox.documents("salesreturn")
    assert [r["demand"] for r in returns] == [
        moysklad_sandbox.documents("demand")[0]["externalCode"]
    ] * 2
    linked = moysklad_sandbox.get(f"/entity/demand/{demand['id']}").json()
    assert len(linked["returns"]) == 2
    report = moysklad_sandbox.get("/report/stock/bystore").json()["rows"]
    assert report[0]["stockByStore"][0]["stock"] == 10.0  # 2 out, 2 back


def test_a_return_without_basis_needs_organization_store_and_agent(moysklad_sandbox, refs):
    body = demand_body(refs)
    del body["store"]
    refused = moysklad_sandbox.post("/entity/salesreturn", body)
    assert (refused.status_code, error(refused)["code"]) == (412, 3000)
    assert moysklad_sandbox.post("/entity/salesreturn", demand_body(refs)).status_code == 200


def test_the_stock_report_leaves_out_empty_goods_unless_asked_for_all(moysklad_sandbox, refs):
    moysklad_sandbox.add_rows({**PRODUCT, "id": str(uuid.uuid4()), "article": "EMPTY", "code": "2"})
    assert moysklad_sandbox.get("/report/stock/bystore").json()["meta"]["size"] == 1
    everything = moysklad_sandbox.get("/report/stock/bystore", filter="stockMode=all").json()
    assert everything["meta"]["size"] == 2
    bad = moysklad_sandbox.get("/report/stock/bystore", filter="stockMode=some")
    assert bad.status_code == 412


def test_writes_count_against_the_rate_limit(moysklad_sandbox, refs):
    moysklad_sandbox.app.config["SANDBOX_MOYSKLAD_RATE"] = 5  # the fixture's reads count too
    answers = [moysklad_sandbox.post("/entity/demand", demand_body(refs)) for _ in range(6)]
    statuses = [a.status_code for a in answers]
    assert statuses[-1] == 429 and set(statuses[: statuses.index(429)]) == {200}
    assert error(answers[-1])["code"] == 1049
    assert int(answers[-1].headers["X-Lognex-Retry-After"]) > 0
    assert len(moysklad_sandbox.documents("demand")) == statuses.count(200)
