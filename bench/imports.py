"""Orders imported, mapped and reserved (``bench/run.py`` calls ``measure``).

1,000 and then 10,000 new orders (≈2 lines each: 1–3 lines, random goods of a 2,000-item
catalogue stocked in 400 bins) arrive from four cabinets (WB, Ozon, Yandex Market,
Megamarket) in pages of 500, each page taken in by ``intake.import_orders`` — what the
import job does with a marketplace's answer: the order stored, its lines mapped to our
products by barcode, reserved in bins, its pick task and the «confirm» command queued —
and committed. Each size on a fresh database, in this process; the connectors' HTTP is
not in it (the sandboxes are ours too: their speed is not the warehouse's).
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from bench import common
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import (
    Location,
    MarketplaceAccount,
    Order,
    Product,
    ProductBarcode,
    Reservation,
    Stock,
    StockMove,
    Warehouse,
)
from warehouse.orders import intake

GOODS, BINS, PAGE = 2000, 400, 500
KINDS = ("wb", "ozon", "yandex", "megamarket")


def _catalogue(session: Any, key: str) -> list[MarketplaceAccount]:
    warehouse = Warehouse(code="MAIN", name="Склад")
    session.add(warehouse)
    session.flush()
    session.execute(
        insert(Location),
        [
            {"warehouse_id": warehouse.id, "code": f"B-{n:04}", "barcode": f"LOC-B-{n:04}"}
            | {"walk_order": n}
            for n in range(BINS)
        ],
    )
    session.execute(
        insert(Product), [{"article": f"ART-{n:05}", "name": f"Товар {n}"} for n in range(GOODS)]
    )
    products = dict(session.execute(select(Product.article, Product.id)).tuples().all())
    bins = list(session.scalars(select(Location.id).order_by(Location.id)))
    session.execute(
        insert(ProductBarcode),
        [{"product_id": products[f"ART-{n:05}"], "barcode": _barcode(n)} for n in range(GOODS)],
    )
    rows = [
        {"product_id": products[f"ART-{n:05}"], "location_id": bins[n % BINS], "on_hand": 10**6}
        for n in range(GOODS)
    ]
    session.execute(insert(Stock), [row | {"reserved": 0} for row in rows])
    session.execute(  # the ledger's opening rows, so the stock reconciles as in real life
        insert(StockMove),
        [
            row | {"quantity": row.pop("on_hand"), "reason": "opening", "document": "bench"}
            for row in rows
        ],
    )
    accounts = [
        MarketplaceAccount(
            kind=kind,
            name=kind,
            base_url="http://127.0.0.1:9",
            credentials_encrypted=seal({"token": "bench"}, key),
            warehouse_id=warehouse.id,
        )
        for kind in KINDS
    ]
    session.add_all(accounts)
    session.commit()
    return accounts


def _barcode(n: int) -> str:
    body = f"460{n:09}"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def _orders(count: int, seed: int) -> list[IncomingOrder]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    return [
        IncomingOrder(
            external_id=f"bench-{seed}-{n}",
            status="new",
            created_at=now,
            ship_by=now + timedelta(hours=rng.randint(2, 48)),
            lines=tuple(
                IncomingLine(barcodes=(_barcode(rng.randrange(GOODS)),), article="", quantity=1)
                for _ in range(rng.choice((1, 2, 2, 3)))
            ),
        )
        for n in range(count)
    ]


def _run(count: int, seed: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-import-"))
    env = common.environment(workdir, common.fresh_database(workdir))
    app = common.migrated_app(env, workdir)
    statements = [0]
    with app.app_context():
        session = db.session()
        accounts = _catalogue(session, env["WAREHOUSE_CREDENTIALS_KEY"])
        orders = _orders(count, seed)
        event.listen(
            app.extensions["db.engine"],
            "before_cursor_execute",
            lambda *args: statements.__setitem__(0, statements[0] + 1),
        )
        begin = time.perf_counter()
        for start in range(0, count, PAGE):
            account = accounts[(start // PAGE) % len(accounts)]
            intake.import_orders(session, account, orders[start : start + PAGE])
            session.commit()
        seconds = time.perf_counter() - begin
        reserved = session.scalar(select(func.count(Reservation.id)))
        imported = session.scalar(select(func.count(Order.id)))
    assert imported == count, f"{imported} of {count} orders imported"
    return {"orders": count, "seconds": seconds, "sql": statements[0], "reservations": reserved}


def measure() -> dict[str, Any]:
    small, large = _run(1_000, 1), _run(10_000, 2)
    per_small, per_large = small["seconds"] / 1_000, large["seconds"] / 10_000
    return {
        "orders_per_s": round(10_000 / large["seconds"]),
        "orders_per_s_1000": round(1_000 / small["seconds"]),
        "growth": round(per_large / per_small, 2),
        "sql_per_order": round(large["sql"] / 10_000, 1),
    }
