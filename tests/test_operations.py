"""Issue 13 item 5: operations health on the desk — commands owed with retry and cancel,
failed RQ jobs with retry and delete (a real worker, real Redis), and the page while
Redis is away."""

from __future__ import annotations

from redis import Redis
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from tests.test_settings import login_admin
from warehouse.infra import db, queue
from warehouse.marketplaces import outbox
from warehouse.models import MarketplaceAccount, Order, OutboxCommand, User


def _commands(app):
    """Two commands of one order: the first failed (a 4xx from the marketplace), so the
    second waits behind it."""
    with app.app_context():
        s = db.session()
        account = s.scalar(select(MarketplaceAccount))
        order = Order(
            account_id=account.id, external_id="X-1", marketplace_status="confirm", status="packed"
        )
        s.add(order)
        s.flush()
        failed = OutboxCommand(
            account_id=account.id,
            order_id=order.id,
            kind="status",
            status="failed",
            attempts=1,
            last_error="IncorrectParameter: bad order id",
        )
        waiting = OutboxCommand(account_id=account.id, order_id=order.id, kind="print")
        s.add_all([failed, waiting])
        s.commit()
        return failed.id, waiting.id


def test_operations_need_a_supervisor(client, demo_site):
    assert client.get("/operations/").status_code == 302
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    assert client.get("/operations/").status_code == 302
    assert client.post("/operations/commands/1/cancel").status_code == 302


def test_a_failed_command_is_shown_and_cancelled_with_who_and_the_next_stops_waiting(
    app, client, demo_site
):
    failed_id, waiting_id = _commands(app)
    login_admin(client)
    page = client.get("/operations/").get_data(as_text=True)
    assert f'id="command-{failed_id}"' in page and "IncorrectParameter" in page
    assert 'data-confirm="Отменить команду' in page
    with app.app_context():
        assert outbox._waits_for_earlier(db.session(), db.session().get(OutboxCommand, waiting_id))
    response = client.post(f"/operations/commands/{failed_id}/cancel")
    assert response.status_code == 302
    page = client.get("/operations/").get_data(as_text=True)
    assert f"Команда {failed_id} отменена" in page
    with app.app_context():
        s = db.session()
        command = s.get(OutboxCommand, failed_id)
        admin = s.scalar(select(User).where(User.login == "admin"))
        assert (command.status, command.cancelled_by_id) == ("cancelled", admin.id)
        assert not outbox._waits_for_earlier(s, s.get(OutboxCommand, waiting_id))
    again = client.post(f"/operations/commands/{failed_id}/cancel")
    assert "уже завершена" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert client.post("/operations/commands/999999/retry").status_code == 404


def test_a_failed_command_retried_is_pending_and_due(app, client, demo_site):
    failed_id, _waiting = _commands(app)
    login_admin(client)
    assert client.post(f"/operations/commands/{failed_id}/retry").status_code == 302
    with app.app_context():
        command = db.session().get(OutboxCommand, failed_id)
        assert command.status == "pending"
        assert failed_id in outbox.due_commands(db.session())


def test_a_failed_job_is_listed_retried_and_deleted(app, client, demo_site, worker):
    with app.app_context():
        job = queue.queue("default").enqueue("builtins.int", "not a number")
    worker()
    login_admin(client)
    page = client.get("/operations/").get_data(as_text=True)
    assert "ValueError: invalid literal for int()" in page
    assert client.post(f"/operations/jobs/default/{job.id}/retry").status_code == 302
    with app.app_context():
        registry = FailedJobRegistry("default", connection=queue.connection())
        assert job.id not in registry.get_job_ids()
        assert job.id in queue.queue("default").job_ids
    worker()  # fails again
    assert client.post(f"/operations/jobs/default/{job.id}/delete").status_code == 302
    with app.app_context():
        assert registry.get_job_ids() == []
    assert client.post(f"/operations/jobs/default/{job.id}/retry").status_code == 404
    assert client.post("/operations/jobs/nosuchqueue/x/delete").status_code == 404


def test_the_page_says_redis_is_away_and_shows_the_rest(app, client, demo_site):
    _commands(app)
    login_admin(client)
    app.extensions["redis"] = Redis.from_url(
        "redis://127.0.0.1:1/0", socket_timeout=0.5, socket_connect_timeout=0.5
    )
    response = client.get("/operations/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Redis не отвечает" in page and "IncorrectParameter" in page
