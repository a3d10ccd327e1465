"""Several machines' worth of processes on one database and one Redis (issue #14 item 6).

Two gunicorn web servers and two RQ workers (``python -m warehouse.worker``), each a real
process, share this run's database (SQLite here, PostgreSQL in ``.ci/run``) and Redis,
as DEPLOY.md scales them out. Two pickers work at once, each request going to the next
web server (a round-robin proxy); imports are asked twice at once; a worker is stopped
with SIGTERM in the middle of the work and another one SIGKILLed in the middle of a
marketplace call. At the end every order is imported once, picked and packed once, its
label printed once, every command delivered, the stock ledger reconciles and no job is
left half done. Figures go to ``test-artifacts/reliability/cluster.json``.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests import figures
from tests.conftest import CREDENTIALS_KEY, load_demo
from tests.test_end_to_end import _account_id, sandbox, sandbox_order
from tests.test_run import free_port, wait_healthy
from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db, queue
from warehouse.marketplaces import outbox
from warehouse.models import (
    Order,
    OutboxCommand,
    Parcel,
    PickItem,
    PickTask,
    PrintJob,
    ScanEvent,
)
from warehouse.stock import ledger

ROOT = Path(__file__).resolve().parent.parent
UNMARKED = [p for p in PRODUCTS if not p.marked]
ORDERS = 12


class Cluster:
    """Real processes of the app against the test's database and Redis."""

    def __init__(self, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("WAREHOUSE_")}
        self.env = clean | {
            "PYTHONUNBUFFERED": "1",
            "WAREHOUSE_ENV": "test",
            "WAREHOUSE_INSTANCE_PATH": str(tmp_path / "cluster"),
            "WAREHOUSE_DATABASE_URL": app.config["DATABASE_URL"],
            "WAREHOUSE_REDIS_URL": app.config["REDIS_URL"],
            "WAREHOUSE_SECRET_KEY": app.config["SECRET_KEY"],
            "WAREHOUSE_CREDENTIALS_KEY": CREDENTIALS_KEY,
            "WAREHOUSE_SANDBOX_ENABLED": "false",  # the test's live server is the marketplace
            "WAREHOUSE_PUBLIC_URL": app.config["PUBLIC_URL"],
            "WAREHOUSE_OUTBOX_BACKOFF_SECONDS": "[0, 1, 1]",
            "WAREHOUSE_PRINT_RETRY_SECONDS": "[0, 1]",
            "WAREHOUSE_MARKETPLACE_TIMEOUT": "10",
            "WAREHOUSE_OUTBOX_LOCK_SECONDS": "3",  # a killed worker's lease runs out soon
            "WAREHOUSE_LOG_LEVEL": "INFO",
        }
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def web(self, name: str) -> str:
        port = free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        bind = f"127.0.0.1:{port}"
        self.start(name, [gunicorn, "wsgi:app", "--bind", bind, "--workers", "1", "--threads", "4"])
        url = f"http://{bind}"
        wait_healthy(url)
        return url

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(name, [sys.executable, "-m", "warehouse.worker"])

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def cluster(app, live_server, zebra, tmp_path) -> Iterator[tuple[Cluster, Any]]:  # type: ignore[no-untyped-def]
    site = load_demo(app, live_server, zebra)
    running = Cluster(app, tmp_path)
    yield running, site
    running.stop()


def _until(what: str, check: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"never: {what}")


