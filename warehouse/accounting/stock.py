"""МойСклад's stock by store, read in full and kept beside ours for the desk to compare.

The report (``report/stock/bystore``, every good with ``stockMode=all``) is read page by
page into memory and only then written, replacing the account's rows in one transaction:
a read broken half-way (a 429 that does not pass, a dead МойСклад) keeps the last full
one. A 429 or a timeout on a page is waited out a few times (МойСклад's window is 3 s);
beyond that the read stops and the next one (cron, or the desk's button) starts afresh.
Rows of items not linked to one of our products are counted, not kept.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from warehouse.accounting.moysklad import MoySkladClient, Page, StoreStock
from warehouse.marketplaces.base import TransientError
from warehouse.models import (
    AccountingAccount,
    AccountingItem,
    AccountingStock,
    Product,
    Stock,
    utcnow,
)

logger = logging.getLogger(__name__)

PAGE_TRIES = 5
LONGEST_WAIT = 5.0  # seconds waited inside the job for one page; longer waits end the read

Levels = dict[str, tuple[StoreStock, ...]]  # МойСклад item id → its stock on every store


@dataclass
class Kept:
    products: int = 0  # our products with a row
    rows: int = 0
    unlinked: int = 0  # report rows of items no product of ours is linked to


def read(client: MoySkladClient, limit: int) -> Levels:
    """The whole report; a page read twice (overlapping pages) counts once."""
    levels: Levels = {}
    offset: int | None = 0
    while offset is not None:
        page = _page(client, offset, limit)
        levels.update(dict(page.rows))
        offset = page.next_offset
    return levels


def _page(
    client: MoySkladClient, offset: int, limit: int
) -> Page[tuple[str, tuple[StoreStock, ...]]]:
    for attempt in range(1, PAGE_TRIES + 1):
        try:
            return client.stock_by_store(offset, limit)
        except TransientError as exc:
            wait = exc.retry_after if exc.retry_after is not None else 1.0
            if attempt == PAGE_TRIES or wait > LONGEST_WAIT:
                raise
            logger.info("stock page offset=%s waits %ss: %s", offset, wait, exc)
            time.sleep(wait)
    raise AssertionError("unreachable")


def keep(session: Session, account: AccountingAccount, levels: Levels) -> Kept:
    """Replace the account's rows with ``levels`` (linked items only)."""
    products = dict(
        session.execute(
            select(AccountingItem.external_id, AccountingItem.product_id).where(
                AccountingItem.account_id == account.id
            )
        )
        .tuples()
        .all()
    )
    session.execute(delete(AccountingStock).where(AccountingStock.account_id == account.id))
    kept, now, seen = Kept(), utcnow(), set()
    for item_id, stores in levels.items():
        product_id = products.get(item_id)
        if product_id is None:
            kept.unlinked += 1
            continue
        for store in stores:
            if (product_id, store.store_id) in seen:
                continue  # two items of one product: the first one's stock stands
            seen.add((product_id, store.store_id))
            session.add(
                AccountingStock(
                    account_id=account.id,
                    product_id=product_id,
                    store_id=store.store_id,
                    store_name=store.store_name[:255],
                    stock=store.stock,
                    reserve=store.reserve,
                    in_transit=store.in_transit,
                    read_at=now,
                )
            )
            kept.rows += 1
    kept.products = len({product_id for product_id, _store in seen})
    session.flush()
    logger.info("moysklad stock kept account=%s %s", account.id, kept)
    return kept


# --- the desk ---------------------------------------------------------------------------------


@dataclass
class Line:
    """One product: our on-hand beside МойСклад's stock per store (names as columns)."""

    product: Product
    on_hand: int
    stores: dict[str, AccountingStock] = field(default_factory=dict)
    difference: float | None = None  # МойСклад's stock on the compared store(s) minus ours


@dataclass
class Comparison:
    stores: list[str]
    lines: list[Line]
    total: int  # linked products
    differing: int
    read_at: datetime | None = None
    compared_with: str = ""  # the store name our stock is compared with ("" = all stores)


def compare(
    session: Session, account: AccountingAccount, store_id: str = "", limit: int = 200
) -> Comparison:
    """Every product linked to the account: ours vs МойСклад's, differences first."""
    linked = select(AccountingItem.product_id).where(AccountingItem.account_id == account.id)
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(linked)))}
    ours = dict(
        session.execute(
            select(Stock.product_id, func.sum(Stock.on_hand))
            .where(Stock.product_id.in_(list(products)))
            .group_by(Stock.product_id)
        )
        .tuples()
        .all()
    )
    lines = {pid: Line(product, int(ours.get(pid) or 0)) for pid, product in products.items()}
    rows = session.scalars(select(AccountingStock).where(AccountingStock.account_id == account.id))
    stores: dict[str, str] = {}
    read_at: datetime | None = None
    for row in rows:
        if row.product_id in lines:
            lines[row.product_id].stores[row.store_name] = row
            stores[row.store_id] = row.store_name
            read_at = row.read_at
    compared_with = stores.get(store_id, "")
    for line in lines.values():
        line.difference = _difference(line, store_id) if read_at else None
    ordered = sorted(lines.values(), key=lambda ln: (-abs(ln.difference or 0), ln.product.article))
    differing = sum(1 for line in ordered if line.difference)
    return Comparison(
        sorted(set(stores.values())),
        ordered[:limit],
        len(ordered),
        differing,
        read_at,
        compared_with,
    )


def _difference(line: Line, store_id: str) -> float:
    counted = [row for row in line.stores.values() if not store_id or row.store_id == store_id]
    return sum(row.stock for row in counted) - line.on_hand
