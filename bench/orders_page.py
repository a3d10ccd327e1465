"""The desk's orders window at 50,000 orders, over HTTP as a logged-in supervisor.

    .venv/bin/python bench/orders_page.py [--orders 50000] [--samples 50]

Seeds a fresh SQLite file with N orders (≈2 lines each, five cabinets of four
marketplaces, a parcel for every packed one, some failed marketplace commands and
unlabelled parcels), serves it with gunicorn as ``make run`` does (2 workers × 4
threads) and asks each view ``--samples`` times in a row after a warm-up: the first page,
filters, searches and a page deep in the list by its cursor. Reports p50 / p95 / max in
milliseconds and the answer's size, prints them and writes them to
``bench/results/orders_page-<database>.json``.

With ``WAREHOUSE_DATABASE_URL`` (PostgreSQL) it is measured there instead: that database
is emptied first (``DROP SCHEMA public CASCADE``) and ANALYZEd after the seed. Redis is
the embedded one (or ``WAREHOUSE_REDIS_URL``). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from warehouse.infra import db  # noqa: E402
from warehouse.infra.credentials import seal  # noqa: E402
from warehouse.models import (  # noqa: E402
    MarketplaceAccount,
    Order,
    OrderLine,
    OrderNumber,
    OutboxCommand,
    Parcel,
    Product,
    ProductBarcode,
    User,
    Warehouse,
)
from warehouse.orders import numbers  # noqa: E402
from warehouse.shift.orders_window import Cursor  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CABINETS = (("wb", "WB Главный"), ("wb", "WB Второй"), ("ozon", "Ozon"), ("yandex", "ЯМ"))
CABINETS += (("megamarket", "Мегамаркет"),)
PRODUCTS = 2000
IN_WORK = ("new", "reserved", "awaiting_stock", "picking", "picked", "packed", "labelled")
WITH_PARCEL = ("packed", "labelled", "handed_over", "shipped", "delivered", "returned")
CHUNK = 2000


def seed(env: dict[str, str], workdir: Path, count: int) -> dict[str, str]:
    """The database with ``count`` orders; returns what the views will ask for."""
    app = common.migrated_app(env, workdir)
    with app.app_context():
        session = db.session()
        warehouse = Warehouse(code="MAIN", name="Склад")
        session.add(warehouse)
        session.flush()
        key = env["WAREHOUSE_CREDENTIALS_KEY"]
        accounts = [
            MarketplaceAccount(
                kind=kind,
                name=name,
                base_url="http://127.0.0.1:9",
                credentials_encrypted=seal({"token": "bench"}, key),
                warehouse_id=warehouse.id,
            )
            for kind, name in CABINETS
        ]
        session.add_all(accounts)
        password = generate_password_hash("bench")
        session.add(User(name="Bench", role="admin", login="bench", password_hash=password))
        session.flush()
        _products(session)
        asks = _orders(session, [(a.id, a.kind) for a in accounts], count)
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()
    return asks


def _products(session: Any) -> None:
    session.execute(
        insert(Product),
        [
            {"id": n, "article": f"ART-{n:05d}", "name": f"Товар {n}"}
            for n in range(1, PRODUCTS + 1)
        ],
    )
    session.execute(
        insert(ProductBarcode),
        [{"product_id": n, "barcode": f"46{n:011d}"} for n in range(1, PRODUCTS + 1)],
    )


def _orders(session: Any, accounts: list[tuple[int, str]], count: int) -> dict[str, str]:
    """Orders over 93 days, the last 3 ahead: old ones gone (delivered, some cancelled or
    returned), recent ones in every state of work; ≈2% without a deadline."""
    rng = random.Random(13)
    now = datetime.now(UTC)
    first = now - timedelta(days=90)
    asks: dict[str, str] = {}
    for start in range(0, count, CHUNK):
        rows: dict[str, list[dict[str, Any]]] = {"orders": [], "lines": [], "numbers": []}
        rows.update(parcels=[], outbox=[])
        for n in range(start + 1, min(count, start + CHUNK) + 1):
            account_id, kind = accounts[n % len(accounts)]
            ship_by = first + timedelta(days=93) * (n / count)
            status = _status(rng, ship_by, now)
            external, group, raw = _numbers(kind, n)
            order = {
                "id": n,
                "account_id": account_id,
                "external_id": external,
                "group_id": group,
                "marketplace_status": "UNPAID/WAITING" if n % 997 == 0 else "new",
                "status": status,
                "ship_by": None if n % 50 == 0 else ship_by,
                "placed_at": ship_by - timedelta(days=2),
                "created_at": ship_by - timedelta(days=2),
                "updated_at": ship_by - timedelta(days=2),
                "raw": raw,
            }
            rows["orders"].append(order)
            for line in range(1 + (n % 3 == 0) + (n % 3 != 2)):  # 1, 2 or 3 lines: ≈2
                product = rng.randint(1, PRODUCTS)
                rows["lines"].append(
                    {
                        "order_id": n,
                        "product_id": product,
                        "article": f"ART-{product:05d}",
                        "barcode": f"46{product:011d}",
                        "quantity": 1 + line % 2,
                    }
                )
            for number in numbers.of(kind, external, group, raw):
                rows["numbers"].append({"order_id": n, "number": number})
            if status in WITH_PARCEL:
                label = "" if n % 401 == 0 else f"*{kind.upper()}{n:09d}"
                rows["parcels"].append({"order_id": n, "number": 1, "label_barcode": label})
                if label and n > count // 2:
                    asks.setdefault("sticker", label)
            if status in IN_WORK and n % 53 == 0:
                rows["outbox"].append(
                    {
                        "account_id": account_id,
                        "order_id": n,
                        "kind": "confirm",
                        "status": "failed" if n % 2 else "pending",
                        "attempts": 3,
                        "last_error": "bench: 500 from the marketplace",
                        "payload": {},
                    }
                )
            if n == count // 2 + 1:
                asks["number"] = external
                asks["cursor"] = Cursor(order["ship_by"], n).encode()
        asks.setdefault("article", rows["lines"][0]["article"])
        _insert(session, rows)
    return asks


def _status(rng: random.Random, ship_by: datetime, now: datetime) -> str:
    if ship_by < now - timedelta(days=2):
        return rng.choices(("delivered", "cancelled", "returned", "shipped"), (90, 7, 1, 2))[0]
    if ship_by < now:
        return rng.choice(("handed_over", "shipped", "labelled", "packed", "picking", "reserved"))
    return rng.choice(IN_WORK)


def _numbers(kind: str, n: int) -> tuple[str, str, dict[str, Any]]:
    """The order's number, its group's and its JSON, shaped as each marketplace's."""
    if kind == "wb":
        return str(4_000_000_000 + n), f"uid{n:08d}", {"id": n, "rid": f"{n:x}.0.{n % 7}"}
    if kind == "ozon":
        group = f"{10_000_000 + n}-{n % 10_000:04d}"
        return f"{group}-1", group, {"order_id": 900_000_000 + n, "order_number": group}
    if kind == "yandex":
        return str(500_000_000 + n), "", {"orderId": 500_000_000 + n}
    return str(9_000_000_000 + n), "", {"shipmentId": str(9_000_000_000 + n), "orderCode": f"MM{n}"}