class Picker:
    """A ТСД whose every request goes to the next web server, as behind a round-robin proxy;
    it reads its work from the pages' links and the database as a picker reads the screen."""

    def __init__(self, app, webs: list[str], badge: str, pin: str | None) -> None:  # type: ignore[no-untyped-def]
        self.app, self.webs = app, itertools.cycle(webs)
        self.client = httpx.Client(timeout=30, follow_redirects=False)
        self.token = ""
        self.served: dict[str, int] = {}
        self.scans = itertools.count()
        page = self.get("/tsd/login")
        self.post("/tsd/login", {"badge": badge})
        if pin is not None:
            self.post("/tsd/login/pin", {"pin": pin})
        assert page.status_code == 200

    def _url(self, path: str) -> str:
        web = next(self.webs)
        self.served[web] = self.served.get(web, 0) + 1
        return web + path

    def get(self, path: str) -> httpx.Response:
        answer = self.client.get(self._url(path))
        found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', answer.text)
        if found:
            self.token = found.group(1)
        assert answer.status_code < 500, (path, answer.text[:500])
        return answer

    def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        answer = self.client.post(
            self._url(path), data=data, headers={"X-CSRFToken": self.token, "HX-Request": "true"}
        )
        assert answer.status_code < 500, (path, answer.text[:500])
        return answer

    def scan(self, path: str, barcode: str) -> httpx.Response:
        return self.post(path, {"barcode": barcode, "scan_id": f"{id(self)}-{next(self.scans)}"})

    def work(self) -> int:
        """Take tasks until none is left: pick each, check it at the pack table, pack it."""
        done = 0
        while True:
            self.get("/tsd/")
            answer = self.post("/tsd/next", {})
            found = re.search(r"/tsd/tasks/(\d+)", answer.headers.get("Location", ""))
            if found is None:
                return done
            task_id = int(found.group(1))
            self.get(f"/tsd/tasks/{task_id}")
            units = self._units(task_id)
            for bin_code, barcode, quantity in units:
                assert self.scan(f"/tsd/tasks/{task_id}/scan", bin_code).status_code == 200
                for _ in range(quantity):
                    assert self.scan(f"/tsd/tasks/{task_id}/scan", barcode).status_code == 200
            self.get(f"/tsd/tasks/{task_id}/pack")
            for _, barcode, quantity in units:
                for _ in range(quantity):
                    assert self.scan(f"/tsd/tasks/{task_id}/verify", barcode).status_code == 200
            packed = self.post(f"/tsd/tasks/{task_id}/pack", {"package": "bag"})
            assert packed.status_code == 200, packed.text[:500]
            done += 1

    def _units(self, task_id: int) -> list[tuple[str, str, int]]:
        with self.app.app_context():
            items = db.session().scalars(select(PickItem).where(PickItem.task_id == task_id))
            return [
                (item.location.barcode, item.product.barcodes[0].barcode, item.quantity)
                for item in items
            ]


