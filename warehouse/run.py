"""``make run``: the whole system on one machine, with embedded defaults.

Starts (unless configured otherwise) an embedded Redis, migrates the database,
loads the demo data, then runs the virtual Zebra, an RQ worker, RQ cron and
gunicorn as child processes until Ctrl-C, which stops them all.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from warehouse import create_app, db, demo, migrate, queue
from warehouse.config import EMBEDDED
from warehouse.marketplaces import sandbox

logger = logging.getLogger("warehouse.run")
PRINTER_PORT = 9101
DEMO_FIRST_ORDERS = 3


def prepare(port: int) -> dict[str, str]:
    """Environment for the children; migrated database and demo data in place."""
    os.environ.setdefault("WAREHOUSE_PUBLIC_URL", f"http://127.0.0.1:{port}")
    os.environ.setdefault("WAREHOUSE_SANDBOX_ORDERS_PER_MINUTE", "3")
    app = create_app()
    if app.config["REDIS_URL"] == EMBEDDED:
        os.environ["WAREHOUSE_REDIS_URL"] = queue.start_embedded(app.instance_path)
        app.config["REDIS_URL"] = os.environ["WAREHOUSE_REDIS_URL"]
    migrate.upgrade(app.config["DATABASE_URL"])
    if app.config["ENV"] == "demo":
        with app.app_context():
            sandboxes = sandbox.SANDBOXES
            created = demo.load(
                db.session(),
                public_url=app.config["PUBLIC_URL"],
                credentials_key=app.config["CREDENTIALS_KEY"],
                printer=("127.0.0.1", PRINTER_PORT),
                sandbox_kinds=tuple(sandboxes),
                pin_secret=app.config["SECRET_KEY"],
            )
            db.session().commit()
            if created:  # a fresh demo starts with work on the ТСД, more arrives every minute
                for module in sandboxes.values():
                    module.generate_orders(DEMO_FIRST_ORDERS)
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def children(port: int, app_env: str, instance: Path) -> list[list[str]]:
    python = sys.executable
    bin_dir = Path(python).parent
    commands = [
        [python, "-m", "warehouse.worker"],
        [str(bin_dir / "rq"), "cron", "warehouse.cron", "--url", os.environ["WAREHOUSE_REDIS_URL"]],
        [
            str(bin_dir / "gunicorn"),
            "wsgi:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ],
    ]
    if app_env == "demo":
        spool = instance / "printed"
        commands.insert(
            0,
            [
                python,
                "-m",
                "printers.virtual",
                "--host",
                "127.0.0.1",
                "--port",
                str(PRINTER_PORT),
                "--spool",
                str(spool),
            ],
        )
    return commands


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    port = int(os.environ.get("PORT", "8000"))
    env = prepare(port)
    app = create_app()
    processes = [
        subprocess.Popen(command, env=env)
        for command in children(port, app.config["ENV"], Path(app.instance_path))
    ]
    logger.info(
        "warehouse is up: http://127.0.0.1:%s/tsd/ (ТСД), http://127.0.0.1:%s/ (desk)", port, port
    )
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(p.poll() is None for p in processes):
        time.sleep(0.5)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    logger.info("warehouse stopped")
    sys.exit(0 if stopping else 1)


if __name__ == "__main__":
    main()
