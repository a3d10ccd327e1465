"""Ozon's sales statistics and finance report: the connector against the sandbox's month
(``_control/sales``), against Ozon's own examples (``reference/``), and the sandbox's
refusals. Facts and assumptions: docs/REPORTS-APIS-OZON.md."""

from __future__ import annotations

import time as time_module
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert, update

from tests.marketplaces.ozon.reference_server import ReferenceServer
from tests.marketplaces.ozon.reference_server import example as reference_example
from warehouse.marketplaces import ozon_report_shapes as shapes
from warehouse.marketplaces import ozon_reports
from warehouse.marketplaces.base import AuthError, RealizationRow, TransientError
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.sandbox import common, fbo
from warehouse.marketplaces.sandbox import ozon_report_data as data
from warehouse.marketplaces.sandbox.ozon_state import ITEMS

if TYPE_CHECKING:
    from tests.marketplaces.ozon.conftest import OzonSandbox

MSK = timezone(timedelta(hours=3))
START = datetime.now(MSK).date() - timedelta(days=45)
DAYS = 30
LAST = START + timedelta(days=44)  # every sale, return and charge of the month is by then
SHIRT, MUG, SOCKS = ITEMS[0], ITEMS[2], ITEMS[3]


def example(name: str) -> Any:
    return {k: v for k, v in reference_example(name).items() if not k.startswith("_")}


def orders() -> list[dict[str, Any]]:
    """Four FBS orders in the month's first days; the third is returned."""
    return [
        {
            "number": f"{70_000_000 + n}-{n + 1:04d}-1",
            "sku": item.product.article,
            "article": item.product.article,
            "price": item.product.price_kopecks,
            "quantity": 1 + n % 2,
            "at": datetime.combine(START + timedelta(days=n), time(9, 30), UTC).isoformat(),
        }
        for n, item in enumerate((SHIRT, MUG, SOCKS, MUG))
    ]


def month(sandbox: OzonSandbox, listed: Sequence[dict[str, Any]] = (), **kw: Any) -> Any:
    listed = list(listed) or orders()
    body = {
        "start": START.isoformat(),
        "days": DAYS,
        "seed": 7,
        "fbo_per_day": 3,
        "orders": listed,
        "returns": [listed[2]["number"]],
        **kw,
    }
    return sandbox.control("POST", "sales", body).json()


def control_totals(sandbox: OzonSandbox, first: date, last: date) -> dict[str, int]:
    return sandbox.control("GET", f"realization?from={first}&to={last}").json()


def totals(rows: Sequence[RealizationRow]) -> dict[str, int]:
    found = dict.fromkeys(("sale_amount", "return_amount", "commission", "logistics"), 0)
    found.update(rows=len(rows), other=0, payout=0)
    for row in rows:
        if row.kind in ("sale", "return"):
            found[f"{row.kind}_amount"] += row.amount
        found["commission"] += row.commission
        found["logistics"] += row.logistics
        found["other"] += row.other
        found["payout"] += row.payout
    return found


def by_note(rows: Sequence[RealizationRow], note: str) -> list[RealizationRow]:
    return [row for row in rows if row.note == note]


# --- against the sandbox's month ---------------------------------------------------------------


