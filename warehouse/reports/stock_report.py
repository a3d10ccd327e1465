"""Stock on a date, with its cost: FBS from our ledger (what each of our warehouses held at
the end of that Moscow day: today's stock less every movement after it), FBO from each
marketplace's own report as last read that day (``fbo_stock_days``; today: the last read).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import (
    FboStock,
    FboStockDay,
    Location,
    MarketplaceAccount,
    Product,
    Stock,
    StockMove,
    Warehouse,
)
from warehouse.reports import periods
from warehouse.reports.periods import Period
from warehouse.reports.tables import (
    MONEY_ROOM,
    Column,
    Progress,
    Report,
    Table,
    chart_roubles,
)
from warehouse.shift.charts import bar_chart
from warehouse.stock import fbo as fbo_stock


def parse(session: Session, form: dict[str, str]) -> dict[str, Any]:
    day = periods.day(form.get("day", ""))
    if day > periods.today():
        raise DomainError("report_future_day")
    return {"day": day.isoformat()}


def fbs(session: Session, day: date) -> dict[tuple[int, str], int]:
    """Units per (product, warehouse name) at the end of ``day``: the stock now less every
    movement after the day, in one statement (one snapshot: a pick committed in between
    cannot count on one side only)."""
    after = Period(day, day).until
    now = select(
        Stock.product_id.label("product_id"),
        Stock.location_id.label("location_id"),
        Stock.on_hand.label("units"),
    )
    since = select(StockMove.product_id, StockMove.location_id, -StockMove.quantity).where(
        StockMove.created_at >= after
    )
    both = union_all(now, since).subquery()
    rows = session.execute(
        select(both.c.product_id, Warehouse.name, func.sum(both.c.units))
        .join(Location, Location.id == both.c.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .group_by(both.c.product_id, Warehouse.name)
    )
    return {(product_id, name): int(units) for product_id, name, units in rows if units}


def fbo(session: Session, day: date) -> tuple[dict[tuple[int, str, str], int], set[str]]:
    """Units the marketplaces held per (product, cabinet, their warehouse) that day, and
    the cabinets with a read kept for it (the others' FBO is unknown, not zero)."""
    rows: list[tuple[int, str, str, int, int]]
    if day >= periods.today():
        rows = list(
            session.execute(
                select(
                    FboStock.product_id,
                    MarketplaceAccount.name,
                    FboStock.warehouse_name,
                    FboStock.available,
                    FboStock.reserved,
                ).join(MarketplaceAccount, MarketplaceAccount.id == FboStock.account_id)
            ).tuples()
        )
    else:
        rows = list(
            session.execute(
                select(
                    FboStockDay.product_id,
                    MarketplaceAccount.name,
                    FboStockDay.warehouse_name,
                    FboStockDay.available,
                    FboStockDay.reserved,
                )
                .join(MarketplaceAccount, MarketplaceAccount.id == FboStockDay.account_id)
                .where(FboStockDay.day == day)
            ).tuples()
        )
    found: dict[tuple[int, str, str], int] = defaultdict(int)
    for product_id, account, warehouse, available, reserved in rows:
        found[(product_id, account, warehouse)] += available + reserved
    return found, {account for _p, account, _w, _a, _r in rows}


def build(session: Session, params: dict[str, Any], progress: Progress) -> Report:
    day = date.fromisoformat(params["day"])
    progress(10, _("Our warehouses"))
    ours = fbs(session, day)
    progress(40, _("The marketplaces' warehouses"))
    theirs, fbo_known = fbo(session, day)
    readable = [
        a.name for a in session.scalars(select(MarketplaceAccount)) if fbo_stock.readable(a)
    ]
    ids = {product_id for product_id, _w in ours} | {product_id for product_id, _a, _w in theirs}
    products = {
        p.id: p for p in session.scalars(select(Product).where(Product.id.in_(sorted(ids))))
    }
    progress(70, _("Cost"))
    table = Table(
        "Остатки",
        _("Stock at the end of %(day)s", day=f"{day:%d.%m.%Y}"),
        [
            Column("article", _("Article")),
            Column("name", _("Name")),
            Column("scheme", _("Scheme")),
            Column("place", _("Where")),
            Column("units", _("Units"), "int"),
            Column("cost", _("Cost price"), "money"),
            Column("value", _("Value at cost"), "money"),
        ],
    )
    by_place: dict[str, int] = defaultdict(int)
    units_total = value_total = 0
    lines = [(pid, "FBS", name, units) for (pid, name), units in ours.items()] + [
        (pid, "FBO", f"{account} · {warehouse or _('on the way')}", units)
        for (pid, account, warehouse), units in theirs.items()
    ]
    for pid, scheme, place, units in sorted(
        lines, key=lambda line: (products[line[0]].article, line[1], line[2])
    ):
        product = products[pid]
        value = units * product.cost_price if product.cost_price is not None else None
        table.rows.append(
            (product.article, product.name, scheme, place, units, product.cost_price, value)
        )
        units_total += units
        value_total += value or 0
        by_place[place if scheme == "FBS" else place.split(" · ")[0] + " (FBO)"] += value or 0
    table.totals = (_("Total"), "", "", "", units_total, None, value_total)
    notes = []
    unknown = sorted(set(readable) - fbo_known)
    if unknown:
        notes.append(
            _(
                "No FBO stock read was kept for that day of %(names)s: their FBO is not counted.",
                names=", ".join(unknown),
            )
        )
    if any(products[pid].cost_price is None for pid in ids):
        notes.append(_("Products without a cost price are counted in units, not in value."))
    chart = bar_chart(
        [(place, value / 100) for place, value in sorted(by_place.items())],
        chart_roubles,
        MONEY_ROOM,
    )
    return Report(
        "stock",
        table.title,
        [table],
        chart,
        _("Value at cost by place, roubles"),
        notes,
    )
