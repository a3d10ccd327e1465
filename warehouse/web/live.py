"""The live shift on the desk (/live), a page a lead keeps open: what is left before each
cutoff and the day's burn-down, the pickers (who picks what and where, who is idle, their
pace), the work by wave, short picks to decide. Each part is a small fragment the page
polls every 10 s (htmx), so nothing reloads the page and nothing typed elsewhere is lost.
Read only (warehouse.shift.live, warehouse.shift.charts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request

from warehouse.infra import db
from warehouse.models import utcnow
from warehouse.shift import charts, live
from warehouse.shipping.handovers import LOCAL
from warehouse.web.auth import supervisor_required

bp = Blueprint("live", __name__, url_prefix="/live")
IDLE_MINUTES = range(1, 241)  # what the page's «idle after» may be set to


def _idle() -> int:
    """Minutes without a scan after which a picker on shift shows as idle (the page's
    ``?idle=``, else ``LIVE_IDLE_MINUTES``)."""
    asked = request.args.get("idle", type=int)
    if asked is not None and asked in IDLE_MINUTES:
        return asked
    return int(current_app.config["LIVE_IDLE_MINUTES"])


@bp.get("/")
@supervisor_required
def live_page() -> str:
    now, idle = utcnow(), _idle()
    context = {**_day(now), **_pickers(now, idle), **_work(now), **_shortages()}
    return render_template("supervisor/live.html", idle=idle, **context)


@bp.get("/day")
@supervisor_required
def day() -> str:
    return render_template("supervisor/_live_day.html", **_day(utcnow()))


@bp.get("/pickers")
@supervisor_required
def pickers() -> str:
    idle = _idle()
    return render_template("supervisor/_live_pickers.html", idle=idle, **_pickers(utcnow(), idle))


@bp.get("/work")
@supervisor_required
def work() -> str:
    return render_template("supervisor/_live_work.html", **_work(utcnow()))


@bp.get("/shortages")
@supervisor_required
def shortages() -> str:
    return render_template("supervisor/_live_shortages.html", **_shortages())


def _day(now: datetime) -> dict[str, Any]:
    s = db.session()
    return {
        "now": now,
        "cutoffs": live.cutoffs(s, now),
        "burndown": charts.burndown_chart(live.burndown(s, now)),
    }


def _pickers(now: datetime, idle: int) -> dict[str, Any]:
    people = live.pickers(db.session(), now, timedelta(minutes=idle))
    bars = charts.bar_chart([(p.user.name, p.pace.lines_per_hour) for p in people])
    return {"now": now, "pickers": people, "bars": bars}


def _work(now: datetime) -> dict[str, Any]:
    return {"now": now, "work": live.work(db.session(), now)}


def _shortages() -> dict[str, Any]:
    return {"shortages": live.open_shortages(db.session())}


@bp.app_template_filter("clock")
def clock(moment: datetime | None) -> str:
    """A moment as Moscow hours and minutes (today's board needs no date)."""
    return moment.astimezone(LOCAL).strftime("%H:%M") if moment else "—"
