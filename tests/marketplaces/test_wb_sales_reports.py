"""WB's sales statistics and realization report: the connector (``sales_since``,
``realization``) against the sandbox's statistics and finance hosts over real HTTP, and
against WB's own published examples (``reference/wb.json``) through the reference server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from numbers import Number
from typing import TYPE_CHECKING, Any

import pytest

from tests.marketplaces.reference_server import example, replaying
from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces import wb_reports
from warehouse.marketplaces.base import (
    AuthError,
    RealizationRow,
    RejectedError,
    SaleRow,
    TransientError,
)
from warehouse.marketplaces.connectors import wb_finance_url, wb_statistics_url
from warehouse.marketplaces.wildberries import WildberriesClient

if TYPE_CHECKING:
    from conftest import WbSandbox

AUTH = {"Authorization": "sandbox"}
SHIRT, MUG, SOCKS = PRODUCTS[0], PRODUCTS[2], PRODUCTS[3]
START, END = date(2026, 10, 1), date(2026, 10, 30)
SINCE = datetime(2026, 9, 1, tzinfo=UTC)
DETAILED = "/finance-api/api/finance/v1/sales-reports/detailed"
SALES = "/statistics-api/api/v1/supplier/sales"


@pytest.fixture(autouse=True)
def no_limits(wb_sandbox: WbSandbox) -> None:
    """One call a minute is imitated in its own test; the others run without it."""
    wb_sandbox.app.config["SANDBOX_REPORT_LIMITS"] = False


def client(sandbox: WbSandbox, token: str = "sandbox") -> WildberriesClient:
    return WildberriesClient(
        sandbox.base_url,
        token,
        timeout=3.0,
        statistics_url=f"{sandbox.base_url}/statistics-api",
        finance_url=f"{sandbox.base_url}/finance-api",
    )


@pytest.fixture
def wb(wb_sandbox: WbSandbox) -> Iterator[WildberriesClient]:
    with client(wb_sandbox) as found:
        yield found


def ordered(number: str, product: Any, at: str, quantity: int = 1) -> dict[str, Any]:
    return {
        "number": number,
        "sku": str(product.wb_chrt_id),
        "article": product.article,
        "price": product.price_kopecks,
        "quantity": quantity,
        "at": at,
    }


ORDERS = [
    ordered("4001", SHIRT, "2026-10-03T09:00:00Z"),
    ordered("4002", MUG, "2026-10-05T10:30:00Z", quantity=2),
    ordered("4003", SOCKS, "2026-10-12T14:00:00Z"),
]


def make_month(sandbox: WbSandbox, **given: Any) -> dict[str, Any]:
    body = {
        "start": START.isoformat(),
        "days": 30,
        "seed": 7,
        "fbo_per_day": 3,
        "orders": ORDERS,
        "returns": ["4002"],
        "difference": "",
        **given,
    }
    return sandbox.control("POST", "sales", body).json()


def control_totals(sandbox: WbSandbox, start: date, end: date) -> dict[str, int]:
    return sandbox.control("GET", f"realization?from={start}&to={end}").json()


def totals(lines: list[RealizationRow]) -> dict[str, int]:
    return {
        "rows": len(lines),
        "sale_amount": sum(line.amount for line in lines if line.kind == "sale"),
        "return_amount": sum(line.amount for line in lines if line.kind == "return"),
        "commission": sum(line.commission for line in lines),
        "logistics": sum(line.logistics for line in lines),
        "other": sum(line.other for line in lines),
        "payout": sum(line.payout for line in lines),
    }


def of(rows: list[Any], **wanted: Any) -> list[Any]:
    return [row for row in rows if all(getattr(row, k) == v for k, v in wanted.items())]


# --- sales statistics ---------------------------------------------------------------------------


def test_orders_sales_and_returns_carry_the_srid_of_our_orders(
    wb_sandbox: WbSandbox, wb: WildberriesClient
) -> None:
    made = make_month(wb_sandbox)
    rows = wb.sales_since(SINCE)
    shirt = made["srids"]["4001"]
    assert of(rows, order_number=shirt, kind="order") == [
        SaleRow(
            f"{shirt}:order",
            "order",
            datetime(2026, 10, 3, 9, tzinfo=UTC),
            shirt,
            "fbs",
            "",
            SHIRT.article,
            SHIRT.barcodes[0],
            str(SHIRT.wb_nm_id),
            1,
            SHIRT.price_kopecks,
        )
    ]
    assert [row.kind for row in of(rows, order_number=shirt)] == ["order", "sale"]
    mug = made["srids"]["4002"]  # two units: a row each, the second srid WB's own
    assert {row.kind for row in rows if row.order_number.startswith(mug)} == {
        "order",
        "sale",
        "return",
    }
    assert len(of(rows, order_number=mug, kind="return")) == 1
    assert all(row.amount > 0 and row.quantity == 1 for row in rows)


def test_an_order_made_by_the_sandbox_is_read_with_its_rid(
    wb_sandbox: WbSandbox, wb: WildberriesClient
) -> None:
    """WB: ``srid`` equals the assembly order's ``rid``, one of our order's numbers."""
    (order_id,) = wb_sandbox.add_cart((SHIRT.article, 1))
    now = datetime.now(UTC)
    rid = next(
        o["rid"] for o in wb.orders(now - timedelta(days=1), now) if str(o["id"]) == order_id
    )
    made = make_month(wb_sandbox, orders=[ordered(order_id, SHIRT, "2026-10-04T08:00:00Z")])
    assert made["srids"] == {order_id: rid}
    assert {row.kind for row in wb.sales_since(SINCE) if row.order_number == rid} == {
        "order",
        "sale",
    }


def test_fbo_rows_and_cancelled_orders(wb_sandbox: WbSandbox, wb: WildberriesClient) -> None:
    make_month(wb_sandbox)
    rows = wb.sales_since(SINCE)
    fbo = of(rows, scheme="fbo")
    assert len(of(fbo, kind="order")) == 30 * 3
    cancels = of(fbo, kind="cancel")
    assert cancels, "one FBO order in ten is cancelled"
    for cancel in cancels:
        (order,) = of(rows, order_number=cancel.order_number, kind="order")
        assert order.at < cancel.at
        assert not of(rows, order_number=cancel.order_number, kind="sale")


def test_the_statistics_are_read_page_by_page(
    wb_sandbox: WbSandbox, wb: WildberriesClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_month(wb_sandbox)
    whole = wb.sales_since(SINCE)
    wb_sandbox.app.config["SANDBOX_WB_STATISTICS_PAGE_ROWS"] = 7
    monkeypatch.setattr(wb_reports, "STATISTICS_PAGE_ROWS", 7)
    paged = wb.sales_since(SINCE)
    assert sorted(paged, key=lambda row: row.row_id) == sorted(whole, key=lambda row: row.row_id)
    late = wb.sales_since(datetime(2026, 10, 20, tzinfo=UTC))
    assert late and all(row.at >= datetime(2026, 10, 19, tzinfo=UTC) for row in late)
    assert len(late) < len(whole)


def test_flag_one_gives_the_rows_of_one_day(wb_sandbox: WbSandbox) -> None:
    make_month(wb_sandbox)
    answer = wb_sandbox.http.get(
        f"{wb_sandbox.base_url}{SALES}", params={"dateFrom": "2026-10-10", "flag": 1}, headers=AUTH
    )
    assert answer.status_code == 200
    assert answer.json() and {row["date"][:10] for row in answer.json()} == {"2026-10-10"}


def test_a_statistics_request_without_date_from_is_refused_as_wb_does(
    wb_sandbox: WbSandbox,
) -> None:
    answer = wb_sandbox.http.get(f"{wb_sandbox.base_url}{SALES}", headers=AUTH)
    assert answer.status_code == 400
    assert answer.json() == example("wb", "statistics_date_from_required")
    bad = wb_sandbox.http.get(
        f"{wb_sandbox.base_url}{SALES}", params={"dateFrom": "yesterday"}, headers=AUTH
    )
    assert bad.json() == example("wb", "statistics_date_from_not_validated")


# --- the realization report ----------------------------------------------------------------------


def test_the_report_totals_equal_the_sandboxs_own(
    wb_sandbox: WbSandbox, wb: WildberriesClient
) -> None:
    made = make_month(wb_sandbox)
    lines = wb.realization(START, END)
    assert totals(lines) == control_totals(wb_sandbox, START, END)
    assert made["rows"] == len(lines)
    first_week = wb.realization(START, date(2026, 10, 7))
    assert totals(first_week) == control_totals(wb_sandbox, START, date(2026, 10, 7))
    assert 0 < len(first_week) < len(lines)


def test_the_report_is_read_page_by_page(
    wb_sandbox: WbSandbox, wb: WildberriesClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_month(wb_sandbox)
    whole = wb.realization(START, END)
    monkeypatch.setattr(wb_reports, "REALIZATION_PAGE", 9)
    assert sorted(wb.realization(START, END), key=lambda line: line.row_id) == sorted(
        whole, key=lambda line: line.row_id
    )
    daily = wb.realization(START, END, period="daily")
    assert totals(daily) == totals(whole)
    assert {line.row_id for line in daily}.isdisjoint(line.row_id for line in whole)


def test_signs_of_sales_returns_and_charges(wb_sandbox: WbSandbox, wb: WildberriesClient) -> None:
    make_month(wb_sandbox)
    lines = wb.realization(START, END)
    (sale,) = of(lines, order_number="4002", kind="sale")
    (back,) = of(lines, order_number="4002", kind="return")
    price = MUG.price_kopecks * 2
    assert (sale.amount, back.amount) == (price, -price)
    assert sale.quantity == back.quantity == 2
    assert sale.commission > 0 and back.commission == -sale.commission
    assert back.payout == -sale.payout < 0
    assert sale.scheme == back.scheme == "fbs"
    assert sale.at < back.at
    logistics = of(lines, order_number="4002", kind="charge")
    assert len(logistics) == 2  # to the buyer and back
    assert all(line.logistics > 0 and line.payout == -line.logistics for line in logistics)
    assert {line.note for line in logistics} == {
        "Логистика (К клиенту при продаже)",
        "Логистика (От клиента при возврате)",
    }
    storage = [line for line in lines if line.note == "Хранение"]
    assert len(storage) == 5 and all(line.order_number == "" for line in storage)
    assert all(line.other > 0 and line.payout == -line.other for line in storage)
    fines = [line for line in lines if line.note.startswith("Штраф")]
    assert [line.other for line in fines] == [50_000]
    for line in lines:
        assert line.payout == line.amount - line.commission - line.logistics - line.other


def test_an_amount_difference_is_on_one_listed_sale(
    wb_sandbox: WbSandbox, wb: WildberriesClient
) -> None:
    made = make_month(wb_sandbox, difference="amount")
    assert made["difference"] == {"order_number": "4001", "kind": "amount"}
    lines = wb.realization(START, END)
    (shirt,) = of(lines, order_number="4001", kind="sale")
    assert shirt.amount == SHIRT.price_kopecks + 10_000
    (socks,) = of(lines, order_number="4003", kind="sale")
    assert socks.amount == SOCKS.price_kopecks


def test_an_unknown_difference_is_a_sale_of_an_order_nobody_listed(
    wb_sandbox: WbSandbox, wb: WildberriesClient
) -> None:
    made = make_month(wb_sandbox, difference="unknown")
    unknown = made["difference"]["order_number"]
    assert made["difference"]["kind"] == "unknown" and unknown not in {"4001", "4002", "4003"}
    lines = wb.realization(START, END)
    listed = {line.order_number for line in of(lines, scheme="fbs", kind="sale")}
    assert listed == {"4001", "4002", "4003", unknown}


def test_the_same_seed_makes_the_same_month(wb_sandbox: WbSandbox) -> None:
    first = make_month(wb_sandbox)
    first_totals = control_totals(wb_sandbox, START, END)
    assert make_month(wb_sandbox) == first  # and replaces the month made before
    assert control_totals(wb_sandbox, START, END) == first_totals
    make_month(wb_sandbox, seed=8)
    assert control_totals(wb_sandbox, START, END) != first_totals
    wb_sandbox.control("POST", "reset")
    assert control_totals(wb_sandbox, START, END)["rows"] == 0


def test_a_report_line_has_the_references_fields_and_types(wb_sandbox: WbSandbox) -> None:
    make_month(wb_sandbox)
    answer = wb_sandbox.http.post(
        f"{wb_sandbox.base_url}{DETAILED}",
        json={"dateFrom": "2026-10-01", "dateTo": "2026-10-30"},
        headers=AUTH,
    )
    reference = example("wb", "sales_report_line")
    optional = {"bonusTypeName", "kiz", "rebillLogisticOrg", "agencyVat"}
    for line in answer.json():
        assert set(reference) - optional <= set(line) <= set(reference)
        for key, value in line.items():
            assert _json_type(value) == _json_type(reference[key]), key


def test_an_empty_window_is_204_and_no_lines(wb_sandbox: WbSandbox, wb: WildberriesClient) -> None:
    make_month(wb_sandbox)
    answer = wb_sandbox.http.post(
        f"{wb_sandbox.base_url}{DETAILED}",
        json={"dateFrom": "2025-01-01", "dateTo": "2025-01-31"},
        headers=AUTH,
    )
    assert answer.status_code == 204
    assert wb.realization(date(2025, 1, 1), date(2025, 1, 31)) == []


def test_a_report_request_without_date_to_is_refused_as_wb_does(wb_sandbox: WbSandbox) -> None:
    answer = wb_sandbox.http.post(
        f"{wb_sandbox.base_url}{DETAILED}", json={"dateFrom": "2026-10-01"}, headers=AUTH
    )
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["detail"] == example("wb", "sales_report_400")["detail"]


# --- limits and errors ------------------------------------------------------------------------


def test_a_429_is_waited_out_once(wb_sandbox: WbSandbox, wb: WildberriesClient) -> None:
    make_month(wb_sandbox)
    expected = wb.realization(START, END)
    wb_sandbox.faults("429", retry_after=0.2)
    assert wb.realization(START, END) == expected
    wb_sandbox.faults("429", retry_after=0.2)
    assert wb.sales_since(SINCE)


def test_one_call_a_minute(
    wb_sandbox: WbSandbox, wb: WildberriesClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sales and the report: one call a minute; past it WB answers 429 with the wait."""
    wb_sandbox.app.config["SANDBOX_REPORT_LIMITS"] = True
    params = {"dateFrom": "2026-10-01"}
    url = f"{wb_sandbox.base_url}{SALES}"
    assert wb_sandbox.http.get(url, params=params, headers=AUTH).status_code == 200
    refused = wb_sandbox.http.get(url, params=params, headers=AUTH)
    assert refused.status_code == 429
    assert float(refused.headers["X-Ratelimit-Retry"]) > 50
    monkeypatch.setattr(wb_reports, "LONGEST_STATISTICS_WAIT", 1.0)
    with pytest.raises(TransientError) as caught:
        wb.sales_since(SINCE)
    assert caught.value.retry_after is not None and caught.value.retry_after > 50
    wb.realization(START, END)  # the report has a minute of its own
    with pytest.raises(TransientError):
        wb.realization(START, END)


