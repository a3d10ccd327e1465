"""``python -m warehouse.run`` (``make run``) for real: two copies side by side, a dead
child started again, the web answering while the embedded Redis is stopped."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from warehouse.run import BACKOFF_MAX_SECONDS, PortTaken, choose_port, restart_delay

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Run:
    """One copy of ``python -m warehouse.run``; its log lines are read as they come."""

    def __init__(self, instance: Path, env: dict[str, str]) -> None:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("WAREHOUSE_")}
        clean.pop("PORT", None)
        clean |= {"WAREHOUSE_INSTANCE_PATH": str(instance), "WAREHOUSE_WEB_WORKERS": "1"}
        clean["WAREHOUSE_SANDBOX_ORDERS_PER_MINUTE"] = "0"
        self.instance = instance
        self.process = subprocess.Popen(
            [sys.executable, "-m", "warehouse.run"],
            cwd=ROOT,
            env=clean | env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        """The first (new) log line matching ``pattern``; fails if the copy stops first."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no {pattern!r} in:\n" + "".join(self.log[-40:]))
            self.log.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def wait_healthy(url: str) -> dict[str, object]:
    with httpx.Client(timeout=10) as client:
        for _ in range(600):
            try:
                response = client.get(f"{url}/healthz")
                if response.status_code == 200:
                    return response.json()
            except httpx.TransportError:
                pass
            threading.Event().wait(0.2)
    pytest.fail(f"{url}/healthz never answered 200")


@contextlib.contextmanager
def occupied(port: int) -> Iterator[None]:
    """Hold ``port`` like another program would (if one already does, so much the better)."""
    holder = socket.socket()
    with contextlib.suppress(OSError):
        holder.bind(("127.0.0.1", port))
        holder.listen()
    try:
        yield
    finally:
        holder.close()


def test_restart_delay_backs_off_to_a_ceiling():
    assert [restart_delay(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert restart_delay(50) == BACKOFF_MAX_SECONDS


def test_a_given_port_that_is_taken_is_refused_in_words():
    port = free_port()
    with occupied(port), pytest.raises(PortTaken, match=str(port)):
        choose_port(str(port), 8000, "web")


def test_ports_chosen_for_other_children_are_not_chosen_again():
    taken = free_port()
    chosen = choose_port(None, taken, "second printer", avoid=(taken,))
    assert chosen != taken
    with pytest.raises(PortTaken):
        choose_port(str(taken), 9102, "second printer", avoid=(taken,))


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        run.stop()


def test_two_copies_side_by_side_and_a_dead_child_is_restarted(tmp_path, runs):
    web_a, printer_a, big_a = free_port(), free_port(), free_port()
    ports_a = {
        "PORT": str(web_a),
        "WAREHOUSE_PRINTER_PORT": str(printer_a),
        "WAREHOUSE_BIG_PRINTER_PORT": str(big_a),
    }
    # the defaults are taken: copy B picks free ports
    with occupied(8000), occupied(9101), occupied(9102):
        runs.append(Run(tmp_path / "a", ports_a))
        runs.append(Run(tmp_path / "b", {}))
        a, b = runs
        redis_a = int(a.wait_for(r"embedded Redis pid=(\d+)")[1])
        cron_a = int(a.wait_for(r"started cron pid=(\d+)")[1])
        a.wait_for(f"warehouse is up: http://127.0.0.1:{web_a}/")
        zebras_b = b.wait_for(r"virtual Zebras on 127.0.0.1:(\d+) \(58×40\) and :(\d+)")
        printer_b, big_b = int(zebras_b[1]), int(zebras_b[2])
        web_b = int(b.wait_for(r"warehouse is up: http://127.0.0.1:(\d+)/")[1])
    assert printer_b != 9101 and big_b != 9102 and web_b != 8000
    assert len({web_a, web_b, printer_a, printer_b, big_a, big_b}) == 6
    for run, web, printer, big in ((a, web_a, printer_a, big_a), (b, web_b, printer_b, big_b)):
        url = f"http://127.0.0.1:{web}"
        assert wait_healthy(url)["db"] == "ok"
        assert httpx.get(f"{url}/tsd/login").status_code == 200
        with sqlite3.connect(run.instance / "warehouse.db") as conn:
            ports = dict(conn.execute("SELECT code, port FROM printers"))
            assert ports == {"PRN-001": printer, "PRN-002": big}  # two printers, not one twice
            bases = [row[0] for row in conn.execute("SELECT base_url FROM marketplace_accounts")]
        assert bases and all(base.startswith(f"{url}/sandbox/") for base in bases)
        for zebra_port in (printer, big):
            with socket.create_connection(("127.0.0.1", zebra_port), timeout=5) as zebra:
                zebra.sendall(b"~HS")
                assert zebra.recv(64).startswith(b"\x02")  # this copy's virtual Zebras answer
    # the embedded Redis stalls: the ТСД still answers, /healthz says Redis is down
    os.kill(redis_a, signal.SIGSTOP)
    try:
        assert httpx.get(f"http://127.0.0.1:{web_a}/tsd/login", timeout=20).status_code == 200
        health = httpx.get(f"http://127.0.0.1:{web_a}/healthz", timeout=20)
        assert health.status_code == 503 and "redis" in health.json()["down"]
    finally:
        os.kill(redis_a, signal.SIGCONT)
    # a child dies (as rq cron did on a Redis timeout): it is started again, the rest stays
    os.kill(cron_a, signal.SIGKILL)
    a.wait_for(r"cron exited with code -9 .*restarting in 1s")
    restarted = int(a.wait_for(r"restarted cron pid=(\d+)")[1])
    assert restarted != cron_a
    assert a.process.poll() is None
    assert httpx.get(f"http://127.0.0.1:{web_a}/tsd/login").status_code == 200
