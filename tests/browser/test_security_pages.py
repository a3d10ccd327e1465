"""Logging in, switching language and losing one's way, as a picker and a supervisor would.

Everything here runs under the real CSP and CSRF checks: a form or htmx request without
its token, or a blocked script, would fail these walks.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in

pytestmark = pytest.mark.browser


def scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    """A wedge scanner types into the focused field: the page's scan field, once loaded (a
    busy machine may still be loading the page the last step opened)."""
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_a_picker_with_a_pin_scans_the_badge_then_types_the_pin(app, demo_site, tsd_page):
    page = tsd_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "1002")  # the PIN alone
    expect(page.locator("#feedback")).to_contain_text("Сначала сканируйте бейдж")
    screenshot(page, "login-01-pin-alone")
    scan(page, "PICKER-002")
    expect(page.locator("h1")).to_contain_text("Иван Сборщик, введите PIN")
    scan(page, "1001")
    expect(page.locator("#feedback")).to_contain_text("Неверный PIN")
    screenshot(page, "login-02-wrong-pin")
    scan(page, "1002")
    page.wait_for_url("**/tsd/")
    expect(page.locator("body")).to_contain_text("Иван Сборщик")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_pin_guessing_on_the_terminal_is_stopped_with_words(app, demo_site, tsd_page):
    page = tsd_page
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-002")
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        expect(page.locator("#scan")).to_be_focused()
        scan(page, guess)
        expect(page.locator("#feedback")).to_contain_text("Неверный PIN")
    scan(page, "1002")
    expect(page.locator("#feedback")).to_contain_text("Слишком много неверных попыток")
    screenshot(page, "login-03-too-many")
    assert page.url.endswith("/tsd/login/pin")


def test_the_desk_switches_language_and_stays_on_the_page(app, demo_site, desk_page):
    page = desk_page
    log_in(page, demo_site)
    page.goto(f"{demo_site.url}/printers")
    page.get_by_role("button", name="EN").click()
    page.wait_for_url(f"{demo_site.url}/printers")
    expect(page.locator("nav.menu")).to_contain_text("Orders")
    screenshot(page, "desk-20-english")
    page.get_by_role("button", name="RU").click()
    expect(page.locator("nav.menu")).to_contain_text("Заказы")


def test_a_wrong_address_answers_in_words_with_a_way_back(app, demo_site, tsd_page):
    page = tsd_page
    page.goto(f"{demo_site.url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    answer = page.goto(f"{demo_site.url}/tsd/tasks/99999999999999999999999")
    assert answer is not None and answer.status == 404
    expect(page.locator("#feedback")).to_contain_text("Такой страницы нет")
    screenshot(page, "tsd-40-not-found")
    page.get_by_role("link", name="К заданиям").click()
    page.wait_for_url("**/tsd/")