def test_a_server_error_is_transient(wb_sandbox: WbSandbox, wb: WildberriesClient) -> None:
    wb_sandbox.faults("500")
    with pytest.raises(TransientError):
        wb.realization(START, END)
    wb_sandbox.faults("500")
    with pytest.raises(TransientError):
        wb.sales_since(SINCE)


def test_a_refused_token_is_an_auth_error(wb_sandbox: WbSandbox) -> None:
    with client(wb_sandbox, token="wrong") as wb, pytest.raises(AuthError):
        wb.sales_since(SINCE)
    with client(wb_sandbox, token="wrong") as wb, pytest.raises(AuthError):
        wb.realization(START, END)


# --- WB's own examples -------------------------------------------------------------------------


def test_the_statistics_examples_read_as_wb_documents_them() -> None:
    orders, sales = example("wb", "statistics_orders"), example("wb", "statistics_sales")
    answers = {
        ("GET", wb_reports.ORDERS_PATH): (200, orders["rows"]),
        ("GET", wb_reports.SALES_PATH): (200, sales["rows"]),
    }
    with replaying(answers) as replay, reference_client(replay.url) as wb:
        rows = wb.sales_since(datetime(2022, 3, 1, tzinfo=UTC))
    srid = "11.rf9ef11fce1684117b0nhj96222982382.3.0"
    keys: dict[str, Any] = {"scheme": "fbs", "article": "12345", "barcode": "123453559000"}
    keys |= {"marketplace_id": "1234567", "quantity": 1, "amount": 114_500}
    assert sorted(rows, key=lambda row: row.row_id) == [
        # isCancel: the order and its cancellation (Moscow times, read as UTC)
        SaleRow(f"{srid}:cancel", "cancel", datetime(2022, 3, 8, 21, tzinfo=UTC), srid, **keys),
        SaleRow(
            f"{srid}:order", "order", datetime(2022, 3, 4, 15, 8, 31, tzinfo=UTC), srid, **keys
        ),
        SaleRow(f"{srid}:sale", "sale", datetime(2022, 3, 4, 15, 8, 31, tzinfo=UTC), srid, **keys),
    ]
    dates = {call[2]["dateFrom"] for call in replay.calls}
    assert dates == {"2022-03-01T03:00:00"}  # Moscow time, no offset


