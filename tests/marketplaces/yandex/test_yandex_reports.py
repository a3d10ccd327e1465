"""Yandex Market sales statistics and the realization report: the connector against the
sandbox (``getOrdersStats``, ``generateGoodsRealizationReport``,
``generateUnitedMarketplaceServicesReport``, ``getReportInfo``) and against answers shaped
as the partner API's reference shows them; the sandbox itself as the reference shapes it."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from tests.marketplaces.yandex import reference
from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces import yandex_reports
from warehouse.marketplaces.base import (
    AuthError,
    MarketplaceError,
    RealizationRow,
    TransientError,
)
from warehouse.marketplaces.yandex import YandexClient
from warehouse.marketplaces.yandex_reports import MARKET_TZ

if TYPE_CHECKING:
    from tests.marketplaces.yandex.conftest import Replay, YmSandbox

SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]
FBY = 2
TODAY = datetime.now(MARKET_TZ).date()
START = TODAY - timedelta(days=45)  # every generated event is in the past


@pytest.fixture(autouse=True)
def _no_report_limits(ym_sandbox: YmSandbox) -> None:
    """The generators' 1 call in 2 minutes is tested on its own."""
    ym_sandbox.app.config["SANDBOX_REPORT_LIMITS"] = False


def client(sandbox: YmSandbox, *, fby: int | None = FBY, key: str = "sandbox") -> YandexClient:
    return YandexClient(
        sandbox.base_url, key, 1, 1, timeout=3.0, fby_campaign_id=fby, report_poll_seconds=0
    )


def listed(number: int, product: Any, day: int, quantity: int = 1) -> dict[str, Any]:
    at = datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC)
    return {
        "number": str(number),
        "sku": product.article,
        "article": product.article,
        "price": product.price_kopecks,
        "quantity": quantity,
        "at": (at + timedelta(hours=9)).isoformat(),
    }


ORDERS = [listed(52_000_101, SHIRT, 1), listed(52_000_102, MUG, 2, 2), listed(52_000_103, MUG, 5)]


def make_sales(sandbox: YmSandbox, **extra: Any) -> dict[str, Any]:
    body = {
        "start": START.isoformat(),
        "days": 10,
        "seed": 7,
        "fbo_per_day": 3,
        "orders": ORDERS,
        "returns": ["52000103"],
        **extra,
    }
    return sandbox.control("POST", "sales", body).json()


def sums(rows: list[RealizationRow]) -> dict[str, int]:
    return {
        "rows": len(rows),
        "sale_amount": sum(r.amount for r in rows if r.kind == "sale"),
        "return_amount": sum(r.amount for r in rows if r.kind == "return"),
        "commission": sum(r.commission for r in rows),
        "logistics": sum(r.logistics for r in rows),
        "other": sum(r.other for r in rows),
        "payout": sum(r.payout for r in rows),
    }


# --- sales statistics --------------------------------------------------------------------------


def test_sales_of_both_shops_come_page_by_page(
    ym_sandbox: YmSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yandex_reports, "STATS_PAGE", 7)
    make_sales(ym_sandbox)
    with client(ym_sandbox) as ym:
        rows = ym.sales_since(datetime.combine(START, datetime.min.time(), UTC))
    fbs = [row for row in rows if row.scheme == "fbs"]
    fbo = [row for row in rows if row.scheme == "fbo"]
    assert sorted((r.order_number, r.kind) for r in fbs) == [
        ("52000101", "order"),
        ("52000101", "sale"),
        ("52000102", "order"),
        ("52000102", "sale"),
        ("52000103", "order"),
        ("52000103", "return"),
    ]
    mugs = next(r for r in fbs if r.order_number == "52000102" and r.kind == "sale")
    assert (mugs.sku, mugs.quantity, mugs.amount) == (MUG.article, 2, 2 * MUG.price_kopecks)
    assert mugs.marketplace_id and mugs.at.tzinfo is not None
    assert len({r.order_number for r in fbo}) == 30  # 3 a day for 10 days: several pages
    assert {r.kind for r in fbo} <= {"order", "sale", "return"}
    assert len({r.row_id for r in rows}) == len(rows)


