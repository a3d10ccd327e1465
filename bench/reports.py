"""Reports (issue #18) on a large seller's data: how long each report takes to build — what
the desk page does on each view, and the RQ job before it writes the file.

    .venv/bin/python bench/reports.py [--scale 1.0]

A fresh database: 1,000 products in stock, a year of the marketplaces' sales statistics
(200,000 rows: orders, buy-outs, returns, cancellations, a cabinet each of WB, Ozon and
YM), a month's realization report per cabinet (50,000 lines in all, half of them about
FBS orders of ours: 25,000 orders with a line each), 30,000 order status changes and
100,000 stock movements. Each report is built for its usual period and for a year, and
written to XLSX; prints seconds per build. ``bench/run.py`` calls ``measure``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_babel import force_locale
from sqlalchemy import insert, select

from bench import common
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.models import (
    CommissionLine,
    CommissionReport,
    Location,
    MarketplaceAccount,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Sale,
    Stock,
    StockMove,
    Warehouse,
)
from warehouse.reports import runs, tables
from warehouse.reports.periods import Period, today

KINDS = ("wb", "ozon", "yandex")


def _seed(session: Any, key: str, scale: float) -> None:
    rng = random.Random(18)
    now = datetime.now(UTC)
    warehouse = Warehouse(code="MAIN", name="Склад")
    session.add(warehouse)
    session.flush()
    session.execute(
        insert(Product),
        [
            {"article": f"ART-{n:04}", "name": f"Товар {n}", "cost_price": 10_000 + n}
            for n in range(1000)
        ],
    )
    products = session.scalars(select(Product.id).order_by(Product.id)).all()
    session.execute(
        insert(Location),
        [
            {"warehouse_id": warehouse.id, "code": f"A-{n:04}", "barcode": f"LOC-{n:04}"}
            for n in range(1000)
        ],
    )
    bins = session.scalars(select(Location.id).order_by(Location.id)).all()
    session.execute(
        insert(Stock),
        [
            {"product_id": p, "location_id": b, "on_hand": 50, "reserved": 0}
            for p, b in zip(products, bins, strict=True)
        ],
    )
    moves = int(100_000 * scale)
    session.execute(
        insert(StockMove),
        [
            {
                "product_id": products[n % 1000],
                "location_id": bins[n % 1000],
                "quantity": rng.choice((-1, 1)),
                "reason": "pick",
                "document": "bench",
                "created_at": now - timedelta(minutes=n * 5),
            }
            for n in range(moves)
        ],
    )
    accounts = []
    for kind in KINDS:
        account = MarketplaceAccount(
            kind=kind,
            name=kind,
            base_url="http://127.0.0.1:9/none",
            credentials_encrypted=seal({"token": "x"}, key),
            warehouse_id=warehouse.id,
            settings={"business_id": "1", "campaign_id": "1"},
        )
        session.add(account)
        session.flush()
        accounts.append(account)
    rows = int(200_000 * scale)
    session.execute(
        insert(Sale),
        [
            {
                "account_id": accounts[n % 3].id,
                "row_id": f"r{n}",
                "kind": ("order", "sale", "order", "sale", "return", "cancel")[n % 6],
                "at": now - timedelta(minutes=n * 525_600 // rows),
                "order_number": f"N{n}",
                "scheme": "fbs" if n % 2 else "fbo",
                "product_id": products[rng.randrange(1000)],
                "article": "",
                "quantity": 1,
                "amount": rng.randrange(300, 3000) * 100,
            }
            for n in range(rows)
        ],
    )
    lines = int(50_000 * scale)
    period = Period(today() - timedelta(days=29), today())
    orders = lines // 2
    for account in accounts:
        session.add(
            CommissionReport(
                account_id=account.id,
                start=period.start,
                end=period.end,
                status="ready",
                read_at=now,
            )
        )
    session.flush()
    reports = session.scalars(select(CommissionReport).order_by(CommissionReport.id)).all()
    session.execute(
        insert(Order),
        [
            {
                "account_id": accounts[n % 3].id,
                "external_id": f"O{n}",
                "marketplace_status": "x",
                "status": "delivered",
            }
            for n in range(orders)
        ],
    )
    order_ids = session.scalars(select(Order.id).order_by(Order.id)).all()
    session.execute(
        insert(OrderLine),
        [
            {
                "order_id": o,
                "product_id": products[n % 1000],
                "article": "",
                "quantity": 1,
                "price_kopecks": 100_000,
            }
            for n, o in enumerate(order_ids)
        ],
    )
    session.execute(
        insert(OrderEvent),
        [
            {
                "order_id": order_ids[n % orders],
                "at": now - timedelta(minutes=n),
                "from_status": "x",
                "to_status": ("picked", "packed", "handed_over", "delivered")[n % 4],
            }
            for n in range(int(30_000 * scale))
        ],
    )
    session.execute(
        insert(CommissionLine),
        [
            {
                "report_id": reports[n % 3].id,
                "row_id": f"l{n}",
                "kind": "sale" if n % 10 else "return",
                "at": now - timedelta(minutes=n % 40_000),
                "order_number": f"O{n // 2}" if n % 2 == 0 else "",
                "scheme": "fbs" if n % 2 == 0 else "fbo",
                "order_id": order_ids[n // 2] if n % 2 == 0 else None,
                "product_id": products[n % 1000],
                "quantity": 1,
                "amount": 100_000 if n % 10 else -100_000,
                "commission": 15_000,
                "logistics": 5_000,
                "payout": 80_000,
            }
            for n in range(lines)
        ],
    )
    session.commit()


def _build(session: Any, kind: str, params: dict[str, Any]) -> tuple[float, float]:
    """Seconds to build the report (the page) and to write its XLSX (the file)."""
    _parse, build = runs.KINDS[kind]
    with force_locale("ru"):
        begin = time.perf_counter()
        report = build(session, params, tables.no_progress)
        built = time.perf_counter() - begin
        begin = time.perf_counter()
        tables.to_xlsx(report)
        written = time.perf_counter() - begin
    session.rollback()
    return built, written


def _run(scale: float) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-reports-"))
    env = common.environment(workdir, common.fresh_database(workdir))
    app = common.migrated_app(env, workdir)
    figures: dict[str, Any] = {"scale": scale}
    end = today()
    month = Period(end - timedelta(days=29), end).params()
    year = Period(end - timedelta(days=364), end).params()
    cases = (
        ("stock", "today", {"day": end.isoformat()}),
        ("stock", "a month ago", {"day": (end - timedelta(days=30)).isoformat()}),
        ("work", "month", month),
        ("sales", "month", {**month, "account_id": None}),
        ("sales", "year", {**year, "account_id": None}),
        ("commissioner", "month", {**month, "account_id": None}),
        ("profit", "month", {**month, "account_id": None}),
        ("reorder", "28 days", {"lead_days": 14, "cover_days": 30, "history_days": 28}),
    )
    with app.app_context():
        session = db.session()
        begin = time.perf_counter()
        _seed(session, env["WAREHOUSE_CREDENTIALS_KEY"], scale)
        print(f"  seeded in {time.perf_counter() - begin:.1f} s")
        for kind, label, params in cases:
            built, written = _build(session, kind, params)
            name = f"{kind}_{label.replace(' ', '_')}"
            figures[f"{name}_build_s"] = round(built, 2)
            figures[f"{name}_xlsx_s"] = round(written, 2)
            print(f"  {kind:<13} {label:<12} build {built:6.2f} s   xlsx {written:6.2f} s")
    return figures


def measure(scale: float = 1.0) -> dict[str, Any]:
    return _run(scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    print(measure(parser.parse_args().scale))


if __name__ == "__main__":
    main()
