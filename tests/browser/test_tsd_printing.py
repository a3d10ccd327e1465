"""The packer's label on a 480×800 terminal when the Zebra misbehaves: nothing lost,
nothing printed twice behind anyone's back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_pack_station import pick_on_the_books, scan
from tests.test_end_to_end import import_now, our_order, sandbox_order
from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.models import Printer

pytestmark = pytest.mark.browser
SHIRT = PRODUCTS[1]


def open_pack_page(app, demo_site, worker, page) -> str:  # type: ignore[no-untyped-def]
    external_id = sandbox_order(demo_site)
    import_now(app, worker)
    pick_on_the_books(app, external_id)
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.goto(f"{demo_site.url}/tsd/pack")
    scan(page, "PRN-001")  # the printer's own code: this terminal prints there
    expect(page.locator("#station-printer")).to_contain_text("Zebra-1")
    scan(page, external_id)
    page.wait_for_url("**/tsd/tasks/*/pack")
    scan(page, SHIRT.barcodes[0])
    expect(page.locator("#feedback")).to_have_class("feedback done")
    return external_id


def choose_package(page):  # type: ignore[no-untyped-def]
    """Pack into a small box; returns the label's state once the print job exists."""
    page.get_by_role("button", name="Малая коробка").click()
    pack = page.locator("#pack")
    expect(pack).to_have_attribute("data-print-status", "queued")
    return pack


def test_paper_out_waits_then_prints_once(app, demo_site, zebra, worker, tsd_page):
    app.config["PRINTER_WAIT_SECONDS"] = 600  # only the printer check wakes it here
    page = tsd_page
    external_id = open_pack_page(app, demo_site, worker, page)
    zebra.paper_out = True
    pack = choose_package(page)
    worker()
    expect(pack).to_contain_text("нет бумаги")
    screenshot(page, "tsd-30-paper-out-waiting")
    assert zebra.printed == []
    zebra.paper_out = False  # paper loaded: the next printer check finds it ready
    with app.app_context():
        printer = db.session().scalar(select(Printer).where(Printer.code == "PRN-001"))
        assert jobs.check_printer(printer.id) == "ready"
    worker()
    expect(pack).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(page, "tsd-31-paper-loaded-printed")
    assert len(zebra.printed) == 1 and our_order(app, external_id).status == "labelled"


def test_reset_after_bytes_asks_the_packer_and_reprint_is_recorded(
    app, demo_site, zebra, worker, tsd_page
):
    page = tsd_page
    open_pack_page(app, demo_site, worker, page)
    zebra.reset_after_bytes = 20
    pack = choose_package(page)
    worker()
    expect(pack).to_have_attribute("data-print-status", "unknown", timeout=10000)
    expect(pack).to_contain_text("Этикетка могла напечататься на Zebra-1")
    screenshot(page, "tsd-32-print-unknown")
    zebra.reset_after_bytes = None
    page.get_by_role("button", name="Не напечаталась: ещё раз").click()
    expect(pack).to_contain_text("Повтор этикетки")  # the reprint job exists
    worker()
    expect(pack).to_have_attribute("data-print-status", "printed", timeout=10000)
    expect(pack).to_contain_text("Повтор этикетки")
    screenshot(page, "tsd-33-reprinted")
    assert len(zebra.printed) == 1  # the broken first send never completed a label