def test_the_report_example_reads_with_the_payout_identity() -> None:
    line = example("wb", "sales_report_line")
    answers = {("POST", wb_reports.DETAILED_PATH): (200, [line])}
    with replaying(answers) as replay, reference_client(replay.url) as wb:
        (row,) = wb.realization(date(2026, 3, 16), date(2026, 3, 22))
    # retailAmount 367, forPay 376.99 (WB paid more than it sold for: its commission is
    # negative), rebillLogisticCost 1.349, penalty 231.35, paidStorage 12647.29,
    # deduction 6354, paidAcceptance 865
    assert row == RealizationRow(
        row_id="1232610467",
        kind="sale",
        at=datetime(2026, 3, 21, tzinfo=UTC),
        order_number="2816993144",
        scheme="fbs",
        article="MAB123",
        barcode="1231312352310",
        marketplace_id="1234567",
        quantity=1,
        amount=36_700,
        commission=-999,
        logistics=135,
        other=23_135 + 1_264_729 + 635_400 + 86_500,
        payout=37_699 - 135 - 2_009_764,
        note="Продажа (Штраф МП. Невыполненный заказ (отмена клиентом после недовоза))",
    )
    (call,) = replay.calls
    assert call[3]["dateFrom"] == "2026-03-16" and call[3]["dateTo"] == "2026-03-22"
    assert call[3]["rrdId"] == 0 and set(call[3]["fields"]) <= set(line)


