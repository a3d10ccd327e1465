"""Scan round trips on the real stack: gunicorn (as ``make run`` starts it) on loopback.

Several pickers pick at once, each on their own task, as fast as their terminal answers:
bin, then every unit. Reports scans per second and the latency a picker feels per scan
(p50 / p95 / p99 / max), and the answer fragment's size.

    .venv/bin/python bench/scan_roundtrip.py [--pickers 4] [--orders 40] [--units 5]

The database is a fresh SQLite file (or ``WAREHOUSE_DATABASE_URL``, e.g. PostgreSQL);
Redis is the embedded one (or ``WAREHOUSE_REDIS_URL``). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warehouse import create_app, demo  # noqa: E402
from warehouse.demo_catalogue import PRODUCTS  # noqa: E402
from warehouse.infra import db, migrate, queue  # noqa: E402
from warehouse.marketplaces.base import IncomingLine, IncomingOrder  # noqa: E402
from warehouse.models import MarketplaceAccount, User  # noqa: E402
from warehouse.orders import intake  # noqa: E402

SHIRT = PRODUCTS[1]  # no marking codes: one scan is one unit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(workdir: Path) -> dict[str, str]:
    env = {
        "WAREHOUSE_ENV": "dev",
        "WAREHOUSE_SECRET_KEY": uuid.uuid4().hex,
        "WAREHOUSE_CREDENTIALS_KEY": Fernet.generate_key().decode(),
        "WAREHOUSE_LOG_LEVEL": "WARNING",
    }
    env.setdefault("WAREHOUSE_DATABASE_URL", f"sqlite:///{workdir / 'warehouse.db'}")
    for name in ("WAREHOUSE_DATABASE_URL", "WAREHOUSE_REDIS_URL"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def seed(env: dict[str, str], workdir: Path, pickers: int, order_count: int, units: int) -> None:
    os.environ.update(env)
    app = create_app()
    if app.config["REDIS_URL"] == "embedded":
        env["WAREHOUSE_REDIS_URL"] = queue.start_embedded(str(workdir))
        app.config["REDIS_URL"] = env["WAREHOUSE_REDIS_URL"]
    migrate.upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        session = db.session()
        demo.load(
            session,
            public_url="http://127.0.0.1:9",
            credentials_key=env["WAREHOUSE_CREDENTIALS_KEY"],
        )
        for n in range(pickers):
            session.add(User(name=f"Bench {n}", role="picker", badge=f"BENCH-{n}"))
        account = session.scalar(select(MarketplaceAccount).limit(1))
        assert account is not None
        now = datetime.now(UTC)
        line = IncomingLine(barcodes=(SHIRT.barcodes[0],), article="", quantity=units)
        batch = [
            IncomingOrder(external_id=f"bench-{n}", status="new", created_at=now, lines=(line,))
            for n in range(order_count)
        ]
        intake.import_orders(session, account, batch)
        session.commit()


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "wsgi:app", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--threads", "4", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


refused: list[str] = []


def picker(base: str, badge: str, units: int, latencies: list[float], sizes: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        client.post("/tsd/login", data={"badge": badge})
        while True:
            started = client.post("/tsd/next")
            location = started.headers.get("location", "")
            if "/tsd/tasks/" not in location:
                return
            url = location.rstrip("/") + "/scan"
            for code in [f"LOC-{SHIRT.bin}"] + [SHIRT.barcodes[0]] * units:
                begin = time.perf_counter()
                answer = client.post(url, data={"barcode": code, "scan_id": uuid.uuid4().hex})
                latencies.append(time.perf_counter() - begin)
                sizes.append(len(answer.content))
                if answer.status_code != 200:
                    refused.append(f"{answer.status_code} {code}: {answer.text[:160]}")


def report(latencies: list[float], sizes: list[int], elapsed: float, pickers: int) -> None:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    print(f"pickers            {pickers}")
    print(f"scans              {len(ordered)} in {elapsed:.2f} s = {len(ordered) / elapsed:.0f}/s")
    print(
        f"latency ms         p50 {pct(0.5):.1f}  p95 {pct(0.95):.1f}  p99 {pct(0.99):.1f}  "
        f"max {ordered[-1] * 1000:.1f}"
    )
    print(f"fragment bytes     mean {statistics.mean(sizes):.0f}  max {max(sizes)}")
    print(f"refused            {len(refused)}" + "".join(f"\n  {line}" for line in refused[:5]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pickers", type=int, default=4)
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--units", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    env = environment(workdir)
    seed(env, workdir, args.pickers, args.orders, args.units)
    port = free_port()
    server = serve(env, port)
    latencies: list[float] = []
    sizes: list[int] = []
    try:
        threads = [
            threading.Thread(
                target=picker,
                args=(f"http://127.0.0.1:{port}", f"BENCH-{n}", args.units, latencies, sizes),
            )
            for n in range(args.pickers)
        ]
        begin = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report(latencies, sizes, time.perf_counter() - begin, args.pickers)
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
