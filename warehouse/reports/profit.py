"""Profit per product and marketplace in a period: what the marketplaces' realization
reports say was sold (less returns), less our cost price of the units, the marketplace's
fee, logistics and its other charges. Charges the marketplace did not tie to a product
(storage of a whole cabinet, a fine) are a line of their own per cabinet.

Only realization reports already read count (``commissioner``): a line read in two
reports whose periods overlap counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.labels.own_labels import MARKETPLACE_NAMES
from warehouse.models import CommissionLine, CommissionReport, MarketplaceAccount, Product
from warehouse.reports import periods
from warehouse.reports.tables import (
    MONEY_ROOM,
    Column,
    Progress,
    Report,
    Table,
    chart_roubles,
)
from warehouse.shift.charts import bar_chart


@dataclass
class Figures:
    units: int = 0
    revenue: int = 0
    cost: int = 0
    commission: int = 0
    logistics: int = 0
    other: int = 0
    no_cost: bool = False

    @property
    def profit(self) -> int:
        return self.revenue - self.cost - self.commission - self.logistics - self.other

    @property
    def margin(self) -> float | None:
        return round(self.profit / self.revenue * 100, 1) if self.revenue > 0 else None


def parse(session: Session, form: dict[str, str]) -> dict[str, Any]:
    period = periods.period(form, month=True)
    return {**period.params(), "account_id": periods.account_id(session, form)}


def build(session: Session, params: dict[str, Any], progress: Progress) -> Report:
    period = periods.of(params)
    query = (
        select(
            CommissionLine, MarketplaceAccount.id, MarketplaceAccount.kind, MarketplaceAccount.name
        )
        .join(CommissionReport, CommissionReport.id == CommissionLine.report_id)
        .join(MarketplaceAccount, MarketplaceAccount.id == CommissionReport.account_id)
        .where(CommissionLine.at >= period.since, CommissionLine.at < period.until)
        .order_by(CommissionLine.id)
    )
    if params.get("account_id"):
        query = query.where(CommissionReport.account_id == params["account_id"])
    progress(10, _("Reading the realization reports"))
    seen: set[tuple[int, str]] = set()
    figures: dict[tuple[str, str, int | None, str], Figures] = {}
    costs: dict[int, int | None] = {}
    names: dict[int, tuple[str, str]] = {}
    for line, account_id, kind, account in session.execute(query).tuples():
        if (account_id, line.row_id) in seen:
            continue
        seen.add((account_id, line.row_id))
        if line.product_id and line.product_id not in names:
            product = session.get_one(Product, line.product_id)
            names[product.id] = (product.article, product.name)
            costs[product.id] = product.cost_price
        item = "" if line.kind == "charge" and not line.product_id else line.article
        key = (kind, account, line.product_id, item)
        row = figures.setdefault(key, Figures())
        if line.kind in ("sale", "return"):
            units = abs(line.quantity) * (1 if line.kind == "sale" else -1)
            row.units += units
            row.revenue += line.amount
            cost = costs.get(line.product_id) if line.product_id else None
            if cost is None:
                row.no_cost = True
            else:
                row.cost += units * cost
        row.commission += line.commission
        row.logistics += line.logistics
        row.other += line.other
    if not seen:
        raise DomainError("profit_nothing_read")
    progress(70, _("Profit"))
    table = Table(
        "Прибыль",
        _("Profit by product and marketplace"),
        [
            Column("marketplace", _("Marketplace")),
            Column("account", _("Cabinet")),
            Column("article", _("Article")),
            Column("name", _("Name")),
            Column("units", _("Units sold"), "int"),
            Column("revenue", _("Sales"), "money"),
            Column("cost", _("Cost price"), "money"),
            Column("commission", _("Fee"), "money"),
            Column("logistics", _("Logistics"), "money"),
            Column("other", _("Other charges"), "money"),
            Column("profit", _("Profit"), "money"),
            Column("margin", _("Margin, %"), "percent"),
        ],
    )
    total = Figures()
    by_market: dict[str, int] = {}
    for (kind, account, product_id, item), row in sorted(
        figures.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[1].profit)
    ):
        article, name = names.get(product_id, (item, "")) if product_id else (item, "")
        if not product_id and not item:
            name = _("Charges not tied to a product")
        table.rows.append(
            (
                MARKETPLACE_NAMES.get(kind, kind),
                account,
                article,
                name,
                row.units,
                row.revenue,
                None if row.no_cost else row.cost,
                row.commission,
                row.logistics,
                row.other,
                None if row.no_cost else row.profit,
                None if row.no_cost else row.margin,
            )
        )
        for field in ("units", "revenue", "cost", "commission", "logistics", "other"):
            setattr(total, field, getattr(total, field) + getattr(row, field))
        total.no_cost = total.no_cost or row.no_cost
        by_market[kind] = by_market.get(kind, 0) + row.profit
    table.totals = (
        _("Total"),
        "",
        "",
        "",
        total.units,
        total.revenue,
        total.cost,
        total.commission,
        total.logistics,
        total.other,
        total.profit,
        total.margin,
    )
    notes = []
    if total.no_cost:
        notes.append(
            _("Products without a cost price show no profit; the total counts them at zero cost.")
        )
    chart = bar_chart(
        [(MARKETPLACE_NAMES.get(k, k), v / 100) for k, v in sorted(by_market.items())],
        chart_roubles,
        MONEY_ROOM,
    )
    return Report(
        "profit",
        _(
            "Profit %(start)s – %(end)s",
            start=f"{period.start:%d.%m.%Y}",
            end=f"{period.end:%d.%m.%Y}",
        ),
        [table],
        chart,
        _("Profit by marketplace, roubles"),
        notes,
    )