def test_wbs_error_examples_are_our_errors() -> None:
    refused = example("wb", "statistics_date_from_required")
    answers = {
        ("GET", wb_reports.ORDERS_PATH): (400, refused),
        ("POST", wb_reports.DETAILED_PATH): (401, example("wb", "unauthorized")),
    }
    with replaying(answers) as replay, reference_client(replay.url) as wb:
        with pytest.raises(RejectedError, match="dateFrom: field required"):
            wb.sales_since(SINCE)
        with pytest.raises(AuthError):
            wb.realization(START, END)


def test_a_204_is_no_lines() -> None:
    answers = {("POST", wb_reports.DETAILED_PATH): (204, None)}
    with replaying(answers) as replay, reference_client(replay.url) as wb:
        assert wb.realization(START, END) == []


def test_the_hosts_beside_the_marketplace_api() -> None:
    production, sandbox = (
        "https://marketplace-api.wildberries.ru",
        "https://marketplace-api-sandbox.wildberries.ru",
    )
    assert wb_statistics_url(production, {}) == "https://statistics-api.wildberries.ru"
    assert wb_statistics_url(sandbox, {}) == "https://statistics-api-sandbox.wildberries.ru"
    assert wb_finance_url(production, {}) == "https://finance-api.wildberries.ru"
    given = {"statistics_url": " http://x/sandbox/wb/statistics-api ", "finance_url": "http://y"}
    assert wb_statistics_url(production, given) == "http://x/sandbox/wb/statistics-api"
    assert wb_finance_url(production, given) == "http://y"


# --- helpers -------------------------------------------------------------------------------------


def reference_client(url: str) -> WildberriesClient:
    return WildberriesClient(url, "token", timeout=3.0, statistics_url=url, finance_url=url)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Number):
        return "number"
    return type(value).__name__
