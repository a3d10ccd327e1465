"""FBO stock: what each marketplace's own report says our goods are in its warehouses,
kept beside our FBS stock for the desk (and the reports, #18).

The report is read in full (WB: the «warehouse remains» report made on request; Ozon:
stock on warehouses, page by page; Yandex Market: the FBY shop's stocks, when the account
names one; Megamarket's API gives none) and only then written, replacing the account's
rows in one transaction: a read broken half-way keeps the last full one. Each row is
matched to one of our products by the card it is of (the account's listing by its stock
key or marketplace id), else by barcode, else by article; rows of goods we do not know
are counted, not kept. The read's outcome is the account's ``FboRead``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from warehouse.catalog.card_match import ProductMatcher
from warehouse.marketplaces.base import FboRow, MarketplaceError
from warehouse.models import (
    FboRead,
    FboStock,
    FboStockDay,
    MarketplaceAccount,
    utcnow,
)
from warehouse.shipping.handovers import LOCAL

logger = logging.getLogger(__name__)

# Marketplaces whose API gives FBO stock (YM only for an account naming its FBY shop).
READABLE = ("wb", "ozon", "yandex")
DAYS_KEPT = 400  # a year back and a little more: the stock report of a past date


@dataclass
class Kept:
    rows: int = 0  # kept rows (product × warehouse)
    products: int = 0
    unlinked: int = 0  # report rows of goods none of ours is


def read(client: object) -> list[FboRow] | None:
    """The account's whole FBO report; None when its marketplace (or set-up) gives none."""
    reader = getattr(client, "fbo_stock", None)
    return None if reader is None else reader()


def keep(session: Session, account: MarketplaceAccount, rows: Iterable[FboRow]) -> Kept:
    """Replace the account's rows with ``rows`` (our products only), and note the read."""
    match = ProductMatcher(session, account)
    levels: dict[tuple[int, str], list[int]] = {}
    kept = Kept()
    for row in rows:
        product_id = match(row)
        if product_id is None:
            kept.unlinked += 1
            continue
        level = levels.setdefault((product_id, row.warehouse[:255]), [0, 0, 0])
        level[0] += row.available
        level[1] += row.reserved
        level[2] += row.incoming
    session.execute(delete(FboStock).where(FboStock.account_id == account.id))
    now = utcnow()
    session.add_all(
        FboStock(
            account_id=account.id,
            product_id=product_id,
            warehouse_name=warehouse,
            available=available,
            reserved=reserved,
            incoming=incoming,
            read_at=now,
        )
        for (product_id, warehouse), (available, reserved, incoming) in levels.items()
    )
    _keep_day(session, account, now, levels)
    kept.rows = len(levels)
    kept.products = len({product_id for product_id, _warehouse in levels})
    note = _read_of(session, account)
    note.read_at, note.rows, note.unlinked = now, kept.rows, kept.unlinked
    note.error = None
    session.flush()
    logger.info("fbo stock kept account=%s %s", account.id, kept)
    return kept


def _keep_day(
    session: Session,
    account: MarketplaceAccount,
    now: datetime,
    levels: dict[tuple[int, str], list[int]],
) -> None:
    """The day's last full read, for the stock report of a past date (kept ``DAYS_KEPT``)."""
    day = now.astimezone(LOCAL).date()
    session.execute(
        delete(FboStockDay).where(
            FboStockDay.account_id == account.id,
            (FboStockDay.day == day) | (FboStockDay.day < day - timedelta(days=DAYS_KEPT)),
        )
    )
    session.add_all(
        FboStockDay(
            day=day,
            account_id=account.id,
            product_id=product_id,
            warehouse_name=warehouse,
            available=available,
            reserved=reserved,
            incoming=incoming,
        )
        for (product_id, warehouse), (available, reserved, incoming) in levels.items()
    )


def record_failure(session: Session, account: MarketplaceAccount, exc: MarketplaceError) -> None:
    """The read failed: the last full one stands, the failure is shown beside it."""
    note = _read_of(session, account)
    note.failed_at, note.error = utcnow(), str(exc)[:500]
    session.flush()


def _read_of(session: Session, account: MarketplaceAccount) -> FboRead:
    note = session.get(FboRead, account.id)
    if note is None:
        note = FboRead(account_id=account.id, rows=0, unlinked=0)
        session.add(note)
    return note


# --- the desk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Levels:
    available: int = 0
    reserved: int = 0
    incoming: int = 0


def totals(
    session: Session, product_ids: list[int], account_id: int | None = None
) -> dict[int, Levels]:
    """product id → its FBO units over every account's warehouses (or one account's)."""
    if not product_ids:
        return {}
    query = (
        select(
            FboStock.product_id,
            func.sum(FboStock.available),
            func.sum(FboStock.reserved),
            func.sum(FboStock.incoming),
        )
        .where(FboStock.product_id.in_(product_ids))
        .group_by(FboStock.product_id)
    )
    if account_id is not None:
        query = query.where(FboStock.account_id == account_id)
    return {
        product: Levels(int(available), int(reserved), int(incoming))
        for product, available, reserved, incoming in session.execute(query)
    }


def of_product(session: Session, product_id: int) -> list[FboStock]:
    """A product's FBO rows, account by account, warehouse by warehouse."""
    return list(
        session.scalars(
            select(FboStock)
            .join(MarketplaceAccount, MarketplaceAccount.id == FboStock.account_id)
            .where(FboStock.product_id == product_id)
            .order_by(MarketplaceAccount.id, FboStock.warehouse_name)
        )
    )


@dataclass
class Source:
    """An account's FBO report: whether its API gives one, and its last read."""

    account: MarketplaceAccount
    readable: bool
    read: FboRead | None
    units: int = 0  # free to sell over its warehouses, as last read
    warehouses: list[str] = field(default_factory=list)

    @property
    def read_at(self) -> datetime | None:
        return self.read.read_at if self.read else None


def sources(session: Session, account_id: int | None = None) -> list[Source]:
    query = select(MarketplaceAccount).order_by(MarketplaceAccount.id)
    if account_id is not None:
        query = query.where(MarketplaceAccount.id == account_id)
    found = []
    for account in session.scalars(query):
        units = session.scalar(
            select(func.coalesce(func.sum(FboStock.available), 0)).where(
                FboStock.account_id == account.id
            )
        )
        names = session.scalars(
            select(FboStock.warehouse_name)
            .where(FboStock.account_id == account.id, FboStock.warehouse_name != "")
            .distinct()
            .order_by(FboStock.warehouse_name)
        )
        found.append(
            Source(
                account,
                readable(account),
                session.get(FboRead, account.id),
                int(units or 0),
                list(names),
            )
        )
    return found


def readable(account: MarketplaceAccount) -> bool:
    """Its marketplace's API gives FBO stock (YM: once the account names its FBY shop)."""
    if account.kind == "yandex":
        return bool(str((account.settings or {}).get("fby_campaign_id") or "").strip())
    return account.kind in READABLE
