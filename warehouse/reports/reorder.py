"""What to order next («автозаказ»): per product, how fast it sells (units ordered on every
marketplace over the last ``history_days``, less the cancelled, from the sales
statistics), the stock it has (free FBS units in our warehouses, units in the receiving
area, FBO units the marketplaces hold or have coming in), the days that stock covers, and
the units to order so it lasts the supplier's lead time plus the days to cover.

Suggested = ⌈per day × (lead time + days to cover)⌉ − stock; a product whose free units
are below its minimum is suggested up to the minimum at least.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import (
    AccountingDocument,
    FboStock,
    Location,
    OutboxCommand,
    Product,
    Receipt,
    Sale,
    Stock,
    utcnow,
)
from warehouse.reports import sales
from warehouse.reports.tables import (
    Column,
    Progress,
    Report,
    Table,
    chart_number,
)
from warehouse.shift.charts import bar_chart
from warehouse.stock.overview import free_units, in_transit_units

LIMITS = {"lead_days": (0, 365, 14), "cover_days": (1, 365, 30), "history_days": (7, 365, 28)}


def parse(session: Session, form: dict[str, str]) -> dict[str, Any]:
    found = {}
    for name, (low, high, default) in LIMITS.items():
        text = (form.get(name) or "").strip()
        if not text:
            found[name] = default
            continue
        if not text.isdecimal() or len(text) > 3 or not low <= int(text) <= high:
            raise DomainError("reorder_bad_days", low=low, high=high)
        found[name] = int(text)
    return found


def covered_days(session: Session, window: int, now: datetime) -> int:
    """The days of the window the sales statistics cover: a window longer than what was
    ever read would spread its sales thin (90 days are read the first time)."""
    first = session.scalar(select(func.min(Sale.at)))
    if first is None:
        return window
    return max(1, min(window, math.ceil((now - first).total_seconds() / 86_400)))


ON_ORDER_DAYS = 120  # a purchase order older than this and never received is forgotten


def on_order(session: Session, now: datetime) -> dict[int, int]:
    """Units per product on purchase orders sent from here (or on their way to МойСклад)
    that no delivery was opened from yet: once one is, its units are in receiving or on a
    shelf and counted there. An order МойСклад refused or that was cancelled counts not."""
    received = select(Receipt.purchase_order_id).where(Receipt.purchase_order_id.is_not(None))
    documents = session.execute(
        select(AccountingDocument.positions, AccountingDocument.skipped)
        .join(OutboxCommand, OutboxCommand.id == AccountingDocument.command_id)
        .where(
            AccountingDocument.kind == "purchaseorder",
            AccountingDocument.created_at >= now - timedelta(days=ON_ORDER_DAYS),
            OutboxCommand.status.in_(("pending", "done")),
            (AccountingDocument.moysklad_id.is_(None))
            | AccountingDocument.moysklad_id.not_in(received),
        )
    )
    found: dict[int, int] = {}
    for positions, skipped in documents:
        for line in [*positions, *(s for s in skipped if s.get("reason") != "not_linked")]:
            found[int(line["product"])] = found.get(int(line["product"]), 0) + int(line["quantity"])
    return found


def suggestions(session: Session, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(product, ordered in the window, per day, free FBS, in receiving + on order, FBO,
    days of cover or None, units to order) for every active product that sells or is
    below its minimum, the most urgent first."""
    lead, cover, window = params["lead_days"], params["cover_days"], params["history_days"]
    now = utcnow()
    demand = sales.demand(session, now - timedelta(days=window))
    window = covered_days(session, window, now)
    ordered_from_supplier = on_order(session, now)
    ours = {
        product_id: (int(free or 0), int(coming or 0))
        for product_id, free, coming in session.execute(
            select(Stock.product_id, func.sum(free_units()), func.sum(in_transit_units()))
            .join(Location, Location.id == Stock.location_id)
            .group_by(Stock.product_id)
        )
    }
    theirs = {
        product_id: int(units or 0)
        for product_id, units in session.execute(
            select(
                FboStock.product_id,
                func.sum(FboStock.available + FboStock.reserved + FboStock.incoming),
            ).group_by(FboStock.product_id)
        )
    }
    rows = []
    for product in session.scalars(select(Product).where(Product.active.is_(True))):
        ordered = demand.get(product.id, 0)
        free, coming = ours.get(product.id, (0, 0))
        coming += ordered_from_supplier.get(product.id, 0)
        fbo = theirs.get(product.id, 0)
        stock = free + coming + fbo
        per_day = ordered / window
        needed = math.ceil(per_day * (lead + cover)) - stock if per_day else 0
        if product.min_stock and free < product.min_stock:
            needed = max(needed, product.min_stock - free - coming)
        if not ordered and needed <= 0:
            continue
        days = round(stock / per_day, 1) if per_day else None
        rows.append((product, ordered, round(per_day, 2), free, coming, fbo, days, max(needed, 0)))
    rows.sort(key=lambda r: (r[6] if r[6] is not None else math.inf, r[0].article))
    return rows


def build(session: Session, params: dict[str, Any], progress: Progress) -> Report:
    progress(10, _("Sales velocity"))
    rows = suggestions(session, params)
    progress(70, _("Suggested order"))
    table = Table(
        "Автозаказ",
        _("What to order next"),
        [
            Column("article", _("Article")),
            Column("name", _("Name")),
            Column("ordered", _("Ordered in the window"), "int"),
            Column("per_day", _("Per day"), "percent"),
            Column("free", _("Free FBS"), "int"),
            Column("receiving", _("In receiving or on order"), "int"),
            Column("fbo", _("FBO"), "int"),
            Column("days", _("Days of cover"), "percent"),
            Column("order", _("To order"), "int"),
            Column("cost", _("Cost price"), "money"),
            Column("value", _("Order value"), "money"),
        ],
    )
    total = 0
    for product, ordered, per_day, free, coming, fbo, days, needed in rows:
        value = needed * product.cost_price if product.cost_price is not None else None
        total += value or 0
        table.rows.append(
            (
                product.article,
                product.name,
                ordered,
                per_day,
                free,
                coming,
                fbo,
                days,
                needed,
                product.cost_price,
                value,
            )
        )
    table.totals = (
        _("Total"),
        "",
        None,
        None,
        None,
        None,
        None,
        None,
        sum(r[-1] for r in rows),
        None,
        total,
    )
    urgent = [(product.article, days) for product, *_rest, days, _needed in rows[:15]]
    chart = bar_chart(urgent, chart_number)
    return Report(
        "reorder",
        _(
            "What to order: lead time %(lead)s d, cover %(cover)s d, sales of %(window)s d",
            lead=params["lead_days"],
            cover=params["cover_days"],
            window=params["history_days"],
        ),
        [table],
        chart,
        _("Days of cover, the most urgent"),
    )
