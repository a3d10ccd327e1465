"""Redis stopped and started again empty (issue #14 item 3): a real redis-server is
killed with jobs in it and more work owed while it is down; started again (with nothing
in it: no persistence, as in the demo), the sweeper finds every command the database
still owes and the worker delivers each to the marketplace once."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from tests import figures
from tests.conftest import load_demo, run_worker
from tests.test_end_to_end import _account_id, sandbox, sandbox_order
from warehouse import jobs
from warehouse.infra import db, queue
from warehouse.models import OutboxCommand

OUTAGE_SECONDS = 60


def _start(socket_path: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(socket_path), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            Redis.from_url(f"unix://{socket_path}").ping()
            return process
        except RedisError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


@pytest.fixture
def site(app, live_server, zebra, tmp_path):  # type: ignore[no-untyped-def]
    socket_path = tmp_path / "redis.sock"
    app.config["REDIS_URL"] = f"unix://{socket_path}"
    app.config["REDIS_AWAY_SECONDS"] = 0.2
    server = {"process": _start(socket_path), "socket": socket_path}
    yield load_demo(app, live_server, zebra), server
    server["process"].terminate()
    server["process"].wait(10)


def test_commands_owed_across_a_redis_restart_are_delivered_once(app, site, caplog):
    demo, server = site
    first = sandbox_order(demo)
    with app.app_context():
        jobs.import_orders(_account_id(app))  # its «confirm» is now a job in Redis
        used = queue.connection().connection_pool.connection_kwargs.get("path")
        assert used == str(server["socket"])  # this test's Redis, not the suite's
        assert queue.queue("outbox").count == 1
    server["process"].terminate()  # Redis goes, with that job
    server["process"].wait(10)
    second = sandbox_order(demo)
    with app.app_context():
        jobs.import_orders(_account_id(app))  # owed while Redis is down: enqueue fails quietly
    assert "Redis is away" in caplog.text
    client = app.test_client()
    away_until, answered = time.monotonic() + OUTAGE_SECONDS, 0
    while time.monotonic() < away_until:  # a whole minute away: the ТСД keeps answering
        assert client.get("/tsd/login").status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 503 and "redis" in health.get_json()["down"]
        answered += 1
        time.sleep(5)
    server["process"] = _start(server["socket"])  # back, empty
    with app.app_context():
        assert jobs.sweep_outbox() >= 2  # both rung again from the database
    run_worker(app)
    run_worker(app)  # a second round changes nothing
    state = sandbox(demo, "GET", "/_control/state")
    statuses = {str(o["id"]): o["supplierStatus"] for o in state["orders"]}
    assert statuses[first] == statuses[second] == "confirm"
    with app.app_context():
        commands = (
            db.session().scalars(select(OutboxCommand).where(OutboxCommand.kind == "confirm")).all()
        )
        assert sorted(c.status for c in commands) == ["done", "done"]
        assert all(c.attempts == 1 for c in commands)  # once each: nothing sent twice
    figures.record(
        "redis_restart",
        "killed_and_away",
        {"outage_seconds": OUTAGE_SECONDS, "pages_answered": answered, "delivered": 2},
    )
