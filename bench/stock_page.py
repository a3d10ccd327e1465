"""The desk's stock page with 10,000 products: each in three bins of two zones (and every
tenth also in the receiving area), a card of each at one cabinet. Times each query the
page makes for one page: the first, one in the middle (keyset), «below minimum only», a
search, one cabinet's cards, one product bin by bin, the cabinets' last pushes.

    .venv/bin/python bench/stock_page.py [--products 10000]

In this process; ``WAREHOUSE_DATABASE_URL`` points it at PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.fernet import Fernet
from sqlalchemy import insert, select

from warehouse import create_app
from warehouse.infra import db, migrate
from warehouse.infra.credentials import seal
from warehouse.models import (
    Listing,
    Location,
    MarketplaceAccount,
    Product,
    ProductBarcode,
    Stock,
    Warehouse,
)
from warehouse.stock import overview

BINS = 300


def fill(session, products: int) -> int:  # type: ignore[no-untyped-def]
    """Products, bins, stock rows and cards, written in bulk; the account's id."""
    warehouse = Warehouse(code="W1", name="Bench")
    session.add(warehouse)
    session.flush()
    session.execute(
        insert(Location),
        [
            {
                "warehouse_id": warehouse.id,
                "code": f"{'AB'[n % 2]}-{n:03d}",
                "barcode": f"LOC-{n:03d}",
                "walk_order": n,
                "zone": "AB"[n % 2],
            }
            for n in range(BINS)
        ]
        + [
            {
                "warehouse_id": warehouse.id,
                "code": "RECEIVING",
                "barcode": "RCV-W1",
                "receiving": True,
            }
        ],
    )
    bins = list(session.scalars(select(Location.id).order_by(Location.id)))
    dock = bins.pop()
    session.execute(
        insert(Product),
        [
            {"article": f"ART-{n:05d}", "name": f"Товар номер {n}", "min_stock": n % 20}
            for n in range(products)
        ],
    )
    ids = list(session.scalars(select(Product.id).order_by(Product.id)))
    session.execute(
        insert(ProductBarcode),
        [{"product_id": pid, "barcode": f"46{pid:011d}", "quantity": 1} for pid in ids],
    )
    stock = []
    for n, pid in enumerate(ids):
        for k in range(3):
            on_hand = (n * 7 + k) % 13
            stock.append(
                {
                    "product_id": pid,
                    "location_id": bins[(n + k * 97) % BINS],
                    "on_hand": on_hand,
                    "reserved": min(on_hand, n % 3),
                }
            )
        if n % 10 == 0:
            stock.append({"product_id": pid, "location_id": dock, "on_hand": 5, "reserved": 0})
    session.execute(insert(Stock), stock)
    account = MarketplaceAccount(
        kind="wb",
        name="WB",
        base_url="http://127.0.0.1:9",
        credentials_encrypted=seal({"token": "x"}),
        warehouse_id=warehouse.id,
    )
    session.add(account)
    session.flush()
    session.execute(
        insert(Listing),
        [
            {"account_id": account.id, "product_id": pid, "sku": f"SKU-{pid}", "last_pushed": 3}
            for pid in ids
        ],
    )
    session.commit()
    return account.id


def timed(label: str, step, repeat: int = 5):  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        begin = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - begin)
    print(f"  {label:<40} {best * 1000:8.1f} ms (best of {repeat})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    os.environ.update(
        {
            "WAREHOUSE_ENV": "dev",
            "WAREHOUSE_SECRET_KEY": uuid.uuid4().hex,
            "WAREHOUSE_CREDENTIALS_KEY": Fernet.generate_key().decode(),
            "WAREHOUSE_LOG_LEVEL": "WARNING",
            "WAREHOUSE_INSTANCE_PATH": str(workdir),
        }
    )
    os.environ.setdefault("WAREHOUSE_DATABASE_URL", f"sqlite:///{workdir / 'warehouse.db'}")
    try:
        app = create_app()
        migrate.upgrade(app.config["DATABASE_URL"])
        with app.app_context():
            session = db.session()
            account_id = fill(session, args.products)
            print(f"stock page, {args.products} products, {BINS} bins:")
            first = timed("first page", lambda: overview.page(session, overview.Filters()))
            middle = f"ART-{args.products // 2:05d}"
            timed(
                "a page in the middle (keyset)",
                lambda: overview.page(session, overview.Filters(), middle),
            )
            below = overview.Filters(below_only=True)
            timed("below minimum only", lambda: overview.page(session, below))
            search = overview.Filters(search="номер 99")
            timed("search «номер 99»", lambda: overview.page(session, search))
            cards = overview.Filters(account_id=account_id)
            timed("one cabinet's cards", lambda: overview.page(session, cards))
            zone = overview.Filters(zone="A")
            timed("zone A", lambda: overview.page(session, zone))
            product_id = first.rows[0].product.id
            timed("one product bin by bin", lambda: overview.product_stock(session, product_id))
            timed("the cabinets' last pushes", lambda: overview.pushes(session))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
