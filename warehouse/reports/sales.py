"""Sales: the marketplaces' own statistics of orders, sales, returns and cancellations
(FBS and FBO), read every 15 minutes where their APIs allow, kept row by row, and the
report by day, product and cabinet.

A read asks for what changed since a little before the last complete read
(``OVERLAP``: a row the marketplace changed late is read again and replaces itself); the
first read goes ``FIRST_DAYS`` back. A failed read keeps everything and says why.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from warehouse.catalog.card_match import ProductMatcher
from warehouse.marketplaces import connectors
from warehouse.marketplaces.base import SaleRow
from warehouse.models import MarketplaceAccount, Sale, SalesRead, utcnow
from warehouse.reports import items, periods
from warehouse.reports.tables import (
    MONEY_ROOM,
    Column,
    Progress,
    Report,
    Table,
    chart_roubles,
)
from warehouse.shift.charts import bar_chart
from warehouse.shipping.handovers import LOCAL

logger = logging.getLogger(__name__)

OVERLAP = timedelta(hours=1)
FIRST_DAYS = 90
CHUNK = 500


def readable(account: MarketplaceAccount) -> bool:
    """Whether the account's marketplace gives its sales statistics by API."""
    return connectors.offers(account.kind, "sales_since")


def note_of(session: Session, account: MarketplaceAccount) -> SalesRead:
    note = session.get(SalesRead, account.id)
    if note is None:
        note = SalesRead(account_id=account.id, rows=0)
        session.add(note)
        session.flush()
    return note


def since(session: Session, account: MarketplaceAccount, now: datetime) -> datetime:
    note = session.get(SalesRead, account.id)
    if note is None or note.read_until is None:
        return now - timedelta(days=FIRST_DAYS)
    return note.read_until - OVERLAP


def keep(
    session: Session, account: MarketplaceAccount, rows: Iterable[SaleRow], read_until: datetime
) -> int:
    """Insert the new rows, replace the ones read before; note the read as complete."""
    rows = list({row.row_id[:200]: row for row in rows}.values())  # the column's length
    product_of = ProductMatcher(session, account)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        known = dict(
            session.execute(
                select(Sale.row_id, Sale.id).where(
                    Sale.account_id == account.id,
                    Sale.row_id.in_([r.row_id[:200] for r in chunk]),
                )
            )
            .tuples()
            .all()
        )
        values = [_values(account, row, product_of(row)) for row in chunk]
        fresh = [v for v in values if v["row_id"] not in known]
        again = [{**v, "id": known[v["row_id"]]} for v in values if v["row_id"] in known]
        if fresh:
            session.execute(insert(Sale), fresh)
        if again:
            session.execute(update(Sale), again)
    note = note_of(session, account)
    note.read_until, note.tried_at, note.rows, note.error = read_until, utcnow(), len(rows), None
    session.flush()
    logger.info("sales kept account=%s rows=%s", account.id, len(rows))
    return len(rows)


def _values(account: MarketplaceAccount, row: SaleRow, product_id: int | None) -> dict[str, Any]:
    return {
        "account_id": account.id,
        "row_id": row.row_id[:200],
        "kind": row.kind,
        "at": row.at,
        "order_number": row.order_number[:100],
        "scheme": row.scheme,
        "product_id": product_id,
        "sku": row.sku[:100],
        "article": row.article[:100],
        "quantity": max(row.quantity, 0),
        "amount": max(row.amount, 0),
    }


def record_failure(session: Session, account: MarketplaceAccount, exc: Exception) -> None:
    note = note_of(session, account)
    note.tried_at, note.error = utcnow(), (str(exc)[:500] or type(exc).__name__)


def reads(session: Session) -> list[tuple[MarketplaceAccount, SalesRead | None]]:
    """Each cabinet whose marketplace gives sales statistics, and its read."""
    accounts = session.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.id))
    return [(a, session.get(SalesRead, a.id)) for a in accounts if readable(a)]


# --- the report -------------------------------------------------------------------------------


def parse(session: Session, form: dict[str, str]) -> dict[str, Any]:
    period = periods.period(form)
    return {**period.params(), "account_id": periods.account_id(session, form)}


