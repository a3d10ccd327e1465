"""The reports walked at the desk at 1440×900 (issue 18's «Done when»): a month of sales on
the sandboxes, the commissioner reports asked from the page; each of the six reports opened,
its chart looked at, its XLSX made by the worker and downloaded — and the file's totals
are the page's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.test_price_push import ready_shop
from tests.test_report_sandboxes import SEEDED, _month
from warehouse import jobs
from warehouse.infra import db
from warehouse.models import MarketplaceAccount, Order
from warehouse.reports import periods
from warehouse.reports.periods import Period

pytestmark = pytest.mark.browser

KINDS = ("stock", "work", "sales", "commissioner", "profit", "reorder")


def _worked(app) -> None:  # type: ignore[no-untyped-def]
    """The month's orders went through the floor: picked, packed, handed over."""
    with app.app_context():
        s = db.session()
        for order in s.scalars(select(Order).where(Order.status == "delivered")):
            for step in ("picked", "packed", "handed_over", "delivered"):
                order.status = step
                s.flush()
        s.commit()


def _totals(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("table.report-table").first.locator("tr.totals td").all_inner_texts()


def test_each_report_is_opened_its_chart_looked_at_and_its_file_downloaded(
    app, live_server, zebra, worker, desk_page, tmp_path
):
    app.config["SANDBOX_REPORT_LIMITS"] = False
    site = ready_shop(app, live_server, zebra, worker)
    today = periods.today()
    period = Period(today - timedelta(days=29), today)
    for kind in sorted(SEEDED):
        _month(app, site, kind, period)
    _worked(app)
    with app.app_context():
        for account_id in db.session().scalars(select(MarketplaceAccount.id)).all():
            jobs.read_sales(account_id)
    page = desk_page
    log_in(page, site)
    page.click("nav.menu >> text=Отчёты")
    expect(page.locator("ul.report-list li")).to_have_count(len(KINDS))
    screenshot(page, "reports-00-list")

    # the commissioner reports are asked from the page and read by the worker
    span = f"start={period.start}&end={period.end}"
    page.goto(f"{site.url}/reports/commissioner?{span}")
    page.click("#read-reports")
    # Megamarket's API has no realization report: the page says so, the others are asked
    expect(page.locator("table.commission-reads tr[data-status=reading]")).to_have_count(3)
    expect(page.locator("p.note", has_text="MEGAMARKET")).to_be_visible()
    worker()
    # no reload: the page looks again by itself while a report is on its way
    ready = page.locator("table.commission-reads tr[data-status=ready]")
    expect(ready).to_have_count(3, timeout=15_000)
    expect(page.locator("svg.report-chart")).to_be_visible()
    for kind in KINDS:
        query = span if kind in ("work", "sales", "commissioner", "profit") else ""
        page.goto(f"{site.url}/reports/{kind}?{query}")
        expect(page.locator("svg.report-chart")).to_be_visible()
        drawn = page.locator("svg.report-chart rect.bar:not([width='0.0'])")
        expect(drawn.first).to_be_visible()  # some bar of the chart has a length
        screenshot(page, f"reports-{KINDS.index(kind) + 1}0-{kind}")
        on_page = _totals(page)
        page.click("#file-xlsx")
        expect(page.locator("table.report-runs tr.run").first).to_have_attribute(
            "data-status", "queued"
        )
        worker()
        link = page.locator("table.report-runs tr.run[data-status=done] a.download").first
        expect(link).to_be_visible(timeout=10_000)  # the list is polled: no reload
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / f"{kind}.xlsx"
        download.value.save_as(saved)
        sheet = load_workbook(saved).worksheets[0]
        in_file = list(sheet.iter_rows(values_only=True))
        assert len(in_file) > 1, kind
        if on_page:  # the totals row holds the page's figures
            numbers = [cell for cell in in_file[-1] if isinstance(cell, (int, float))]
            shown = [
                float(text.replace("\xa0", "").replace(",", ".").replace("−", "-"))
                for text in on_page
                if text and text.replace("\xa0", "").replace(",", "").replace("−", "").isdigit()
            ]
            assert numbers == shown, kind
    screenshot(page, "reports-70-files")
