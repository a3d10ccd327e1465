"""People at the desk (1440×900) with a picker's terminal beside it (480×800): a packer is
added and their badge printed on the Zebra; the picker's session is ended from the desk and
the terminal's next scan lands on the login page saying who ended it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.printers.decode import decode_all
from warehouse.infra import db
from warehouse.models import User

pytestmark = pytest.mark.browser


def scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    """A wedge scanner types into the focused field: the page's scan field, once loaded (a
    busy machine may still be loading the page the last step opened)."""
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_add_a_packer_print_the_badge_and_end_a_pickers_session(
    app, demo_site, zebra, worker, desk_page, tsd_page
):
    terminal = tsd_page
    terminal.goto(f"{demo_site.url}/tsd/login")
    scan(terminal, "PICKER-001")
    terminal.wait_for_url("**/tsd/")
    terminal.get_by_role("link", name="Перемещение между ячейками").click()
    terminal.wait_for_url("**/tsd/moves")  # nothing on this page polls: the scan is next
    screenshot(terminal, "people-01-picker-moving")

    page = desk_page
    page.on("dialog", lambda dialog: dialog.accept())  # «Завершить сеанс?» and the like
    log_in(page, demo_site)
    page.get_by_role("link", name="Сотрудники").click()
    form = page.locator("#add-tsd-person")
    form.get_by_label("Имя").fill("Пётр Упаковщик")
    form.get_by_label("Бейдж").fill("PACK-007")
    form.get_by_label("PIN").fill("7007")
    form.get_by_role("checkbox", name="сборщик").uncheck()
    form.get_by_role("checkbox", name="упаковщик").check()
    screenshot(page, "people-02-add-packer")
    form.get_by_role("button", name="Добавить").click()
    row = page.locator("tr", has_text="Пётр Упаковщик")
    expect(row).to_contain_text("упаковщик")
    screenshot(page, "people-03-staff")

    row.get_by_role("link", name="Пётр Упаковщик").click()
    expect(page.locator("h2").first).to_contain_text("Пётр Упаковщик")
    expect(page.locator("dd.roles")).to_have_text("упаковщик")
    page.locator("#badge-label").get_by_role("button", name="Печатать бейдж").click()
    queued = page.locator("#label-result .queued-job")
    expect(queued).to_contain_text("бейдж")
    worker()
    expect(queued).to_have_attribute("data-print-status", "printed", timeout=10000)
    screenshot(page, "people-04-badge-printed")
    (label,) = zebra.wait_for_labels(1)
    assert decode_all(label) == [("Code128", "PACK-007")]

    with app.app_context():
        anna = db.session().scalar(select(User.id).where(User.badge == "PICKER-001"))
    page.goto(f"{demo_site.url}/users/{anna}")
    expect(page.locator("h2").first).to_contain_text("Анна Сборщица")
    page.get_by_role("button", name="Завершить сеанс").click()
    expect(page.locator(".banner.notice")).to_contain_text("Сеансы сотрудника Анна Сборщица")
    screenshot(page, "people-05-session-ended")

    scan(terminal, "LOC-A-01-01")
    terminal.wait_for_url("**/tsd/login")
    ended = terminal.locator(".ended")
    expect(ended).to_contain_text("Ваш сеанс завершил(а) Старший смены в")
    assert re.search(r"в \d\d:\d\d\. Войдите снова", ended.inner_text())
    expect(terminal.locator("#scan")).to_be_focused()
    screenshot(terminal, "people-06-terminal-logged-out")
    page.reload()
    expect(page.locator(".history")).to_contain_text("сеанс завершён со стола")
    screenshot(page, "people-07-history")

    # the new packer on the same terminal: straight to the pack station, nothing else
    scan(terminal, "PACK-007")
    terminal.wait_for_url("**/tsd/login/pin")
    scan(terminal, "7007")
    terminal.wait_for_url("**/tsd/pack")
    screenshot(terminal, "people-08-packer-lands-on-packing")
    terminal.get_by_role("link", name="←").click()
    terminal.wait_for_url("**/tsd/")
    expect(terminal.get_by_role("link", name="Упаковка: сканировать заказ")).to_be_visible()
    expect(terminal.get_by_role("button", name="Следующее задание")).to_have_count(0)
    screenshot(terminal, "people-09-packer-home")
    answer = terminal.goto(f"{demo_site.url}/tsd/moves")
    assert answer is not None and answer.status == 403
    expect(terminal.locator("#feedback")).to_contain_text(
        "Это не ваша работа: перемещения между ячейками"
    )
    screenshot(terminal, "people-10-not-a-packers-work")
