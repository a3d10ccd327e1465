"""Item 10: the ТСД keeps working while Redis is away (a real redis-server, SIGSTOPped)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from tests import factories as f
from tests.test_web import _task, login
from warehouse import jobs
from warehouse.infra import db, queue
from warehouse.models import MarketplaceAccount, Order, OutboxCommand


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A private redis-server on a unix socket: stop it with SIGSTOP, resume with SIGCONT."""
    socket_path = tmp_path / "redis.sock"
    process = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(socket_path), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    url = f"unix://{socket_path}"
    for _ in range(100):
        try:
            Redis.from_url(url).ping()
            break
        except RedisError:  # still starting
            time.sleep(0.05)
    yield process, url
    os.kill(process.pid, signal.SIGCONT)
    process.terminate()
    process.wait(10)


def test_tsd_pages_and_scans_answer_while_redis_is_stalled(app, redis_server, caplog):
    process, url = redis_server
    app.config["REDIS_URL"] = url
    with app.app_context():
        task_id = _task(db.session())
        account = db.session().scalar(select(MarketplaceAccount))
    client = app.test_client()
    os.kill(process.pid, signal.SIGSTOP)  # Redis stalls: connections hang, nothing answers
    try:
        assert login(client).status_code == 302
        assert "wb-77" in client.get("/tsd/").get_data(as_text=True)
        assert client.post(f"/tsd/tasks/{task_id}/start").status_code in (200, 302)
        assert client.get(f"/tsd/tasks/{task_id}").status_code == 200
        for scan_id, code in (("r1", "LOC-A-01"), ("r2", "4601234567893"), ("r3", "4601234567893")):
            response = client.post(
                f"/tsd/tasks/{task_id}/scan",
                data={"barcode": code, "scan_id": scan_id},
                headers={"HX-Request": "true"},
            )
            assert response.status_code == 200, response.get_data(as_text=True)
        with app.app_context():  # a committed import owes WB a «confirm»: enqueue fails quietly
            f.import_order(db.session(), account, "wb-78", ("4601234567893", 1))
            db.session().commit()
            # the next commit does not wait for Redis again: skipped at once, swept later
            f.import_order(db.session(), account, "wb-79", ("4601234567893", 1))
            db.session().commit()
        assert any("Redis is away" in record.getMessage() for record in caplog.records)
        health = client.get("/healthz")
        assert health.status_code == 503
        body = health.get_json()
        assert body["db"] == "ok" and body["redis"] == "error"
        assert "redis" in body["down"]
    finally:
        os.kill(process.pid, signal.SIGCONT)
    with app.app_context():  # Redis is back: the sweeper rings for the command
        lost = db.session().scalar(
            select(OutboxCommand.id)
            .join(Order, Order.id == OutboxCommand.order_id)
            .where(Order.external_id == "wb-78")
        )
        # its job was sent in one pipeline that timed out: Redis may still run it on waking,
        # or not; either way the row is pending and the sweeper rings it (a second ring
        # finds the command delivered and does nothing: outbox.deliver, under a row lock)
        assert jobs.sweep_outbox() >= 1
        assert lost in [job.args[0] for job in queue.queue("outbox").get_jobs()]


def test_desk_buttons_that_enqueue_do_not_fail_while_redis_is_stalled(app, redis_server):
    process, url = redis_server
    app.config["REDIS_URL"] = url
    with app.app_context():
        _task(db.session())
        account_id = db.session().scalar(select(MarketplaceAccount.id))
        f.make_supervisor(db.session())
        db.session().commit()
    client = app.test_client()
    client.post("/login", data={"login": "boss", "password": "boss"})
    os.kill(process.pid, signal.SIGSTOP)
    try:
        response = client.post(f"/settings/accounts/{account_id}/cards")
        assert response.status_code == 302
    finally:
        os.kill(process.pid, signal.SIGCONT)