def build(session: Session, params: dict[str, Any], progress: Progress) -> Report:
    period = periods.of(params)
    query = (
        select(
            Sale.at,
            Sale.kind,
            Sale.quantity,
            Sale.amount,
            Sale.product_id,
            Sale.article,
            MarketplaceAccount.name,
        )
        .join(MarketplaceAccount, MarketplaceAccount.id == Sale.account_id)
        .where(Sale.at >= period.since, Sale.at < period.until)
    )
    if params.get("account_id"):
        query = query.where(Sale.account_id == params["account_id"])
    by_day: dict[Any, list[int]] = {day: [0] * 6 for day in period.days()}
    by_product: dict[tuple[items.Item, str], list[int]] = defaultdict(lambda: [0] * 6)
    by_account: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    progress(10, _("Reading sales"))
    for at, kind, quantity, amount, product_id, article, account in session.execute(query):
        day = at.astimezone(LOCAL).date()
        key = items.item(product_id, article)
        for figures in (by_day[day], by_product[(key, account)], by_account[account]):
            _count(figures, kind, quantity, amount)
    progress(60, _("Grouping"))
    names = items.names(session, [key for key, _account in by_product])
    columns = [
        Column("orders", _("Ordered, pcs"), "int"),
        Column("ordered", _("Ordered, amount"), "money"),
        Column("sales", _("Bought, pcs"), "int"),
        Column("sold", _("Bought, amount"), "money"),
        Column("returns", _("Returned, pcs"), "int"),
        Column("cancels", _("Cancelled, pcs"), "int"),
    ]
    days = Table("По дням", _("By day"), [Column("day", _("Day"), "date"), *columns])
    days.rows = [(day, *figures) for day, figures in sorted(by_day.items())]
    days.totals = (_("Total"), *_sum(by_day.values()))
    products = Table(
        "По товарам",
        _("By product"),
        [
            Column("article", _("Article")),
            Column("name", _("Name")),
            Column("account", _("Cabinet")),
            *columns,
        ],
    )
    for (key, account), figures in sorted(by_product.items(), key=lambda kv: -kv[1][3]):
        article, name = names[key]
        products.rows.append((article, name, account, *figures))
    accounts = Table("По кабинетам", _("By cabinet"), [Column("account", _("Cabinet")), *columns])
    accounts.rows = [(account, *figures) for account, figures in sorted(by_account.items())]
    accounts.totals = (_("Total"), *_sum(by_account.values()))
    sold = [(f"{day:%d.%m}", f[3] / 100) for day, f in sorted(by_day.items()) if f[3]]
    chart = bar_chart(sold[-31:], chart_roubles, MONEY_ROOM)
    return Report(
        "sales",
        _(
            "Sales %(start)s – %(end)s",
            start=f"{period.start:%d.%m.%Y}",
            end=f"{period.end:%d.%m.%Y}",
        ),
        [days, products, accounts],
        chart,
        _("Bought out per day, roubles"),
    )


def _count(figures: list[int], kind: str, quantity: int, amount: int) -> None:
    if kind == "order":
        figures[0] += quantity
        figures[1] += amount
    elif kind == "sale":
        figures[2] += quantity
        figures[3] += amount
    elif kind == "return":
        figures[4] += quantity
    elif kind == "cancel":
        figures[5] += quantity


def _sum(rows: Iterable[list[int]]) -> list[int]:
    total = [0] * 6
    for figures in rows:
        total = [a + b for a, b in zip(total, figures, strict=True)]
    return total


def demand(session: Session, since_at: datetime) -> dict[int, int]:
    """Units ordered per product since a moment, less the cancelled (what to order next)."""
    sign = case((Sale.kind == "cancel", -1), else_=1)
    return {
        product_id: max(int(units or 0), 0)
        for product_id, units in session.execute(
            select(Sale.product_id, func.sum(sign * Sale.quantity))
            .where(
                Sale.kind.in_(("order", "cancel")),
                Sale.at >= since_at,
                Sale.product_id.is_not(None),
            )
            .group_by(Sale.product_id)
        ).tuples()
    }
