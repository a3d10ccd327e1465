"""``make run``: the whole system on one machine, with embedded defaults.

Starts (unless configured otherwise) an embedded Redis, migrates the database,
loads the demo data, then runs the virtual Zebra, an RQ worker, RQ cron and
gunicorn as child processes until Ctrl-C, which stops them all. A child that dies
(rq cron after a Redis timeout, say) is started again after a backoff; the others
keep running.

Every port is configurable, so two copies can run side by side:

- ``PORT``: the web port (default 8000, or a free one when 8000 is taken);
- ``WAREHOUSE_PRINTER_PORT``: the virtual Zebra (default 9101, or a free one);
- ``WAREHOUSE_INSTANCE_PATH``: the instance directory (SQLite files, the embedded
  Redis, secrets, the printer's spool);
- ``WAREHOUSE_WEB_WORKERS``: gunicorn worker processes (2).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from warehouse import create_app, demo
from warehouse.infra import db, migrate, queue
from warehouse.infra.config import EMBEDDED
from warehouse.marketplaces import sandbox

logger = logging.getLogger("warehouse.run")
DEFAULT_WEB_PORT = 8000
DEFAULT_PRINTER_PORT = 9101
DEFAULT_BIG_PRINTER_PORT = 9102
DEMO_FIRST_ORDERS = 3
# a child that dies is started again after 1, 2, 4 … 30 s; one that ran a minute starts afresh
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
STABLE_SECONDS = 60.0


class PortTaken(RuntimeError):
    """A port given in the environment is already in use."""


def choose_port(given: str | None, default: int, what: str, avoid: tuple[int, ...] = ()) -> int:
    """The port given, else ``default`` when it is free, else any free loopback port;
    never one of ``avoid`` (ports chosen for the other children, not bound yet)."""
    if given:
        port = int(given)
        if port in avoid or not _free(port):
            raise PortTaken(f"{what} port {port} is already in use: choose another")
        return port
    if default not in avoid and _free(default):
        return default
    port = default
    while port == default or port in avoid:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
    logger.info("%s port %s is taken: using %s", what, default, port)
    return port


def _free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def restart_delay(failures: int) -> float:
    """Seconds to wait before starting a child that died ``failures`` times in a row."""
    return min(BACKOFF_MAX_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(failures - 1, 0))


def prepare(port: int, printer_port: int, big_printer_port: int) -> dict[str, str]:
    """Environment for the children; migrated database and demo data in place."""
    os.environ.setdefault("WAREHOUSE_PUBLIC_URL", f"http://127.0.0.1:{port}")
    os.environ.setdefault("WAREHOUSE_SANDBOX_ORDERS_PER_MINUTE", "3")
    app = create_app()
    if app.config["REDIS_URL"] == EMBEDDED:
        os.environ["WAREHOUSE_REDIS_URL"] = queue.start_embedded(app.instance_path)
        app.config["REDIS_URL"] = os.environ["WAREHOUSE_REDIS_URL"]
        logger.info("embedded Redis pid=%s", queue.embedded_pid(app.instance_path))
    migrate.upgrade(app.config["DATABASE_URL"])
    if app.config["ENV"] == "demo":
        with app.app_context():
            sandboxes = sandbox.SANDBOXES
            printer = ("127.0.0.1", printer_port)
            big_printer = ("127.0.0.1", big_printer_port)
            created = demo.load(
                db.session(),
                public_url=app.config["PUBLIC_URL"],
                credentials_key=app.config["CREDENTIALS_KEY"],
                printer=printer,
                sandbox_kinds=tuple(sandboxes),
                pin_secret=app.config["SECRET_KEY"],
                big_printer=big_printer,
            )
            demo.rewire(
                db.session(),
                public_url=app.config["PUBLIC_URL"],
                printer=printer,
                big_printer=big_printer,
            )
            db.session().commit()
            if created:  # a fresh demo starts with work on the ТСД, more arrives every minute
                for module in sandboxes.values():
                    module.generate_orders(DEMO_FIRST_ORDERS)
                demo.marketplace_month(app, tuple(sandboxes), date.today())
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


@dataclass
class Child:
    """One supervised process: started again (after a backoff) whenever it dies."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(self.command, env=env)
        self.started_at = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def supervise(self, env: dict[str, str], now: float) -> None:
        """Notice a death and schedule the restart; restart when its time has come."""
        if self.process is None or self.running():
            return
        if self.restart_at is None:
            lived = now - self.started_at
            self.failures = 1 if lived >= STABLE_SECONDS else self.failures + 1
            delay = restart_delay(self.failures)
            self.restart_at = now + delay
            logger.warning(
                "%s exited with code %s after %.0fs: restarting in %.0fs (failure %s in a row)",
                self.name,
                self.process.returncode,
                lived,
                delay,
                self.failures,
            )
        elif now >= self.restart_at:
            self.start(env)
            logger.info("restarted %s pid=%s", self.name, self.process.pid)

    def stop(self) -> None:
        if self.running():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def children(
    port: int, printer_ports: tuple[int, int], app_env: str, instance: Path
) -> list[Child]:
    python = sys.executable
    bin_dir = Path(python).parent
    workers = os.environ.get("WAREHOUSE_WEB_WORKERS", "2")
    redis_url = os.environ["WAREHOUSE_REDIS_URL"]
    web = [str(bin_dir / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}"]
    result = [
        Child("worker", [python, "-m", "warehouse.worker"]),
        Child("cron", [str(bin_dir / "rq"), "cron", "warehouse.cron", "--url", redis_url]),
        Child("web", [*web, "--workers", workers, "--threads", "4", "--access-logfile", "-"]),
    ]
    if app_env == "demo":
        spool = str(instance / "printed")  # both virtual Zebras keep their labels here
        printer = [python, "-m", "printers.virtual", "--host", "127.0.0.1", "--port"]
        small, big = printer_ports
        result.insert(0, Child("printer-75x120", [*printer, str(big), "--spool", spool]))
        result.insert(0, Child("printer", [*printer, str(small), "--spool", spool]))
    return result


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        port = choose_port(os.environ.get("PORT"), DEFAULT_WEB_PORT, "web")
        printer_port = choose_port(
            os.environ.get("WAREHOUSE_PRINTER_PORT"), DEFAULT_PRINTER_PORT, "virtual printer"
        )
        big_printer_port = choose_port(
            os.environ.get("WAREHOUSE_BIG_PRINTER_PORT"),
            DEFAULT_BIG_PRINTER_PORT,
            "second virtual printer (75×120)",
            avoid=(port, printer_port),
        )
    except PortTaken as exc:
        logger.error("%s", exc)
        sys.exit(2)
    env = prepare(port, printer_port, big_printer_port)
    app = create_app()
    printers = (printer_port, big_printer_port)
    supervised = children(port, printers, app.config["ENV"], Path(app.instance_path))
    for child in supervised:
        child.start(env)
        logger.info("started %s pid=%s", child.name, child.process.pid if child.process else "")
    if app.config["ENV"] == "demo":
        logger.info(
            "virtual Zebras on 127.0.0.1:%s (58×40) and :%s (75×120)",
            printer_port,
            big_printer_port,
        )
    logger.info(
        "warehouse is up: http://127.0.0.1:%s/tsd/ (ТСД), http://127.0.0.1:%s/ (desk)", port, port
    )
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        for child in supervised:
            child.supervise(env, time.monotonic())
        time.sleep(0.5)
    for child in supervised:
        child.stop()
    for child in supervised:
        child.wait()
    logger.info("warehouse stopped")


if __name__ == "__main__":
    main()