def test_the_report_adds_up_to_the_sandbox_own_totals(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    made = month(ozon_sandbox)
    rows = ozon_client.realization(START, LAST)
    assert totals(rows) == control_totals(ozon_sandbox, START, LAST)
    assert len(rows) == made["rows"] and made["difference"] is None
    assert len({row.row_id for row in rows}) == len(rows)
    half = START + timedelta(days=15)  # a shorter period counts only its own days
    assert totals(ozon_client.realization(START, half)) == control_totals(ozon_sandbox, START, half)
    assert all(r.amount - r.commission - r.logistics - r.other == r.payout for r in rows)


def test_signs_of_sales_returns_and_charges(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    listed = orders()
    month(ozon_sandbox, listed)
    rows = ozon_client.realization(START, LAST)
    returned = listed[2]
    [sale, back] = [r for r in rows if r.order_number == returned["number"] and r.kind != "charge"]
    units = returned["quantity"]
    assert (sale.kind, sale.amount, sale.quantity) == ("sale", returned["price"] * units, units)
    assert sale.commission > 0 and sale.logistics > 0 and sale.other == 0
    assert (sale.scheme, sale.sku, sale.article) == ("fbs",) + (SOCKS.product.article,) * 2
    assert sale.marketplace_id == str(SOCKS.sku) and sale.note == "Доставка покупателю"
    assert (back.kind, back.amount, back.commission) == ("return", -sale.amount, -sale.commission)
    assert back.payout == -sale.amount + sale.commission < 0 and back.at > sale.at
    [handling] = by_note(rows, "Доставка и обработка возврата, отмены, невыкупа")
    assert (handling.kind, handling.order_number, handling.quantity) == (
        "charge",
        back.order_number,
        0,
    )
    assert handling.logistics > 0 and handling.payout == -handling.logistics
    storage = by_note(rows, "Услуга размещения товаров на складе")
    assert len(storage) == 4 and all(r.other > 0 and r.payout == -r.other for r in storage)
    [lost] = by_note(rows, "Компенсация за утерянный на складе товар")
    assert lost.other < 0 < lost.payout and lost.kind == "charge"
    [cross_dock] = by_note(rows, "Доставка товаров на склад Ozon (кросс-докинг)")
    assert cross_dock.logistics > 0 and cross_dock.other == 0 and cross_dock.order_number == ""
    fbo = [r for r in rows if r.scheme == "fbo"]
    assert fbo and all(r.kind == "sale" and r.sku == r.article and r.sku for r in fbo)


def test_sales_since_reads_orders_sales_returns_and_cancels(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    listed = orders()
    month(ozon_sandbox, listed)
    since = datetime.combine(START, time(), MSK) - timedelta(days=1)
    rows = ozon_client.sales_since(since)
    assert len({row.row_id for row in rows}) == len(rows)
    found = {(row.kind, row.order_number): row for row in rows}
    for order in listed:
        ordered = found["order", order["number"]]
        expected = order["price"] * order["quantity"]
        assert ordered.at == datetime.fromisoformat(order["at"]) and ordered.amount == expected
        assert (ordered.scheme, ordered.sku, ordered.quantity) == (
            "fbs",
            order["sku"],
            order["quantity"],
        )
        sold = found["sale", order["number"]]
        assert sold.amount == expected and sold.at > ordered.at and sold.sku == order["sku"]
    back = found["return", listed[2]["number"]]
    assert back.amount == listed[2]["price"] * listed[2]["quantity"] > 0
    kinds = Counter((row.scheme, row.kind) for row in rows)
    assert kinds["fbo", "order"] == DAYS * 3 and kinds["fbo", "cancel"] > 0
    assert kinds["fbo", "sale"] == DAYS * 3 - kinds["fbo", "cancel"]
    cancelled = [row for row in rows if row.kind == "cancel"]
    assert all(found["order", row.order_number].at == row.at for row in cancelled)


def test_postings_unchanged_since_are_not_read_again(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    month(ozon_sandbox)
    rows = ozon_client.sales_since(datetime.now(UTC) - timedelta(hours=1))
    assert not [row for row in rows if row.scheme == "fbs" and row.kind == "order"]


def test_a_live_posting_in_the_month_is_listed_once_delivered(
    ozon_sandbox: OzonSandbox,
) -> None:
    number = ozon_sandbox.add_cart((MUG.product.article, 1))
    listed = orders()
    listed[0]["number"] = number
    month(ozon_sandbox, listed)
    since = datetime.combine(START, time(), UTC) - timedelta(days=1)
    period = {"since": since.isoformat(), "to": datetime.now(UTC).isoformat()}
    body = {"filter": period, "limit": 1000, "offset": 0, "with": {"financial_data": True}}
    found = ozon_sandbox.call("/v3/posting/fbs/list", body).json()["result"]["postings"]
    [posting] = [p for p in found if p["posting_number"] == number]
    assert posting["status"] == "delivered" and posting["financial_data"]["products"]


def test_every_page_and_window_is_read(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    month(ozon_sandbox)
    since = datetime.combine(START, time(), MSK) - timedelta(days=1)
    whole = ozon_client.realization(START, LAST)
    sales = ozon_client.sales_since(since)
    monkeypatch.setattr(ozon_reports, "FBO_MAX_OFFSET", 4)  # windows halve past it
    ozon_sandbox.app.config["SANDBOX_REPORT_LIMITS"] = False  # hundreds of calls
    with OzonClient(ozon_sandbox.base_url, "sandbox", "sandbox", timeout=2.0, page_size=2) as small:
        assert sorted(r.row_id for r in small.realization(START, LAST)) == sorted(
            r.row_id for r in whole
        )
        assert {r.row_id: r for r in small.sales_since(since)} == {r.row_id: r for r in sales}


def test_no_request_asks_for_more_than_a_month(ozon_client: OzonClient) -> None:
    # a Moscow month starts at 21:00 UTC of the month before: September 30th + a UTC month
    # ends before October 31st 21:00 UTC, so October takes two requests (else 400)
    assert ozon_client.realization(date(2025, 10, 1), date(2026, 1, 31)) == []
    assert ozon_client.realization(date(2024, 2, 1), date(2024, 3, 31)) == []


def test_differences_the_control_asks_for(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    listed = orders()
    made = month(ozon_sandbox, listed, difference="amount")
    number = made["difference"]["order_number"]
    assert made["difference"]["kind"] == "amount"
    [order] = [o for o in listed if o["number"] == number]
    rows = ozon_client.realization(START, LAST)
    [sale] = [r for r in rows if r.order_number == number and r.kind == "sale"]
    assert sale.amount == order["price"] * order["quantity"] + 10_000
    assert totals(rows) == control_totals(ozon_sandbox, START, LAST)

    made = month(ozon_sandbox, listed, difference="unknown")
    stranger = made["difference"]["order_number"]
    assert made["difference"]["kind"] == "unknown" and stranger not in {o["number"] for o in listed}
    [sale] = [r for r in ozon_client.realization(START, LAST) if r.order_number == stranger]
    assert (sale.kind, sale.scheme) == ("sale", "fbs") and sale.amount > 0


def test_a_short_429_is_waited_out_once(ozon_sandbox: OzonSandbox, ozon_client: OzonClient) -> None:
    month(ozon_sandbox)
    ozon_sandbox.faults("429", retry_after=0.2)
    assert ozon_client.realization(START, LAST)
    ozon_sandbox.faults("429", "429", retry_after=0.2)
    with pytest.raises(TransientError):
        ozon_client.realization(START, LAST)


def test_a_long_429_and_a_500_are_transient(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    ozon_sandbox.faults("429", retry_after=60)
    with pytest.raises(TransientError) as raised:
        ozon_client.realization(START, LAST)
    assert raised.value.retry_after == 60
    ozon_sandbox.faults("500")
    with pytest.raises(TransientError):
        ozon_client.sales_since(datetime.now(UTC) - timedelta(days=1))


def test_a_refused_key_is_an_auth_error(ozon_sandbox: OzonSandbox) -> None:
    with (
        OzonClient(ozon_sandbox.base_url, "sandbox", "wrong", timeout=2.0) as client,
        pytest.raises(AuthError),
    ):
        client.realization(START, LAST)


def test_the_transaction_list_takes_requests_one_at_a_time(ozon_sandbox: OzonSandbox) -> None:
    with ozon_sandbox.app.app_context(), common.begin() as conn:
        conn.execute(insert(data.busy).values(call="finance", until=9e12))
    body = {"filter": {"posting_number": "1-2-3"}, "page": 1, "page_size": 10}
    refused = ozon_sandbox.call("/v3/finance/transaction/list", body)
    assert refused.status_code == 429 and refused.json()["code"] == 8
    ozon_sandbox.app.config["SANDBOX_REPORT_LIMITS"] = False
    answer = ozon_sandbox.call("/v3/finance/transaction/list", body).json()
    assert answer == {"result": {"operations": [], "page_count": 0, "row_count": 0}}


def test_past_fifty_requests_a_second_the_sandbox_answers_429(ozon_sandbox: OzonSandbox) -> None:
    week = {"since": "2025-01-01T00:00:00Z", "to": "2025-01-08T00:00:00Z"}
    body = {"filter": week, "limit": 10}
    assert ozon_sandbox.call("/v2/posting/fbo/list", body).status_code == 200
    with ozon_sandbox.app.app_context(), common.begin() as conn:  # the second's 50 are spent
        limits = fbo.limits["ozon"]
        conn.execute(update(limits).values(tokens=0.0, ts=time_module.time()))
    refused = ozon_sandbox.call("/v2/posting/fbo/list", body)
    assert refused.status_code == 429 and refused.json()["code"] == 8
    assert 0 < float(refused.headers["Retry-After"]) <= 0.02


def test_the_sandbox_refuses_what_ozon_refuses(ozon_sandbox: OzonSandbox) -> None:
    def refused(path: str, body: dict[str, Any]) -> str:
        answer = ozon_sandbox.call(path, body)
        assert answer.status_code == 400, answer.text
        return str(answer.json()["message"])

    finance = "/v3/finance/transaction/list"
    period = {"from": "2025-01-01T00:00:00.000Z", "to": "2025-02-01T00:00:00.001Z"}
    assert "PERIOD_IS_TOO_LONG" in refused(
        finance, {"filter": {"date": period}, "page": 1, "page_size": 10}
    )
    assert "page_size" in refused(
        finance, {"filter": {"date": period}, "page": 1, "page_size": 1001}
    )
    assert "filter" in refused(finance, {"page": 1, "page_size": 10})
    fbo_list = "/v2/posting/fbo/list"
    year = {"since": "2024-01-01T00:00:00Z", "to": "2025-01-02T00:00:00Z"}
    assert refused(fbo_list, {"filter": year, "limit": 10}) == "PERIOD_IS_TOO_LONG"
    week = {"since": "2025-01-01T00:00:00Z", "to": "2025-01-08T00:00:00Z"}
    assert "offset" in refused(fbo_list, {"filter": week, "limit": 10, "offset": 20_001})
    assert "limit" in refused(fbo_list, {"filter": week})
    lost = {"number": "1-2-3", "sku": "A", "price": 100, "at": "2025-01-01T00:00:00Z"}
    answer = ozon_sandbox.http.post(
        f"{ozon_sandbox.base_url}/_control/sales",
        json={"start": "2025-01-01", "orders": [lost], "returns": ["9-9-9"]},
    )
    assert answer.status_code == 400


def test_a_card_the_catalogue_lacks_is_named_by_info_list(
    ozon_sandbox: OzonSandbox, ozon_client: OzonClient
) -> None:
    listed = orders()
    listed[1] |= {"sku": "OWN-1", "article": "OWN-1", "price": 12_345, "quantity": 1}
    month(ozon_sandbox, listed)
    [sale] = [
        r for r in ozon_client.realization(START, LAST)
        if r.order_number == listed[1]["number"] and r.kind == "sale"
    ]  # fmt: skip
    assert (sale.sku, sale.amount) == ("OWN-1", 12_345) and sale.marketplace_id.isdecimal()


# --- against Ozon's own examples -----------------------------------------------------------------


def test_the_reference_charge_is_one_other_line(ozon_reference: ReferenceServer) -> None:
    ozon_reference.answer("/v3/finance/transaction/list", example("transaction_list.json"))
    with ozon_reference.client() as client:
        [row] = client.realization(date(2021, 11, 1), date(2021, 11, 1))
    assert row == RealizationRow(
        row_id="11401182187840",
        kind="charge",
        at=datetime(2021, 10, 31, 21, 0, tzinfo=UTC),
        other=646,
        payout=-646,
        note="Услуги продвижения товаров",
    )
    [sent] = ozon_reference.sent("/v3/finance/transaction/list")  # page_count 1: one page
    assert sent == {
        "filter": {
            "date": {"from": "2021-10-31T21:00:00.000Z", "to": "2021-11-01T20:59:59.999Z"},
            "operation_type": [],
            "posting_number": "",
            "transaction_type": "all",
        },
        "page": 1,
        "page_size": 1000,
    }
    assert not ozon_reference.sent("/v3/product/info/list")  # no SKU to name


def test_a_delivery_of_two_products_is_shared_by_their_prices(
    ozon_reference: ReferenceServer,
) -> None:
    ozon_reference.answer("/v3/finance/transaction/list", example("transaction_list_delivery.json"))
    ozon_reference.answer("/v3/product/info/list", example("product_info_list.json"))
    ozon_reference.answer("/v3/posting/fbs/get", example("fbs_get_two_products.json"))
    with ozon_reference.client() as client:
        coffee, tea = client.realization(date(2021, 11, 1), date(2021, 11, 30))
    assert [ozon_reference.sent("/v3/posting/fbs/get")] == [
        [{"posting_number": "57195475-0050-3", "with": {}}]
    ]
    assert ozon_reference.sent("/v3/product/info/list") == [{"sku": [180550365, 180550366]}]
    at = datetime(2021, 11, 1, 11, 20, 11, tzinfo=UTC)
    common_fields = {"kind": "sale", "at": at, "order_number": "57195475-0050-3"}
    assert coffee == RealizationRow(
        row_id="11401182187841:180550365", **common_fields, sku="250-7898-1",
        article="250-7898-1", barcode="4620030290123", marketplace_id="180550365",
        quantity=1, amount=27_900, commission=4_185, logistics=5_500, other=167,
        payout=18_048, note="Доставка покупателю",
    )  # fmt: skip
    assert (tea.sku, tea.marketplace_id, tea.quantity) == ("250-7898-2", "180550366", 2)
    assert (tea.amount, tea.commission, tea.logistics, tea.other, tea.payout) == (
        55_800, 8_370, 11_000, 333, 36_097,
    )  # fmt: skip


def test_the_reference_posting_lists_give_order_rows(ozon_reference: ReferenceServer) -> None:
    ozon_reference.answer("/v3/posting/fbs/list", example("fbs_list.json"))  # has_next: true
    ozon_reference.answer("/v3/posting/fbs/list", {"result": {"postings": [], "has_next": False}})
    ozon_reference.answer("/v2/posting/fbo/list", example("fbo_list.json"))
    for _ in range(6):
        ozon_reference.answer("/v2/posting/fbo/list", {"result": []})
    ozon_reference.answer("/v3/finance/transaction/list", example("transaction_list_delivery.json"))
    empty = {"result": {"operations": [], "page_count": 0, "row_count": 0}}
    ozon_reference.answer("/v3/finance/transaction/list", empty)
    ozon_reference.answer("/v3/product/info/list", example("product_info_list.json"))
    since = datetime.now(UTC) - timedelta(hours=1)
    with ozon_reference.client() as client:
        rows = {row.row_id: row for row in client.sales_since(since)}
    fbs = rows["05708065-0029-1:358924380:order"]
    assert (fbs.kind, fbs.scheme, fbs.amount, fbs.sku, fbs.quantity) == (
        "order", "fbs", 139_000, "205953", 1,
    )  # fmt: skip
    assert fbs.at == datetime(2022, 5, 13, 7, 7, 32, tzinfo=UTC)
    fbo = rows["16965409-0014-1:160249683:order"]
    assert (fbo.scheme, fbo.amount, fbo.sku, fbo.marketplace_id) == (
        "fbo", 8_100, "978-5-906864-56-7", "160249683",
    )  # fmt: skip
    sold = sorted((r for r in rows.values() if r.kind == "sale"), key=lambda r: r.sku)
    assert [(r.sku, r.quantity, r.amount) for r in sold] == [
        ("250-7898-1", 1, 27_900),
        ("250-7898-2", 2, 55_800),
    ]
    first, second = ozon_reference.sent("/v3/posting/fbs/list")
    assert first["filter"]["last_changed_status_date"]["from"] == since.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert (first["offset"], second["offset"]) == (0, 1)


def test_a_charge_gives_no_sales_row() -> None:
    op = example("transaction_list.json")["result"]["operations"][0]
    assert shapes.sale_rows(op, {}, None) == []
