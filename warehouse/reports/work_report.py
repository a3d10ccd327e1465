"""Work done in a period: orders picked, packed and handed over per day, per marketplace
and per person (from the orders' status history: who moved each order on, and when);
lines per hour and refused scans per picker (their scans, as the live shift counts them);
short picks and their reasons."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import MarketplaceAccount, Order, OrderEvent, Shortage, User
from warehouse.reports import periods
from warehouse.reports.tables import (
    Column,
    Progress,
    Report,
    Table,
    chart_number,
)
from warehouse.shift import live
from warehouse.shift.charts import bar_chart
from warehouse.shipping.handovers import LOCAL

STEPS = ("picked", "packed", "handed_over")


def parse(session: Session, form: dict[str, str]) -> dict[str, Any]:
    return periods.period(form, days_back=7).params()


def build(session: Session, params: dict[str, Any], progress: Progress) -> Report:
    period = periods.of(params)
    progress(10, _("Orders"))
    events = session.execute(
        select(OrderEvent.at, OrderEvent.to_status, OrderEvent.user_id, MarketplaceAccount.kind)
        .join(Order, Order.id == OrderEvent.order_id)
        .join(MarketplaceAccount, MarketplaceAccount.id == Order.account_id)
        .where(
            OrderEvent.to_status.in_(STEPS),
            OrderEvent.at >= period.since,
            OrderEvent.at < period.until,
        )
    ).all()
    names: dict[int, str] = {uid: name for uid, name in session.execute(select(User.id, User.name))}
    nobody = _("(the system)")
    per_day: dict[date, Counter[str]] = {day: Counter() for day in period.days()}
    per_market: dict[tuple[date, str], Counter[str]] = defaultdict(Counter)
    per_person: dict[tuple[date, str], Counter[str]] = defaultdict(Counter)
    for at, step, user_id, kind in events:
        day = at.astimezone(LOCAL).date()
        per_day[day][step] += 1
        per_market[(day, kind)][step] += 1
        per_person[(day, names.get(user_id, nobody) if user_id else nobody)][step] += 1
    progress(40, _("Scans"))
    for user_id, scans in live.picking_scans(session, period.since, period.until).items():
        by_day: dict[date, list[live.Scan]] = defaultdict(list)
        for day, scan in scans:
            by_day[day].append(scan)
        for day, mine in by_day.items():
            pace = live.pace(mine, live.PACE_AFTER)
            figures = per_person[(day, names.get(user_id, nobody))]
            figures["lines"] += pace.lines
            figures["errors"] += pace.errors
            figures["minutes"] += int(pace.working.total_seconds() // 60)
    progress(70, _("Short picks"))
    shorts = session.execute(
        select(Shortage.created_at, Shortage.reason, Shortage.reported_by, Shortage.quantity).where(
            Shortage.created_at >= period.since, Shortage.created_at < period.until
        )
    ).all()
    reasons: Counter[str] = Counter()
    for at, reason, user_id, quantity in shorts:
        day = at.astimezone(LOCAL).date()
        per_person[(day, names.get(user_id, nobody) if user_id else nobody)]["shorts"] += 1
        reasons[reason] += quantity
    steps = [
        Column("picked", _("Picked"), "int"),
        Column("packed", _("Packed"), "int"),
        Column("handed_over", _("Handed over"), "int"),
    ]
    days = Table("По дням", _("Orders by day"), [Column("day", _("Day"), "date"), *steps])
    days.rows = [(day, *(c[s] for s in STEPS)) for day, c in sorted(per_day.items())]
    days.totals = (_("Total"), *(sum(c[s] for c in per_day.values()) for s in STEPS))
    markets = Table(
        "По маркетплейсам",
        _("Orders by marketplace"),
        [Column("day", _("Day"), "date"), Column("marketplace", _("Marketplace")), *steps],
    )
    markets.rows = [
        (d, kind, *(c[s] for s in STEPS)) for (d, kind), c in sorted(per_market.items())
    ]
    people = Table(
        "По людям",
        _("By person"),
        [
            Column("day", _("Day"), "date"),
            Column("person", _("Person")),
            *steps,
            Column("lines", _("Lines picked"), "int"),
            Column("per_hour", _("Lines per hour"), "percent"),
            Column("errors", _("Refused scans"), "int"),
            Column("shorts", _("Short picks"), "int"),
        ],
    )
    for (day, person), c in sorted(per_person.items()):
        hours = c["minutes"] / 60
        per_hour = round(c["lines"] / hours, 1) if hours and c["lines"] else None
        people.rows.append(
            (day, person, *(c[s] for s in STEPS), c["lines"], per_hour, c["errors"], c["shorts"])
        )
    words = short_reason_words()
    short_table = Table(
        "Недостачи",
        _("Short picks by reason"),
        [Column("reason", _("Reason")), Column("units", _("Units"), "int")],
    )
    short_table.rows = [(words.get(r, r), units) for r, units in reasons.most_common()]
    packed = [(f"{d:%d.%m}", float(c["packed"])) for d, c in sorted(per_day.items()) if c["packed"]]
    chart = bar_chart(packed[-31:], chart_number)
    return Report(
        "work",
        _(
            "Work %(start)s – %(end)s",
            start=f"{period.start:%d.%m.%Y}",
            end=f"{period.end:%d.%m.%Y}",
        ),
        [days, markets, people, short_table],
        chart,
        _("Orders packed per day"),
    )


def short_reason_words() -> dict[str, str]:
    return {
        "not_in_bin": _("Not in the bin"),
        "damaged": _("Damaged"),
        "not_found": _("Cannot find it"),
    }
