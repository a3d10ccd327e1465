"""The reports (#18): each page with its chart and tables, a file made by the worker that
holds the page's figures, stock on a past date from the ledger, sales kept row by row,
the commissioner report matched to our orders; roles, CSRF and ids that are not there."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories as f
from tests.test_price_pages import _xlsx
from warehouse.infra import db
from warehouse.marketplaces.base import RealizationRow, SaleRow
from warehouse.models import (
    CommissionLine,
    FboStockDay,
    OrderEvent,
    ReportRun,
    Sale,
    StockMove,
    utcnow,
)
from warehouse.reports import commissioner, periods, sales, stock_report
from warehouse.reports.periods import Period
from warehouse.reports.tables import no_progress
from warehouse.shipping.handovers import LOCAL

KINDS = ("stock", "work", "sales", "commissioner", "profit", "reorder")


def _desk(app, client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        f.make_supervisor(s)
        account = f.make_account(s, warehouse)
        mug = f.make_product(s, "Кружка", "4600000000011", article="MUG")
        mug.cost_price = 300_00
        s.commit()
        ids = {"account": account.id, "mug": mug.id, "warehouse": warehouse.id}
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302
    return ids


def test_every_report_page_opens_for_a_supervisor_and_not_for_a_picker(app, client):
    _desk(app, client)
    assert client.get("/reports/").status_code == 200
    for kind in KINDS:
        answer = client.get(f"/reports/{kind}")
        assert answer.status_code == 200, kind
    assert client.get("/reports/nothing").status_code == 404
    assert client.get("/reports/files/999999").status_code == 404
    assert client.post("/reports/files/999999/delete").status_code == 404
    client.post("/logout")
    with app.app_context():
        f.make_picker(db.session(), badge="B-77")
        db.session().commit()
    assert client.get("/reports/").status_code in (302, 403)


def test_stock_on_a_past_day_is_todays_less_every_movement_after_it(app, client):
    ids = _desk(app, client)
    yesterday = periods.today() - timedelta(days=1)
    with app.app_context():
        s = db.session()
        from warehouse.models import Product, Warehouse

        warehouse = s.get_one(Warehouse, ids["warehouse"])
        mug = s.get_one(Product, ids["mug"])
        f.put_stock(s, mug, f.make_location(s, warehouse, "A-1"), 10)
        s.flush()
        # the opening was two days ago; today 4 were picked
        s.execute(StockMove.__table__.update().values(created_at=utcnow() - timedelta(days=2)))
        from warehouse.models import Stock
        from warehouse.stock import ledger

        stock = s.scalars(select(Stock)).one()
        ledger.move(s, stock, -4, "pick", document="order 1", user=None)
        s.add(
            FboStockDay(
                day=yesterday,
                account_id=ids["account"],
                product_id=mug.id,
                warehouse_name="Коледино",
                available=7,
                reserved=1,
                incoming=5,
            )
        )
        s.commit()
        with force_locale("en"):
            report = stock_report.build(s, {"day": yesterday.isoformat()}, no_progress)
            today = stock_report.build(s, {"day": periods.today().isoformat()}, no_progress)
            table = report.tables[0]
        assert table.column("scheme") == ["FBO", "FBS"]
        assert table.column("units") == [8, 10]  # yesterday: before today's pick
        assert table.totals[4] == 18 and table.totals[6] == 18 * 300_00
        assert today.tables[0].column("units") == [6]  # no FBO read kept today: not counted
        assert today.notes  # and it says so
    future = (periods.today() + timedelta(days=1)).isoformat()
    answer = client.get(f"/reports/stock?day={future}")
    assert "Этот день ещё не наступил" in answer.get_data(as_text=True)


def _sale(row_id: str, kind: str, at: datetime, amount: int, **more) -> SaleRow:  # type: ignore[no-untyped-def]
    return SaleRow(row_id=row_id, kind=kind, at=at, amount=amount, article="MUG", **more)


def test_sales_read_again_replace_themselves_and_the_report_sums_them(app, client):
    ids = _desk(app, client)
    at = datetime.combine(periods.today(), datetime.min.time(), LOCAL) + timedelta(hours=10)
    with app.app_context():
        s = db.session()
        account = (
            s.get_one(f.MarketplaceAccount, ids["account"])
            if hasattr(f, "MarketplaceAccount")
            else None
        )
        from warehouse.models import MarketplaceAccount

        account = s.get_one(MarketplaceAccount, ids["account"])
        sales.keep(
            s, account, [_sale("1:o", "order", at, 500_00), _sale("1:s", "sale", at, 500_00)], at
        )
        sales.keep(
            s,
            account,
            [
                _sale("1:s", "sale", at, 450_00),
                _sale("2:o", "order", at, 700_00),
                _sale("2:c", "cancel", at, 700_00),
            ],
            at,
        )
        s.commit()
        assert s.scalar(select(func.count()).select_from(Sale)) == 4
        assert s.scalar(select(Sale.product_id).where(Sale.row_id == "1:s")) == ids["mug"]
        with force_locale("en"):
            report = sales.build(
                s, {**periods.period({}).params(), "account_id": None}, no_progress
            )
        days = report.tables[0]
        assert days.totals[1:5] == (2, 1200_00, 1, 450_00)  # ordered 2, bought 1 for 450 ₽
        assert days.totals[6] == 1  # one cancelled
        assert sales.demand(s, at - timedelta(days=1)) == {ids["mug"]: 1}


def _realization(ids: dict[str, int], at: datetime) -> list[RealizationRow]:
    return [
        RealizationRow(
            "r1",
            "sale",
            at,
            order_number="WB-1",
            article="MUG",
            quantity=1,
            amount=500_00,
            commission=75_00,
            logistics=50_00,
            payout=375_00,
        ),
        RealizationRow(
            "r2",
            "sale",
            at,
            order_number="WB-2",
            article="MUG",
            quantity=1,
            amount=600_00,
            commission=90_00,
            logistics=50_00,
            payout=460_00,
        ),
        RealizationRow(
            "r3",
            "sale",
            at,
            order_number="NOT-OURS",
            article="MUG",
            quantity=1,
            amount=500_00,
            commission=75_00,
            logistics=50_00,
            payout=375_00,
        ),
        RealizationRow(
            "r4",
            "return",
            at,
            order_number="WB-1",
            article="MUG",
            quantity=1,
            amount=-500_00,
            commission=-75_00,
            logistics=0,
            payout=-425_00,
        ),
        RealizationRow("r5", "charge", at, other=30_00, payout=-30_00, note="Хранение"),
    ]


def test_the_commissioner_report_is_matched_to_our_orders_and_lists_each_difference(app, client):
    ids = _desk(app, client)
    period = Period(periods.today() - timedelta(days=6), periods.today())
    at = period.since + timedelta(days=1)
    with app.app_context():
        s = db.session()
        from warehouse.models import MarketplaceAccount

        account = s.get_one(MarketplaceAccount, ids["account"])
        orders = [
            f.import_order(s, account, number, ("4600000000011", 1))
            for number in ("WB-1", "WB-2", "WB-3")
        ]
        for order in orders:
            for line in order.lines:
                line.price_kopecks = 500_00
            order.status = "delivered"
        s.flush()
        s.execute(
            OrderEvent.__table__.update().where(OrderEvent.to_status == "delivered").values(at=at)
        )
        report = commissioner.keep(s, account, period, _realization(ids, at))
        s.commit()
        assert [line.order_id is not None for line in report.lines] == [
            True,
            True,
            False,
            True,
            False,
        ]
        sums = commissioner.totals(report)
        assert sums.as_dict() == {
            "rows": 5,
            "sale_amount": 1600_00,
            "return_amount": -500_00,
            "commission": 165_00,
            "logistics": 150_00,
            "other": 30_00,
            "payout": 755_00,
        }
        found = {
            (d.kind, d.order_number, d.ours, d.theirs) for d in commissioner.differences(s, report)
        }
        assert found == {
            ("unknown_order", "NOT-OURS", None, 500_00),
            ("amount", "WB-2", 500_00, 600_00),
            ("not_in_report", "WB-3", None, None),
        }
        # read again: the lines are replaced, not added
        commissioner.keep(s, account, period, _realization(ids, at)[:2])
        s.commit()
        assert s.scalar(select(func.count()).select_from(CommissionLine)) == 2
    page = client.get(f"/reports/commissioner?start={period.start}&end={period.end}")
    assert page.status_code == 200
    assert "WB-2" in page.get_data(as_text=True)


def test_a_file_is_made_by_the_worker_and_holds_the_figures_of_the_page(app, client, worker):
    ids = _desk(app, client)
    period = Period(periods.today() - timedelta(days=6), periods.today())
    at = period.since + timedelta(days=1)
    with app.app_context():
        s = db.session()
        from warehouse.models import MarketplaceAccount

        account = s.get_one(MarketplaceAccount, ids["account"])
        f.import_order(s, account, "WB-1", ("4600000000011", 1))
        commissioner.keep(s, account, period, _realization(ids, at))
        s.commit()
    query = f"start={period.start}&end={period.end}"
    asked = client.post(
        "/reports/commissioner/files",
        data={"start": str(period.start), "end": str(period.end), "fmt": "xlsx"},
    )
    assert asked.status_code == 303
    with app.app_context():
        run = db.session().scalars(select(ReportRun)).one()
        assert run.status == "queued" and run.params["start"] == str(period.start)
        run_id = run.id
    page = client.get("/reports/commissioner/files").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in page  # polled while it is made
    worker()
    with app.app_context():
        run = db.session().get_one(ReportRun, run_id)
        assert run.status == "done" and run.progress == 100
    answer = client.get(f"/reports/files/{run_id}")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(answer.data))
    totals = list(book["Итоги"].iter_rows(values_only=True))[-1]
    assert totals[2:] == (5, 1600.0, -500.0, 165.0, 150.0, 30.0, 755.0)
    page = client.get(f"/reports/commissioner?{query}").get_data(as_text=True)
    assert "1\xa0600,00" in page and "755,00" in page  # the same figures on the page
    csv = client.post(
        "/reports/commissioner/files",
        data={"start": str(period.start), "end": str(period.end), "fmt": "csv"},
    )
    assert csv.status_code == 303
    worker()
    with app.app_context():
        done = db.session().scalars(select(ReportRun).where(ReportRun.fmt == "csv")).one()
        text = done.content.decode("utf-8-sig")
    assert text.splitlines()[-1].endswith(";755,00")
    assert client.post(f"/reports/files/{run_id}/delete").status_code == 303
    assert client.get(f"/reports/files/{run_id}").status_code == 404


def test_a_report_that_cannot_be_made_fails_in_words_and_a_bad_form_is_refused(app, client, worker):
    _desk(app, client)
    assert client.post("/reports/profit/files", data={"fmt": "xlsx"}).status_code == 303
    worker()
    with app.app_context():
        run = db.session().scalars(select(ReportRun)).one()
        assert run.status == "failed" and run.error == "profit_nothing_read"
    page = client.get("/reports/profit/files").get_data(as_text=True)
    assert "realization" in page or "реализации" in page
    refused = client.post("/reports/sales/files", data={"start": "2026-13-01", "fmt": "xlsx"})
    assert refused.status_code == 422
    assert client.post("/reports/sales/files", data={"fmt": "pdf"}).status_code == 422
    assert (
        client.post("/reports/sales/files", data={"account_id": "999999", "fmt": "csv"}).status_code
        == 422
    )
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(ReportRun)) == 1
    no_token = client.post("/reports/sales/files", data={"fmt": "csv"}, headers={"X-CSRFToken": ""})
    assert no_token.status_code == 400


def test_a_fresh_demo_starts_with_a_month_at_the_marketplaces_that_give_one(app):
    from warehouse import demo

    today = periods.today()
    kinds = ("wb", "ozon", "yandex", "megamarket")
    assert demo.marketplace_month(app, kinds, today) == 3  # Megamarket's API gives none
    with app.test_client() as client:
        for kind in kinds[:3]:
            sums = client.get(
                f"/sandbox/{kind}/_control/realization",
                query_string={"from": str(today - timedelta(days=29)), "to": str(today)},
            ).get_json()
            assert sums["rows"] > 0 and sums["sale_amount"] > 0, kind


def test_every_cron_job_runs_in_a_worker_with_no_app_context_of_its_own(app, demo_site):
    """The worker calls cron's jobs outside any app context (``jobs.use_app``): each must
    open its own — one that enqueued after leaving it never read the FBO stock by cron."""
    import threading

    from rq import cron as rq_cron

    import warehouse.cron  # noqa: F401  (registers the jobs)
    from warehouse import jobs

    registered = {entry["func"] for entry in rq_cron._job_data_registry}
    assert jobs.read_all_sales in registered and jobs.read_all_fbo_stock in registered
    errors: list[BaseException] = []

    def run() -> None:
        jobs.use_app(app)
        for job in sorted(registered, key=lambda f: f.__name__):
            try:
                job()
            except BaseException as exc:  # collected, asserted below
                errors.append(exc)

    worker = threading.Thread(target=run)  # a thread: no app context is pushed there
    worker.start()
    worker.join(timeout=120)
    assert not errors, errors


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01&end=0001-01-02",
        "end=0001-01-10",
        "start=9999-12-31&end=9999-12-31",
        "start=9999-12-30&end=9999-12-31",
        "day=0001-01-01",
    ],
)
def test_a_date_at_the_end_of_the_calendar_is_refused_in_words(app, client, query):
    _desk(app, client)
    for kind in ("sales", "work", "profit", "commissioner", "stock"):
        answer = client.get(f"/reports/{kind}?{query}")
        assert answer.status_code == 200, (kind, query)
    kind = "stock" if query.startswith("day") else "sales"
    form = dict(pair.split("=") for pair in query.split("&"))
    refused = client.post(f"/reports/{kind}/files", data={**form, "fmt": "csv"})
    assert refused.status_code == 422


def test_a_realization_report_is_loaded_from_the_marketplaces_file_by_its_own_headings(app, client):
    """Megamarket's API gives no realization report: its cabinet's file is loaded, the
    person naming which heading holds what (remembered for the cabinet)."""
    ids = _desk(app, client)
    with app.app_context():
        s = db.session()
        from warehouse.models import MarketplaceAccount

        account = s.get_one(MarketplaceAccount, ids["account"])
        account.kind = "megamarket"
        order = f.import_order(s, account, "MM-1", ("4600000000011", 1))
        order.lines[0].price_kopecks = 500_00
        s.commit()
    start, end = periods.today().replace(day=1), periods.today()
    day = f"{end:%d.%m.%Y}"
    data = _xlsx(
        [
            "Номер отправления",
            "Артикул",
            "Кол-во",
            "Сумма, ₽",
            "Вознаграждение",
            "Доставка",
            "Тип",
            "Дата",
        ],
        ["MM-1", "MUG", 1, 500, 60, 40.5, "Продажа", day],
        ["MM-404", "MUG", 1, 700, 84, 40, "Продажа", day],
        ["MM-1", "MUG", 1, 500, -60, 0, "Возврат", day],
        [None, None, None, 0, 0, 120, "Хранение", day],
        [None, None, None, None, None, None, None, None],
    )
    columns = {
        "col_order_number": "Номер отправления",
        "col_article": "Артикул",
        "col_quantity": "Кол-во",
        "col_amount": "Сумма, ₽",
        "col_commission": "Вознаграждение",
        "col_logistics": "Доставка",
        "col_kind": "Тип",
        "col_at": "Дата",
    }
    form = {"account_id": str(ids["account"]), "start": str(start), "end": str(end), **columns}
    page = client.get(f"/reports/commissioner?start={start}&end={end}").get_data(as_text=True)
    assert 'id="realization-file"' in page  # offered where the API gives none
    answer = client.post(
        "/reports/commissioner/file",
        data={**form, "file": (io.BytesIO(data), "report.xlsx")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 303, answer.get_data(as_text=True).split("feedback err")[-1][:300]
    with app.app_context():
        s = db.session()
        report = s.scalars(select(commissioner.CommissionReport)).one()
        lines = [
            (x.kind, x.order_number, x.amount, x.commission, x.logistics, x.payout)
            for x in report.lines
        ]
        assert lines == [
            ("sale", "MM-1", 500_00, 60_00, 40_50, 399_50),
            ("sale", "MM-404", 700_00, 84_00, 40_00, 576_00),
            ("return", "MM-1", -500_00, -60_00, 0, -440_00),
            ("charge", "", 0, 0, 120_00, -120_00),
        ]
        found = {(d.kind, d.order_number) for d in commissioner.differences(s, report)}
        assert found == {("unknown_order", "MM-404")}
        remembered = s.get_one(MarketplaceAccount, ids["account"]).settings["realization_columns"]
        assert remembered["amount"] == "Сумма, ₽"
    # the headings are offered again; a bad row refuses the whole file and keeps the lines
    page = client.get(f"/reports/commissioner?start={start}&end={end}").get_data(as_text=True)
    assert 'value="Сумма, ₽"' in page
    bad = _xlsx(["Номер отправления", "Сумма, ₽"], ["MM-2", "сто"])
    refused = client.post(
        "/reports/commissioner/file",
        data={
            **form,
            "col_article": "",
            "col_quantity": "",
            "col_commission": "",
            "col_logistics": "",
            "col_kind": "",
            "col_at": "",
            "file": (io.BytesIO(bad), "r.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "сто" in refused.get_data(as_text=True)
    unknown = client.post(
        "/reports/commissioner/file",
        data={**form, "file": (io.BytesIO(bad), "r.xlsx")},
        content_type="multipart/form-data",
    )
    assert unknown.status_code == 422 and "Артикул" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(CommissionLine)) == 4
