"""Reports against the marketplaces' sandboxes over HTTP (issue 18's «Done when»): a month of
generated sales per marketplace — our FBS orders among them, a return, FBO sales and
charges the sandbox invents — read by the worker's jobs into the commissioner report, whose
totals must equal the sandbox's own sums of its lines, with the seeded difference found;
the file made by the worker holds the page's figures; the sales statistics are kept."""

from __future__ import annotations

import io
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories as f
from tests.test_price_push import ready_shop
from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import (
    CommissionReport,
    MarketplaceAccount,
    OrderEvent,
    ReportRun,
    Sale,
)
from warehouse.reports import commissioner, periods
from warehouse.reports.periods import Period

# the marketplaces whose API gives a realization report, and the difference seeded in each
SEEDED = {"wb": "amount", "ozon": "unknown", "yandex": "amount"}
WHAT_IS_FOUND = {"amount": "amount", "unknown": "unknown_order"}


def order_number(kind: str, n: int) -> str:
    """A number as each marketplace writes its FBS orders (WB: the assembly order id,
    Ozon: a posting number, YM: the order id)."""
    return {"wb": str(7_000_000 + n), "ozon": f"7000{n:04d}-0001-1", "yandex": str(9_000_000 + n)}[
        kind
    ]


@pytest.fixture
def site(app, live_server, zebra, worker):  # type: ignore[no-untyped-def]
    app.config["SANDBOX_REPORT_LIMITS"] = False
    return ready_shop(app, live_server, zebra, worker)


def _month(app, site, kind: str, period: Period) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """Our delivered orders of the month at ``kind`` and the sandbox's book of them."""
    listed, numbers = [], []
    with app.app_context():
        s = db.session()
        account = s.scalars(select(MarketplaceAccount).where(MarketplaceAccount.kind == kind)).one()
        for n, product in enumerate(PRODUCTS[:5], start=1):
            number = order_number(kind, n)
            order = f.import_order(s, account, number, (product.barcodes[0], 1))
            order.lines[0].price_kopecks = (500 + n * 100) * 100
            order.status = "delivered"
            s.flush()
            at = period.since + timedelta(days=n * 4, hours=10)
            s.execute(
                OrderEvent.__table__.update()
                .where(OrderEvent.order_id == order.id, OrderEvent.to_status == "delivered")
                .values(at=at + timedelta(days=2))
            )
            listed.append(
                {
                    "number": number,
                    "sku": order.lines[0].external_sku or product.article,
                    "article": product.article,
                    "price": order.lines[0].price_kopecks,
                    "quantity": 1,
                    "at": at.isoformat(),
                }
            )
            numbers.append(number)
        s.commit()
        account_id = account.id
    answer = httpx.post(
        f"{site.url}/sandbox/{kind}/_control/sales",
        json={
            "start": period.start.isoformat(),
            "days": (period.end - period.start).days + 1,
            "seed": 18,
            "fbo_per_day": 2,
            "orders": listed,
            "returns": [numbers[-1]],
            "difference": SEEDED[kind],
        },
        timeout=30,
    )
    answer.raise_for_status()
    assert answer.json()["difference"]["kind"] == SEEDED[kind]
    return account_id, numbers


@pytest.mark.parametrize("kind", sorted(SEEDED))
def test_a_month_of_sales_makes_a_commissioner_report_matching_the_sandboxs_own_sums(
    app, site, client, worker, kind
):
    today = periods.today()
    period = Period(today - timedelta(days=29), today)
    account_id, numbers = _month(app, site, kind, period)
    with app.app_context():
        assert jobs.read_commission_report(
            account_id, str(period.start), str(period.end)
        ).startswith("kept")
        s = db.session()
        report = s.scalars(select(CommissionReport)).one()
        ours = commissioner.totals(report).as_dict()
        differences = {(d.kind, d.order_number) for d in commissioner.differences(s, report)}
        matched = {line.order_number for line in report.lines if line.order_id is not None}
    theirs = httpx.get(
        f"{site.url}/sandbox/{kind}/_control/realization",
        params={"from": str(period.start), "to": str(period.end)},
        timeout=10,
    ).json()
    assert ours == {key: theirs[key] for key in ours}
    assert ours["sale_amount"] > 0 and ours["return_amount"] < 0 and ours["commission"] > 0
    assert set(numbers) <= matched  # every order of ours is found in the report
    assert WHAT_IS_FOUND[SEEDED[kind]] in {found for found, _number in differences}
    assert not {found for found, _n in differences} - {"amount", "unknown_order"}

    # the sales statistics of the same month, kept row by row
    with app.app_context():
        assert jobs.read_sales(account_id).startswith("kept")
        s = db.session()
        orders = s.scalar(select(func.count()).select_from(Sale).where(Sale.kind == "order"))
        assert orders and orders >= len(numbers)
        assert (
            s.scalar(select(func.count()).select_from(Sale).where(Sale.product_id.is_(None))) == 0
        )

    # the file made by the worker holds what the page shows
    with app.app_context():
        s = db.session()
        f.make_supervisor(s)
        s.commit()
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302
    form = {"start": str(period.start), "end": str(period.end), "fmt": "xlsx"}
    assert client.post("/reports/commissioner/files", data=form).status_code == 303
    worker()
    with app.app_context():
        run = db.session().scalars(select(ReportRun)).one()
        assert run.status == "done", run.error
        book = load_workbook(io.BytesIO(run.content))
    total = list(book["Итоги"].iter_rows(values_only=True))[-1]
    assert total[3] == ours["sale_amount"] / 100 and total[8] == ours["payout"] / 100
    page = client.get(f"/reports/commissioner?start={period.start}&end={period.end}")
    text = page.get_data(as_text=True)
    payout = ours["payout"]
    sign = "−" if payout < 0 else ""
    whole, part = divmod(abs(payout), 100)
    assert f"{sign}{whole:,}".replace(",", "\xa0") + f",{part:02d}" in text