def test_two_webs_and_two_workers_share_one_database_and_redis(app, cluster, zebra):
    running, site = cluster
    webs = [running.web("web-a"), running.web("web-b")]
    first = running.worker("worker-1")
    running.worker("worker-2")
    ordered = {}
    for n in range(ORDERS):
        product = UNMARKED[n % len(UNMARKED)]
        ordered[sandbox_order(site, product.article)] = product.article
    account_id = _account_id(app)
    with app.app_context():  # asked twice at once, as the cron and «Загрузить сейчас» would
        for _ in range(2):
            queue.queue("default").enqueue(jobs.import_orders, account_id)

    def imported() -> bool:
        with app.app_context():
            return db.session().scalar(select(func.count(Order.id))) == ORDERS

    _until("every order imported", imported)
    # a worker is stopped (a deploy) while the pickers work; another takes its place
    pickers = [Picker(app, webs, "PICKER-001", None), Picker(app, webs, "PICKER-002", "1002")]
    packed: list[int] = []
    threads = [threading.Thread(target=lambda p=p: packed.append(p.work())) for p in pickers]
    for thread in threads:
        thread.start()
    _until("a first order packed", lambda: _count(app, Parcel.id) > 0)
    os.killpg(first.pid, signal.SIGTERM)
    assert first.wait(60) == 0  # RQ's warm shutdown: the job in hand is finished first
    running.worker("worker-3")
    for thread in threads:
        thread.join(300)
    assert sum(packed) == ORDERS and all(packed), packed

    def settled() -> bool:
        with app.app_context():
            session = db.session()
            printed = session.scalar(
                select(func.count(PrintJob.id)).where(PrintJob.status == "printed")
            )
            owed = session.scalar(
                select(func.count(OutboxCommand.id)).where(OutboxCommand.status != "done")
            )
            return printed == ORDERS and owed == 0

    _until("every label printed and every command delivered", settled, 120)
    with app.app_context():
        session = db.session()
        statuses = sorted(set(session.scalars(select(Order.status))))
        assert statuses == ["packed"] or statuses == ["labelled"], statuses
        assert _count(app, Parcel.id) == ORDERS
        pickers_of = session.execute(select(PickTask.id, PickTask.picker_id)).all()
        assert len(pickers_of) == ORDERS and len({p for _, p in pickers_of}) == 2
        kinds = session.execute(
            select(OutboxCommand.kind, func.count(OutboxCommand.id)).group_by(OutboxCommand.kind)
        ).all()
        assert dict(kinds) == {"confirm": ORDERS, "pack": ORDERS, "ship": ORDERS}, kinds
        assert ledger.disagreements(session) == []
        scans = session.scalar(select(func.count(ScanEvent.id)))
    state = sandbox(site, "GET", "/_control/state")
    ours = {str(o["id"]): o for o in state["orders"] if str(o["id"]) in ordered}
    assert len(ours) == ORDERS and {o["supplierStatus"] for o in ours.values()} == {"confirm"}
    assert len(zebra.printed) == ORDERS  # one label each, none twice
    served = {web: sum(p.served.get(web, 0) for p in pickers) for web in webs}
    assert all(count > 20 for count in served.values()), served
    worked = {name: running.log(name).count("Job OK") for name in ("worker-1", "worker-2")}
    assert all(worked.values()), worked  # both workers took jobs before the stop
    assert "Traceback" not in "".join(running.log(name) for name in running.processes)
    figures.record(
        "cluster",
        "two_webs_two_workers",
        {
            "web_processes": 2,
            "workers": 3,
            "orders": ORDERS,
            "scans": scans,
            "requests": sum(served.values()),
            "labels_printed": ORDERS,
            "lost_or_twice": 0,
        },
    )


def test_a_worker_killed_in_a_marketplace_call_loses_and_repeats_nothing(app, cluster):
    """The machine of a worker dies while WB is answering its «confirm»: the transaction
    dies with it, the command stays owed, the account's lease runs out, and the next worker
    delivers it; WB has the order confirmed once, our command is done once."""
    running, site = cluster
    external_id = sandbox_order(site)
    account_id = _account_id(app)
    with app.app_context():
        jobs.import_orders(account_id)  # its «confirm» is now owed, a job in Redis
        lease = outbox.lock_name(account_id, None)
        redis = queue.connection()
    sandbox(site, "POST", "/_control/faults", json={"queue": ["timeout"]})  # WB takes 2 s
    victim = running.worker("worker-1")
    _until("the worker inside the call", lambda: bool(redis.exists(lease)), 60)
    os.killpg(victim.pid, signal.SIGKILL)  # the work horse too: the whole machine is gone
    victim.wait(10)
    with app.app_context():
        command = db.session().scalar(select(OutboxCommand).where(OutboxCommand.kind == "confirm"))
        assert (command.status, command.attempts) == ("pending", 0)  # rolled back, not lost
        assert redis.exists(lease)  # held by the dead worker until its lease runs out
        jobs.sweep_outbox()  # the cron's sweep rings it again
    running.worker("worker-2")

    def delivered() -> bool:
        with app.app_context():
            found = db.session().get_one(OutboxCommand, command.id)
            return found.status == "done"

    _until("the command delivered by the next worker", delivered, 60)
    with app.app_context():
        assert db.session().get_one(OutboxCommand, command.id).attempts == 1
    state = sandbox(site, "GET", "/_control/state")
    order = next(o for o in state["orders"] if str(o["id"]) == external_id)
    assert order["supplierStatus"] == "confirm"
    assert "Traceback" not in running.log("worker-2")
    figures.record(
        "cluster",
        "worker_killed_in_a_call",
        {"killed": 1, "commands": 1, "delivered": 1, "twice": 0},
    )


def _count(app, column) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return int(db.session().scalar(select(func.count(column))) or 0)
