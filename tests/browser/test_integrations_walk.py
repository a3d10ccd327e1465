"""The desk's Integrations page at 1440×900 (issue 16): an admin makes 1C's service account,
issues its token (shown once), adds a webhook receiver, and reads the API's documentation;
the token then reads the orders through the API."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in

pytestmark = pytest.mark.browser
TOKEN = re.compile(r"wh_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def test_an_admin_plugs_1c_in_from_the_desk(app, demo_site, desk_page):
    page = desk_page
    log_in(page, demo_site)
    page.get_by_role("link", name="Интеграции").click()
    page.wait_for_url("**/integrations/")
    expect(page.get_by_text("Сервисных учётных записей ещё нет")).to_be_visible()

    form = page.locator("form.new-account")
    form.locator("input[name=name]").fill("1С:УТ")
    for scope in ("orders:read", "stock:read", "stock:write", "products:write", "webhooks"):
        form.locator(f"input[value='{scope}']").check()
    form.get_by_role("button", name="Завести учётную запись").click()
    expect(page.locator(".banner")).to_contain_text("Учётная запись «1С:УТ» заведена")

    account = page.locator("article.service-account")
    account.locator("input[name=label]").fill("рабочая база")
    account.get_by_role("button", name="Выпустить токен").click()
    shown = page.locator("#new-token")
    expect(shown).to_be_visible()
    token = shown.inner_text()
    assert TOKEN.fullmatch(token)
    screenshot(page, "integrations-01-token-shown-once")

    receiver = page.locator("form.receiver-form")
    receiver.locator("input[name=url]").fill("http://127.0.0.1:9/hs/warehouse/events")
    receiver.locator("input[value='order.status_changed']").check()
    receiver.get_by_role("button", name="Добавить получателя").click()
    expect(page.locator("#new-secret")).to_contain_text("whsec_")
    expect(page.locator("#new-token")).to_have_count(0)  # the token is not shown again
    expect(page.locator("table.receivers")).to_contain_text("order.status_changed")
    screenshot(page, "integrations-02-receiver")

    answer = httpx.get(
        f"{demo_site.url}/api/v1/orders", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200 and "items" in answer.json()

    page.reload()
    expect(page.locator(".token-row")).to_contain_text("рабочая база")
    expect(page.locator(".token-row")).not_to_contain_text(token)
    page.get_by_role("link", name="Журнал вызовов").click()
    expect(page.locator("table.api-log")).to_contain_text("GET /api/v1/orders")
    screenshot(page, "integrations-03-request-log")

    page.goto(f"{demo_site.url}/api/v1/docs")
    expect(page.locator("#get__api_v1_orders")).to_contain_text("orders:read")
    screenshot(page, "integrations-04-api-docs")
