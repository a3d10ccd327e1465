"""The scan beside its references, on the real stack (``bench/run.py`` calls ``measure``).

Twenty pickers each take a pick task of one line (the demo's unmarked goods, round the
bins) and scan it over HTTP through gunicorn with the demo's settings: 90 % the right
product, 5 % another product, 5 % a code nobody knows, a unique scan id each. Beside it,
the same gunicorn settings serve ``bench/reference_app.py``: a minimal Flask endpoint
(``bare``) and a raw-``sqlite3`` insert-and-count (``floor``).

- ``cpu_ms``: the gunicorn workers' CPU (/proc) per scan, and the same for the
  references, measured in turns (five rounds of 300 each, the median of each kept):
  ``cpu_ratio_to_floor`` = scan ÷ floor, ``cpu_ratio_rounds`` each round's;
- ``p50_ms`` / ``p99_ms`` at 100 scans/s and ``p99_ms_300`` at 300 scans/s, open loop
  (sent on schedule, counted from when due), 30 s each;
- ``rps``: twenty pickers scanning without a pause;
- ``sql_per_scan`` (statements per scan, the same mix, in process) and ``response_bytes``;
- ``web_worker_peak_rss_mb``: a gunicorn worker's peak memory after all that.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from warehouse import create_app, demo
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import waves
from warehouse.infra import db
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import MarketplaceAccount, Order, PickTask, Stock, User
from warehouse.orders import intake
from warehouse.stock import ledger

PICKERS = 20
UNITS = 2000  # per task: more than every phase together scans
GOODS = [product for product in PRODUCTS if not product.marked]
UNKNOWN = "2999999999990"
CPU_SCANS = 1500
CPU_ROUNDS = 5
SQL_SCANS = 300


def mix(product: Any) -> list[list[Any]]:
    """What a picker scans: mostly right, some another product, some unknown."""
    other = next(p for p in GOODS if p.article != product.article)
    return [[product.barcodes[0], 90], [other.barcodes[0], 5], [UNKNOWN, 5]]


def seed(env: dict[str, str], workdir: Path) -> list[dict[str, Any]]:
    """The demo warehouse, a picker per task (+ one for the in-process count); returns
    the pickers as the load generator takes them."""
    app = common.migrated_app(env, workdir)
    pickers = []
    with app.app_context():
        s = db.session()
        demo.load(
            s, public_url="http://127.0.0.1:9", credentials_key=env["WAREHOUSE_CREDENTIALS_KEY"]
        )
        for stock in s.scalars(select(Stock)):
            ledger.move(s, stock, UNITS * PICKERS, "count", document="bench", user=None)
        account = s.scalar(select(MarketplaceAccount).limit(1))
        assert account is not None
        now = datetime.now(UTC)
        orders, people = [], []
        for n in range(PICKERS + 1):
            product = GOODS[n % len(GOODS)]
            badge = "BENCH-SQL" if n == PICKERS else f"BENCH-{n}"
            people.append(User(name=f"Bench {n}", role="picker", badge=badge))
            line = IncomingLine(barcodes=(product.barcodes[0],), article="", quantity=UNITS)
            orders.append(IncomingOrder(f"bench-{n}", "new", now, (line,)))
            pickers.append({"badge": badge, "first": f"LOC-{product.bin}", "codes": mix(product)})
        s.add_all(people)
        intake.import_orders(s, account, orders)
        lead = s.scalars(select(User).where(User.role == "admin")).first()
        assert lead is not None
        for n, person in enumerate(people):  # each task to its picker, as the desk does
            task = s.scalars(
                select(PickTask).join(Order).where(Order.external_id == f"bench-{n}")
            ).one()
            waves.assign_task(s, task.id, person.id, lead)
        s.commit()
    return pickers


def sql_per_scan(env: dict[str, str], who: dict[str, Any]) -> float:
    """Statements the database runs per scan, the same mix, through the app in process."""
    os.environ.update(env)
    app = create_app()
    client = app.test_client()
    token = _token(client.get("/tsd/login").get_data(as_text=True))
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    client.post("/tsd/login", data={"badge": who["badge"]}, headers=headers)
    headers["X-CSRFToken"] = _token(client.get("/tsd/").get_data(as_text=True))
    url = client.post("/tsd/next", headers=headers).headers["location"].rstrip("/") + "/scan"
    client.post(url, data={"barcode": who["first"], "scan_id": "bin"}, headers=headers)
    counted: Counter[str] = Counter()
    event.listen(
        app.extensions["db.engine"],
        "before_cursor_execute",
        lambda *args: counted.update(["statement"]),
    )
    codes = [code for code, weight in who["codes"] for _ in range(weight)]
    for n in range(SQL_SCANS):
        data = {"barcode": codes[n % len(codes)], "scan_id": uuid.uuid4().hex}
        client.post(url, data=data, headers=headers)
    return round(counted["statement"] / SQL_SCANS, 2)


def _token(page: str) -> str:
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def _cpu_ms(server: Any, job: dict[str, Any]) -> float:
    """The server's workers' CPU per measured request (the load generator reads it around
    its requests: the pickers' log-ins before them are not counted)."""
    result = common.load({**job, "cpu_of": common.children(server.pid)})
    return round(result["cpu_s"] / result["requests"] * 1000, 3)


def _cpu_side_by_side(
    server: Any, reference: Any, base: str, ref: str, crew: list[dict[str, Any]]
) -> dict[str, Any]:
    """CPU per request of the scan, the bare endpoint and the floor, measured in turns
    (CPU_ROUNDS rounds of each, CPU_SCANS requests in all): a shared machine's slow
    minute then falls on all three alike; each figure is the median of its rounds, and
    the ratio's rounds are kept beside it to show the spread."""
    closed = {"requests": CPU_SCANS // CPU_ROUNDS, "concurrency": 4}
    rounds: dict[str, list[float]] = {"cpu_ms": [], "bare_cpu_ms": [], "floor_cpu_ms": []}
    for _ in range(CPU_ROUNDS):
        rounds["cpu_ms"].append(_cpu_ms(server, {"base": base, "pickers": crew, **closed}))
        rounds["bare_cpu_ms"].append(_cpu_ms(reference, {"base": ref, "path": "/bare", **closed}))
        rounds["floor_cpu_ms"].append(_cpu_ms(reference, {"base": ref, "path": "/floor", **closed}))
    figures: dict[str, Any] = {name: median(values) for name, values in rounds.items()}
    figures["cpu_ratio_to_floor"] = round(figures["cpu_ms"] / figures["floor_cpu_ms"], 2)
    figures["cpu_ratio_rounds"] = [
        round(scan / floor, 2)
        for scan, floor in zip(rounds["cpu_ms"], rounds["floor_cpu_ms"], strict=True)
    ]
    return figures


def measure(workdir: Path) -> dict[str, Any]:
    env = common.environment(workdir, common.fresh_database(workdir))
    pickers = seed(env, workdir)
    crew, counter = pickers[:PICKERS], pickers[PICKERS]
    port, ref_port = common.free_port(), common.free_port()
    floor_env = {"BENCH_FLOOR_DB": str(workdir / "floor.db")}
    server = common.serve("wsgi:app", env, port)
    reference = common.serve("bench.reference_app:app", floor_env, ref_port, health="/")
    base, ref = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ref_port}"
    try:
        common.load({"base": base, "pickers": crew, "seconds": 5, "concurrency": 4})  # warm
        for path in ("/bare", "/floor"):
            common.load({"base": ref, "path": path, "requests": 300, "concurrency": 4})
        figures: dict[str, Any] = _cpu_side_by_side(server, reference, base, ref, crew)
        at_100 = common.load({"base": base, "pickers": crew, "rate": 100, "seconds": 30})
        at_300 = common.load({"base": base, "pickers": crew, "rate": 300, "seconds": 30})
        flat_out = common.load({"base": base, "pickers": crew, "seconds": 10})
        figures.update(
            p50_ms=at_100["p50_ms"],
            p99_ms=at_100["p99_ms"],
            p50_ms_300=at_300["p50_ms"],
            p99_ms_300=at_300["p99_ms"],
            rps=flat_out["rps"],
            response_bytes=at_100["mean_bytes"],
            statuses=at_100["statuses"],
            errors=at_100["errors"] + at_300["errors"] + flat_out["errors"],
            web_worker_peak_rss_mb=max(
                common.peak_rss_mb(pid) for pid in common.children(server.pid)
            ),
        )
        time.sleep(0.5)
    finally:
        common.stop(server)
        common.stop(reference)
    figures["sql_per_scan"] = sql_per_scan(env, counter)
    figures["env"] = env  # the seeded system, for the RQ worker's memory
    return figures
