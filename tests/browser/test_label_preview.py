"""The supervisor sees a printed label as an image: its job page and the virtual Zebra's spool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from printers import VirtualZebra
from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def zebra(tmp_path: Path) -> Iterator[VirtualZebra]:
    """The demo printer, keeping what it prints in a spool the supervisor's page lists."""
    printer = VirtualZebra(spool_dir=tmp_path / "printed").start()
    yield printer
    printer.stop()


def loaded_width(image) -> int:  # type: ignore[no-untyped-def]
    """The image's width in pixels once the browser has decoded it (0 if it failed)."""
    image.wait_for(state="visible")
    image.page.wait_for_function("img => img.complete", arg=image.element_handle())
    return int(image.evaluate("img => img.naturalWidth"))


def test_printed_label_is_shown_on_its_job_page_in_the_spool_and_pasted_zpl_too(
    app, demo_site, zebra, worker, desk_page
):
    app.config["VIRTUAL_PRINTER_SPOOL"] = str(zebra.spool_dir)
    page = desk_page
    log_in(page, demo_site)
    page.goto(f"{demo_site.url}/printers")
    page.get_by_role("button", name="Пробная этикетка").click()
    page.wait_for_url("**/print-jobs?printer_id=*")
    worker()
    assert len(zebra.wait_for_labels(1)) == 1

    page.reload()
    expect(page.locator("[data-preview-link]")).to_have_count(1)
    screenshot(page, "preview-01-print-jobs")
    page.locator("[data-preview-link]").first.click()
    preview = page.locator("#preview img").first
    assert loaded_width(preview) == 464  # 58 mm at 8 dots per mm
    expect(page.locator("[data-preview-size]")).to_have_text("58 × 40 мм, 203 dpi")
    expect(page.locator("[data-print-status]")).to_have_text("напечатана")
    screenshot(page, "preview-02-print-job")

    page.goto(f"{demo_site.url}/printers/spool")
    thumb = page.locator("tr[data-spool] td.preview img").first
    assert loaded_width(thumb) == 464
    screenshot(page, "preview-03-spool")

    page.goto(f"{demo_site.url}/labels/preview")
    page.fill("textarea[name=zpl]", "^XA^FO60,60^BY3^BCN,150,Y,N,N^FDWB-123456^FS^XY^XZ")
    page.select_option("select[name=dpi]", "300")
    page.select_option("select[name=size]", "75x120")
    page.get_by_role("button", name="Показать").click()
    assert loaded_width(page.locator("#label-preview img")) == 900
    expect(page.locator("[data-preview-warnings]")).to_contain_text("^XY is not supported")
    screenshot(page, "preview-04-pasted-zpl")
    page.fill("textarea[name=zpl]", "^XA^PW99999^XZ")
    page.get_by_role("button", name="Показать").click()  # a 422: answered in the same area
    expect(page.locator("#label-preview [role=alert]")).to_contain_text("Этот ZPL не нарисовать")
    expect(page.locator("#label-preview img")).to_have_count(0)
    screenshot(page, "preview-05-pasted-zpl-refused")
