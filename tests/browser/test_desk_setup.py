"""The way in on a fresh database and the desk pages of items 12-13, at 1440×900:
the first-run page, the staff page (a picker created), a cabinet edited and disabled."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in

pytestmark = pytest.mark.browser


def test_first_run_creates_the_admin_who_adds_a_picker(app, live_server, desk_page):
    page = desk_page
    page.goto(f"{live_server.url}/login")
    page.wait_for_url(f"{live_server.url}/setup")
    screenshot(page, "desk-60-first-run")
    page.fill("input[name=name]", "Главный")
    page.fill("input[name=login]", "chief")
    page.fill("input[name=password]", "long-enough")
    page.fill("input[name=warehouse]", "Склад на Речной")
    page.get_by_role("button", name="Создать администратора").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Сотрудники").click()
    add = page.locator("#add-tsd-person")  # a picker is its first role, ticked
    add.locator("input[name=name]").fill("Пётр")
    add.locator("input[name=badge]").fill("PICKER-77")
    add.locator("input[name=pin]").fill("4321")
    add.get_by_role("button", name="Добавить").click()
    expect(page.locator("table")).to_contain_text("PICKER-77")
    screenshot(page, "desk-61-staff")


def test_a_cabinet_is_edited_and_disabled(app, demo_site, desk_page):
    page = desk_page
    log_in(page, demo_site)
    page.goto(f"{demo_site.url}/settings/accounts")
    row = page.locator("tr", has_text="WB песочница")
    row.get_by_text("Изменить").click()
    screenshot(page, "desk-62-account-edit")
    row.locator("input[name=name]").fill("WB основной")
    row.get_by_role("button", name="Сохранить").click()
    row = page.locator("tr", has_text="WB основной")
    row.get_by_role("button", name="Отключить").click()
    expect(page.locator("tr", has_text="WB основной")).to_contain_text("Отключён")
    screenshot(page, "desk-63-account-disabled")
