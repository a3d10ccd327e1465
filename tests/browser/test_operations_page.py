"""The operations page at 1440×900: a failed command is cancelled after the browser's
confirmation (dismissed once: nothing happens), a failed job is retried."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_desk import log_in
from tests.test_operations import _commands
from warehouse.infra import db, queue
from warehouse.models import OutboxCommand

pytestmark = pytest.mark.browser


def test_cancel_asks_first_and_a_failed_job_is_retried(app, demo_site, desk_page, worker):
    failed_id, _waiting = _commands(app)
    with app.app_context():
        queue.queue("default").enqueue("builtins.int", "not a number")
    worker()
    page = desk_page
    log_in(page, demo_site)
    page.get_by_role("link", name="Операции").click()
    row = page.locator(f"#command-{failed_id}")
    expect(row).to_contain_text("IncorrectParameter")
    expect(page.locator(".operations-failed")).to_contain_text("ValueError")
    screenshot(page, "desk-80-operations")
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_role("button", name="Отменить").click()
    expect(row).to_be_visible()  # dismissed: nothing sent
    with app.app_context():
        assert db.session().get(OutboxCommand, failed_id).status == "failed"
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Отменить").click()
    expect(page.locator(".banner.notice")).to_contain_text(f"Команда {failed_id} отменена")
    page.locator(".operations-failed").get_by_role("button", name="Повторить").click()
    expect(page.locator(".banner.notice")).to_contain_text("снова в очереди")
    with app.app_context():
        statuses = db.session().scalars(select(OutboxCommand.status)).all()
        assert "cancelled" in statuses