def test_only_orders_changed_since_are_read(ym_sandbox: YmSandbox) -> None:
    make_sales(ym_sandbox)
    with client(ym_sandbox) as ym:
        assert ym.sales_since(datetime.now(UTC)) == []


def test_a_420_is_waited_out_once_and_a_5xx_is_transient(ym_sandbox: YmSandbox) -> None:
    make_sales(ym_sandbox, fbo_per_day=0)
    ym_sandbox.faults("429", retry_after=1)
    since = datetime.combine(START, datetime.min.time(), UTC)
    with client(ym_sandbox, fby=None) as ym:
        began = time.monotonic()
        assert len(ym.sales_since(since)) == 6
        assert time.monotonic() - began >= 0.5
        ym_sandbox.faults("500")
        with pytest.raises(TransientError):
            ym.sales_since(since)


def test_a_refused_key_is_an_auth_error(ym_sandbox: YmSandbox) -> None:
    with client(ym_sandbox, key="wrong") as ym:
        with pytest.raises(AuthError):
            ym.sales_since(datetime.now(UTC))
        with pytest.raises(AuthError):
            ym.realization(TODAY, TODAY)


# --- the realization report --------------------------------------------------------------------


def test_realization_adds_up_to_the_sandbox_totals(ym_sandbox: YmSandbox) -> None:
    made = make_sales(ym_sandbox)
    first, last = START, START + timedelta(days=40)  # two or three months
    with client(ym_sandbox) as ym:
        rows = ym.realization(first, last)
    expected = ym_sandbox.control(
        "GET", f"realization?from={first.isoformat()}&to={last.isoformat()}"
    ).json()
    assert sums(rows) == expected
    assert expected["rows"] == made["rows"] and made["difference"] is None
    assert len({row.row_id for row in rows}) == len(rows)
    back = [row for row in rows if row.kind == "return"]
    assert back and all(r.amount < 0 and r.payout == r.amount for r in back)
    assert any(r.order_number == "52000103" for r in back)
    sales = [row for row in rows if row.kind == "sale"]
    assert all(r.amount > 0 and r.payout == r.amount and r.quantity > 0 for r in sales)
    charges = [row for row in rows if row.kind == "charge"]
    assert all(r.payout == -(r.commission + r.logistics + r.other) for r in charges)
    assert all(r.commission >= 0 and r.logistics >= 0 and r.other >= 0 for r in charges)
    storage = [r for r in charges if r.note == "paid_storage_after_01-06-22"]
    assert storage and all(
        r.other > 0 and r.scheme == "fbo" and not r.order_number for r in storage
    )
    subscriptions = [r for r in charges if r.note == "Подписка «Медиум»"]
    months = {(START + timedelta(days=day)).month for day in range(10)}  # one a month
    assert len(subscriptions) == len(months)
    assert all(r.scheme == "fbs" and r.other > 0 for r in subscriptions)
    fees = {r.note for r in charges if r.order_number == "52000101"}
    assert fees == {"Размещение товаров на витрине", "Доставка покупателю", "payment_transfer"}


def test_the_window_cuts_the_lines(ym_sandbox: YmSandbox) -> None:
    make_sales(ym_sandbox)
    first = last = START + timedelta(days=6)
    with client(ym_sandbox) as ym:
        rows = ym.realization(first, last)
    expected = ym_sandbox.control("GET", f"realization?from={first}&to={last}").json()
    assert sums(rows) == expected and expected["rows"] > 0
    day_start = datetime.combine(first, datetime.min.time(), MARKET_TZ)
    assert all(day_start <= r.at < day_start + timedelta(days=1) for r in rows)


def test_the_differences_show(ym_sandbox: YmSandbox) -> None:
    made = make_sales(ym_sandbox, difference="amount", fbo_per_day=0)
    chosen = made["difference"]["order_number"]
    price = next(o["price"] * o["quantity"] for o in ORDERS if o["number"] == chosen)
    with client(ym_sandbox, fby=None) as ym:
        rows = ym.realization(START, START + timedelta(days=30))
    [sale] = [r for r in rows if r.kind == "sale" and r.order_number == chosen]
    assert sale.amount == price + 10_000
    made = make_sales(ym_sandbox, difference="unknown", fbo_per_day=0)
    stranger = made["difference"]["order_number"]
    assert stranger not in {o["number"] for o in ORDERS}
    with client(ym_sandbox, fby=None) as ym:
        rows = ym.realization(START, START + timedelta(days=30))
    assert any(r.kind == "sale" and r.order_number == stranger for r in rows)