def _insert(session: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    for model, key in (
        (Order, "orders"),
        (OrderLine, "lines"),
        (OrderNumber, "numbers"),
        (Parcel, "parcels"),
        (OutboxCommand, "outbox"),
    ):
        if rows[key]:
            session.execute(insert(model), rows[key])


def log_in(client: httpx.Client) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/login",
        data={"login": "bench", "password": "bench", "csrf_token": token.group(1)},
        headers={"Origin": str(client.base_url).rstrip("/")},
    )
    assert answer.status_code == 302, f"login refused: {answer.status_code}"


def views(asks: dict[str, str]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(name, path, headers): what a supervisor does at the desk."""
    fragment = {"HX-Request": "true", "HX-Trigger": "order-filters"}
    yield "first page (whole desk page)", "/", {}
    yield "first page (list fragment)", "/orders", fragment
    yield "filter: Ozon, every status", "/orders?marketplace=ozon&status=all", fragment
    yield "filter: late", "/orders?problem=late", fragment
    yield "filter: failed commands", "/orders?problem=failed_command", fragment
    yield "filter: ship by tomorrow", "/orders?ship=tomorrow", fragment
    yield "search: an order number", f"/orders?q={asks['number']}", fragment
    yield "search: a sticker", f"/orders?q={asks['sticker']}", fragment
    yield "search: an article (many orders)", f"/orders?q={asks['article']}", fragment
    cursor = asks["cursor"]
    yield "page in the middle (cursor)", f"/orders?status=all&after={cursor}", fragment


def measure(base: str, asks: dict[str, str], samples: int) -> list[dict[str, Any]]:
    figures = []
    with httpx.Client(base_url=base, timeout=60) as client:
        log_in(client)
        for name, path, headers in views(asks):
            for _ in range(3):  # warm-up: the workers' caches, the database's pages
                client.get(path, headers=headers)
            latencies, sizes = [], []
            for _ in range(samples):
                begin = time.perf_counter()
                answer = client.get(path, headers=headers)
                latencies.append((time.perf_counter() - begin) * 1000)
                sizes.append(len(answer.content))
                assert answer.status_code == 200, f"{path}: {answer.status_code}"
            figures.append(_figure(name, path, latencies, sizes, answer.text))
    return figures


def _figure(
    name: str, path: str, latencies: list[float], sizes: list[int], body: str
) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {
        "view": name,
        "path": path,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "max_ms": round(ordered[-1], 1),
        "kb": round(max(sizes) / 1024, 1),
        "rows": body.count('class="order-row'),
    }


def report(
    database: str,
    count: int,
    seconds: float,
    figures: list[dict[str, Any]],
    loads: tuple[float, float],
) -> None:
    """The figures as a table; the machine's load (1 min) before and after, since a busy
    machine's p95 is its neighbours' as much as ours."""
    print(f"\n{database}: {count} orders, seeded in {seconds:.0f} s; load {loads[0]} → {loads[1]}")
    print(f"  {'view':<34} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'KB':>6} {'rows':>5}")
    for f in figures:
        print(
            f"  {f['view']:<34} {f['p50_ms']:>7} {f['p95_ms']:>7} {f['max_ms']:>7} "
            f"{f['kb']:>6} {f['rows']:>5}"
        )


def write(
    database: str,
    count: int,
    samples: int,
    seconds: float,
    figures: list[Any],
    loads: tuple[float, float],
) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"orders_page-{database}.json"
    result = {
        "bench": "orders_page",
        "database": database,
        "orders": count,
        "samples": samples,
        "seed_seconds": round(seconds, 1),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_average_1min": {"before": loads[0], "after": loads[1]},
        "figures": figures,
    }
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def run(count: int, samples: int) -> dict[str, Any]:
    """Seed ``count`` orders, serve them, measure every view; the figures (and the file)."""
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    database = common.database_kind()
    try:
        env = common.environment(workdir, common.fresh_database(workdir))
        begin = time.perf_counter()
        asks = seed(env, workdir, count)
        seconds = time.perf_counter() - begin
        port = common.free_port()
        server = common.serve("wsgi:app", env, port)
        try:
            load = os.getloadavg()[0]
            figures = measure(f"http://127.0.0.1:{port}", asks, samples)
        finally:
            common.stop(server)
        loads = (round(load, 2), round(os.getloadavg()[0], 2))
        report(database, count, seconds, figures, loads)
        print(f"  written to {write(database, count, samples, seconds, figures, loads)}")
        return {"figures": figures, "seed_seconds": round(seconds, 1), "load": loads}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    run(args.orders, args.samples)


if __name__ == "__main__":
    main()
