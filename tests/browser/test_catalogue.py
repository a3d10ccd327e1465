"""The catalogue at 1440×900: an XLSX with two bad rows is previewed (shown, not applied),
fixed and applied; a product is then edited on the desk."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import screenshot
from warehouse.infra import db

pytestmark = pytest.mark.browser
HEADER = ["article", "name", "barcodes", "pack_barcodes", "cost_price", "min_stock"]


def workbook(tmp_path, name: str, *rows: list[object]) -> str:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def test_catalogue_xlsx_bad_rows_shown_then_fixed_and_applied(
    app, live_server, desk_page, tmp_path
):
    with app.app_context():
        f.make_warehouse(db.session())
        f.make_supervisor(db.session(), role="admin")
        db.session().commit()
    page = desk_page
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=login]", "boss")
    page.fill("input[name=password]", "boss")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Каталог").click()
    good = ["MUG-1", "Кружка 330 мл", 4601234567893, "14601234567890:12", "199.90", 5]
    bad = workbook(
        tmp_path, "bad.xlsx", good, ["", "Без артикула"], ["TEE-1", "Футболка", "4601234567894"]
    )
    page.set_input_files("input[name=file]", bad)
    page.get_by_role("button", name="Загрузить и проверить").click()
    expect(page.locator("p.summary")).to_contain_text("2 отклонено")
    expect(page.locator("tr.refused")).to_have_count(2)
    expect(page.get_by_role("button", name="Применить")).to_have_count(0)
    screenshot(page, "desk-70-catalogue-preview-refused")
    page.get_by_role("link", name="Назад к каталогу").click()
    fixed = workbook(tmp_path, "fixed.xlsx", good, ["TEE-1", "Футболка", "4601234567909"])
    page.set_input_files("input[name=file]", fixed)
    page.get_by_role("button", name="Загрузить и проверить").click()
    expect(page.locator("tr.create")).to_have_count(2)
    page.get_by_role("button", name="Применить").click()
    row = page.locator("tr", has_text="MUG-1")
    expect(row).to_contain_text("14601234567890:12")
    row.get_by_text("Изменить").click()
    row.locator("input[name=name]").fill("Кружка 350 мл")
    row.get_by_role("button", name="Сохранить").click()
    expect(page.locator("tr", has_text="MUG-1")).to_contain_text("Кружка 350 мл")
    screenshot(page, "desk-71-catalogue")