def test_no_data_is_no_rows(ym_sandbox: YmSandbox) -> None:
    with client(ym_sandbox) as ym:
        assert ym.realization(date(2020, 1, 1), date(2020, 1, 31)) == []


def test_the_generators_limit_is_waited_out_when_short(
    ym_sandbox: YmSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both shops' realization reports one after the other: the second waits its turn."""
    make_sales(ym_sandbox, fbo_per_day=1)
    ym_sandbox.app.config.update(SANDBOX_REPORT_LIMITS=True, SANDBOX_YANDEX_REPORT_SECONDS=1)
    day = START + timedelta(days=6)
    with client(ym_sandbox) as ym:
        began = time.monotonic()
        rows = ym.realization(day, day)
    assert time.monotonic() - began >= 0.5
    assert sums(rows) == ym_sandbox.control("GET", f"realization?from={day}&to={day}").json()
    ym_sandbox.app.config["SANDBOX_YANDEX_REPORT_SECONDS"] = 120
    monkeypatch.setattr(yandex_reports, "LONGEST_REPORT_WAIT", 5.0)
    with client(ym_sandbox) as ym, pytest.raises(TransientError) as caught:
        ym.realization(day, day)
    assert caught.value.retry_after is not None and caught.value.retry_after > 100


# --- against the reference's own shapes ----------------------------------------------------------


@pytest.fixture
def replayed(ym_replay: tuple[Replay, YandexClient]) -> Iterator[tuple[Replay, YandexClient]]:
    replay, _slow = ym_replay
    with YandexClient(replay.base_url, "key", 1, 1, timeout=2.0, report_poll_seconds=0) as ym:
        yield replay, ym


def test_statistics_rows_from_the_reference_shapes(replayed: tuple[Replay, YandexClient]) -> None:
    replay, ym = replayed
    delivered = reference.stats_order(11, "DELIVERED", [reference.stats_item("MUG-01", 2, 450.5)])
    returned = reference.stats_order(
        12,
        "PARTIALLY_RETURNED",
        [reference.stats_item("MUG-01", 3, 100, returned=1)],
        updated="2025-01-09T10:00:00",
    )
    cancelled = reference.stats_order(
        13, "CANCELLED_IN_DELIVERY", [reference.stats_item("SOCKS-1", 0, 300, initial=2)]
    )
    replay.answer(reference.stats_page(delivered, returned, next_token="next"))
    replay.answer(reference.stats_page(cancelled))

    rows = {(r.order_number, r.kind): r for r in ym.sales_since(datetime(2025, 1, 1, tzinfo=UTC))}

    assert sorted(rows) == [
        ("11", "order"),
        ("11", "sale"),
        ("12", "order"),
        ("12", "return"),
        ("13", "cancel"),
        ("13", "order"),
    ]
    assert (rows["11", "sale"].quantity, rows["11", "sale"].amount) == (2, 90_100)
    assert rows["11", "sale"].at == datetime(2025, 1, 1, tzinfo=UTC)
    assert (rows["12", "return"].quantity, rows["12", "return"].amount) == (1, 10_000)
    assert rows["12", "return"].at == datetime(2025, 1, 9, 7, tzinfo=UTC)  # Moscow time
    assert rows["13", "cancel"].quantity == rows["13", "order"].quantity == 2
    assert rows["11", "order"].at == datetime(2024, 12, 31, 21, tzinfo=UTC)
    first, second = replay.requests
    assert first["path"] == "/v2/campaigns/1/stats/orders"
    assert first["args"] == {"limit": "200"}
    assert first["json"]["updateFrom"] == "2025-01-01" and "dateFrom" not in first["json"]
    assert second["args"] == {"limit": "200", "page_token": "next"}


def _zip(sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for sheet, rows in sheets.items():
            archive.writestr(
                f"{sheet}.json", json.dumps(rows if sheet == "returned" else {"rows": rows})
            )
    return buffer.getvalue()


def test_realization_rows_from_the_reference_columns(replayed: tuple[Replay, YandexClient]) -> None:
    """Rows named as the report pages name the JSON columns; a file of a list or of
    ``{rows}`` alike; lines outside the window left out."""
    replay, ym = replayed
    goods = {
        "delivered": [
            {
                "orderId": 11,
                "yourSku": "MUG-01",
                "shopSku": "MUG-01",
                "offerName": "Кружка",
                "deliveredCount": 2,
                "deliveryDate": "2025-01-10",
                "priceWithVatAndAllDiscounts": 450.5,
                "deliveredPriceSumWithVatAndDiscounts": 901,
            },
            {
                "orderId": 19,
                "yourSku": "MUG-01",
                "deliveredCount": 1,
                "deliveryDate": "2025-02-01",
                "deliveredPriceSumWithVatAndDiscounts": 450,
            },
        ],
        "returned": [
            {
                "orderId": 12,
                "yourSku": "MUG-01",
                "returnedCount": 1,
                "deliveryDate": "2025-01-05",
                "returnWarehouseOrScAcceptDate": "15.01.2025",
                "priceWithVatAndAllDiscounts": 100,
            },
        ],
        "unredeemed": [{"orderId": 13, "yourSku": "MUG-01", "unredeemedCount": 1}],
        "lost_items": [
            {
                "orderId": 14,
                "yourSku": "MUG-01",
                "compensationDate": "2025-01-20",
                "compensationAmount": "300.00",
            },
        ],
    }
    services = {
        "placement": [
            {
                "placementModel": "FBS",
                "orderId": 11,
                "shopSku": "MUG-01",
                "serviceName": "Размещение товаров на витрине",
                "serviceDateTime": "2025-01-10T12:00:00",
                "totalAmount": 90.1,
            },
        ],
        "delivery": [
            {
                "placementModel": "FBS",
                "orderId": 11,
                "shopSku": "MUG-01",
                "serviceName": "Доставка покупателю",
                "serviceDateTime": "2025-01-31 23:30:00",
                "servicePrice": 150,
            },
        ],
        "paid_storage_after_01-06-22": [
            {
                "placementModel": "FBY",
                "shopSku": "MUG-01",
                "serviceDate": "2025-01-07",
                "paidStorage": 12.5,
            },
        ],
        "expropriation": [
            {
                "orderNumber": 15,
                "sku": "MUG-01",
                "service": "Вознаграждение",
                "dateTime": "2025-01-11T10:00:00",
                "fullPrice": -20,
            },
        ],
    }
    file = f"{replay.base_url}/files/report.zip"
    for made, content in (("r1", _zip(goods)), ("s1", _zip(services))):
        replay.answer(reference.report_made(made))
        replay.answer(reference.report_info("PROCESSING"))
        replay.answer(reference.report_info("DONE", file=file))
        replay.answer(content)

    rows = ym.realization(date(2025, 1, 1), date(2025, 1, 31))

    found = {(r.kind, r.order_number, r.note): r for r in rows}
    sale = found["sale", "11", "Кружка"]
    assert (sale.amount, sale.payout, sale.quantity) == (90_100, 90_100, 2)
    assert sale.at == datetime(2025, 1, 9, 21, tzinfo=UTC)
    back = next(r for r in rows if r.kind == "return")
    assert (back.order_number, back.amount, back.payout) == ("12", -10_000, -10_000)
    assert back.at == datetime(2025, 1, 14, 21, tzinfo=UTC)
    lost = found["charge", "14", "компенсация"]
    assert (lost.other, lost.payout) == (-30_000, 30_000)
    placement = found["charge", "11", "Размещение товаров на витрине"]
    assert (placement.commission, placement.payout, placement.scheme) == (9_010, -9_010, "fbs")
    assert found["charge", "11", "Доставка покупателю"].logistics == 15_000
    storage = found["charge", "", "paid_storage_after_01-06-22"]
    assert (storage.other, storage.scheme, storage.sku) == (1_250, "fbo", "MUG-01")
    reward = found["charge", "15", "Вознаграждение"]
    assert (reward.commission, reward.payout) == (-2_000, 2_000)
    assert "19" not in {r.order_number for r in rows} and len(rows) == 7
    made_calls = [r for r in replay.requests if r["path"].endswith("/generate")]
    assert made_calls[0]["json"] == {"campaignId": 1, "year": 2025, "month": 1}
    assert made_calls[0]["args"] == {"format": "JSON"}
    assert made_calls[1]["path"] == "/v2/reports/united-marketplace-services/generate"
    assert made_calls[1]["json"] == {
        "businessId": 1,
        "dateFrom": "2025-01-01",
        "dateTo": "2025-01-31",
        "campaignIds": [1],
    }
    assert replay.requests[2]["path"] == "/v2/reports/info/r1"


def test_a_failed_report_is_transient_and_no_data_empty(
    replayed: tuple[Replay, YandexClient],
) -> None:
    replay, ym = replayed
    replay.answer(reference.report_made())
    replay.answer(reference.report_info("FAILED", sub="TOO_LARGE"))
    with pytest.raises(TransientError, match="TOO_LARGE"):
        ym.realization(date(2025, 1, 1), date(2025, 1, 31))
    replay.answer(reference.report_made())
    replay.answer(reference.report_info("FAILED", sub="NO_DATA"))
    replay.answer(reference.report_made())
    replay.answer(reference.report_info("DONE", sub="NO_DATA"))
    assert ym.realization(date(2025, 1, 1), date(2025, 1, 31)) == []


# --- the sandbox as the reference shapes it ------------------------------------------------------


def test_statistics_requests_are_checked(ym_sandbox: YmSandbox) -> None:
    path = "/v2/campaigns/1/stats/orders"
    both = {"dateFrom": "2025-01-01", "updateFrom": "2025-01-01"}
    assert ym_sandbox.call("POST", path, json=both).status_code == 400
    assert ym_sandbox.call("POST", path, params={"limit": 201}, json={}).status_code == 400
    assert ym_sandbox.call("POST", "/v2/campaigns/3/stats/orders", json={}).status_code == 403
    answer = ym_sandbox.call("POST", "/v2/campaigns/2/stats/orders", json={})
    assert answer.json() == {"status": "OK", "result": {"orders": []}}


def test_report_requests_are_checked(ym_sandbox: YmSandbox) -> None:
    realization = "/v2/reports/goods-realization/generate"
    services = "/v2/reports/united-marketplace-services/generate"
    assert ym_sandbox.call("POST", realization, json={"year": 2025, "month": 1}).status_code == 400
    wrong_shop = {"campaignId": 9, "year": 2025, "month": 1}
    assert ym_sandbox.call("POST", realization, json=wrong_shop).status_code == 403
    odd_format = {"campaignId": 1, "year": 2025, "month": 1}
    assert (
        ym_sandbox.call("POST", realization, params={"format": "PDF"}, json=odd_format).status_code
        == 400
    )
    too_long = {"businessId": 1, "dateFrom": "2025-02-01", "dateTo": "2025-05-01"}
    assert ym_sandbox.call("POST", services, json=too_long).status_code == 400
    longest = {**too_long, "dateTo": "2025-04-30"}
    assert ym_sandbox.call("POST", services, json=longest).status_code == 200
    both = {**longest, "yearFrom": 2025, "monthFrom": 1, "yearTo": 2025, "monthTo": 1}
    assert ym_sandbox.call("POST", services, json=both).status_code == 400
    assert ym_sandbox.call("POST", services, json={**longest, "businessId": 2}).status_code == 403
    missing = ym_sandbox.call("GET", "/v2/reports/info/nope")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NOT_FOUND"


def _made_file(sandbox: YmSandbox, path: str, body: dict[str, Any], form: str) -> bytes:
    report_id = sandbox.call("POST", path, params={"format": form}, json=body).json()["result"]
    looks = [sandbox.call("GET", f"/v2/reports/info/{report_id['reportId']}").json() for _ in "12"]
    assert looks[0]["result"]["status"] == "PROCESSING"
    link = looks[1]["result"]["file"]
    assert link.startswith(sandbox.base_url)  # back at the sandbox, never the internet
    assert sandbox.http.get(link.split("?")[0]).status_code == 403  # the link's own signature
    answer = sandbox.http.get(link)  # no Api-Key
    assert answer.status_code == 200
    return answer.content


def test_report_files_in_every_format(ym_sandbox: YmSandbox) -> None:
    make_sales(ym_sandbox)
    month = START + timedelta(days=10)  # the FBY shop has deliveries in both months
    body = {"campaignId": FBY, "year": month.year, "month": month.month}
    path = "/v2/reports/goods-realization/generate"
    archive = zipfile.ZipFile(io.BytesIO(_made_file(ym_sandbox, path, body, "JSON")))
    assert sorted(archive.namelist()) == [
        "delivered.json",
        "returned.json",
        "transferred_to_delivery.json",
    ]
    delivered = json.loads(archive.read("delivered.json"))["rows"]
    assert delivered and {
        "orderId",
        "deliveredCount",
        "deliveredPriceSumWithVatAndDiscounts",
    } <= set(delivered[0])
    archive = zipfile.ZipFile(io.BytesIO(_made_file(ym_sandbox, path, body, "CSV")))
    header = next(csv.reader(io.StringIO(archive.read("delivered.csv").decode())))
    assert header[:2] == ["ORDER_ID", "YOUR_ORDER_ID"]
    assert "DELIVERED_PRICE_SUM_WITH_VAT_AND_DISCOUNTS" in header
    book = load_workbook(io.BytesIO(_made_file(ym_sandbox, path, body, "FILE")))
    assert book.sheetnames == [
        "Товары, переданные в доставку",
        "Доставленные товары",
        "Возвращенные товары",
    ]
    assert book["Доставленные товары"]["A1"].value == "Заказы/Номер заказа"
    services = {"businessId": 1, "dateFrom": START.isoformat(), "dateTo": TODAY.isoformat()}
    content = _made_file(
        ym_sandbox, "/v2/reports/united-marketplace-services/generate", services, "JSON"
    )
    placement = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("placement.json"))["rows"]
    assert placement and placement[0]["serviceName"] == "Размещение товаров на витрине"


def test_a_report_without_lines_says_no_data(ym_sandbox: YmSandbox) -> None:
    body = {"campaignId": 1, "year": 2020, "month": 1}
    made = ym_sandbox.call("POST", "/v2/reports/goods-realization/generate", json=body).json()
    path = f"/v2/reports/info/{made['result']['reportId']}"
    ym_sandbox.call("GET", path)
    done = ym_sandbox.call("GET", path).json()["result"]
    assert (done["status"], done["subStatus"]) == ("DONE", "NO_DATA") and "file" not in done


def test_the_control_body_is_checked(ym_sandbox: YmSandbox) -> None:
    bad = [
        {"start": "not a date"},
        {"start": START.isoformat(), "orders": [{**ORDERS[0], "number": "WB-1"}]},
        {"start": START.isoformat(), "orders": [ORDERS[0], ORDERS[0]]},
        {"start": START.isoformat(), "difference": "price"},
    ]
    for body in bad:
        answer = ym_sandbox.http.post(f"{ym_sandbox.base_url}/_control/sales", json=body)
        assert answer.status_code == 400, body


def test_an_unreadable_line_stops_the_read(replayed: tuple[Replay, YandexClient]) -> None:
    """Money is never skipped: a line whose amount cannot be read fails the whole read."""
    replay, ym = replayed
    odd = {"orderId": 11, "yourSku": "MUG-01", "deliveredCount": 1, "deliveryDate": "2025-01-10"}
    replay.answer(reference.report_made())
    replay.answer(reference.report_info("DONE", file=f"{replay.base_url}/files/r.zip"))
    replay.answer(_zip({"delivered": [{**odd, "deliveredPriceSumWithVatAndDiscounts": "n/a"}]}))
    with pytest.raises(MarketplaceError) as caught:
        ym.realization(date(2025, 1, 1), date(2025, 1, 31))
    assert not isinstance(caught.value, TransientError)
