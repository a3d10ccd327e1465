"""What the alerts' cron tick watches besides stock: cabinets that keep failing, printers
that are down, pickups whose cutoff is near with parcels not loaded. Each is one alert
per crossing (``crossings.settle``), resolved when it is well again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.alerts import crossings
from warehouse.models import Alert, HandOver, MarketplaceAccount, Printer
from warehouse.shipping import handovers

FINE = ("", "ready")  # a printer's last status that is no alert (never checked, or ready)


def accounts(session: Session, now: datetime, failing_for: timedelta) -> list[Alert]:
    """A switched-on cabinet whose key was refused (no calls until it is fixed), or whose
    imports have failed for ``failing_for`` (its last good import is older, or never)."""
    bad: dict[int, dict[str, Any]] = {}
    for account in session.scalars(select(MarketplaceAccount).where(MarketplaceAccount.active)):
        if account.problem is None:
            continue
        last = account.last_import_at
        if account.problem == "auth" or last is None or now - last >= failing_for:
            bad[account.id] = {
                "marketplace": account.kind,
                "name": account.name,
                "problem": account.problem,
                "since": last.isoformat() if last else None,
            }
    return crossings.settle(session, "account", bad)


def printers(session: Session) -> list[Alert]:
    """An active printer whose last check (``printer_registry.check``, every 30 s) did
    not find it ready: unreachable, silent, out of paper, a stopped CUPS queue…"""
    bad = {
        printer.id: {"name": printer.name, "status": printer.last_status}
        for printer in session.scalars(select(Printer).where(Printer.active))
        if printer.last_status not in FINE
    }
    return crossings.settle(session, "printer", bad)


def handovers_at_risk(session: Session, now: datetime, window: timedelta) -> list[Alert]:
    """An open pickup whose cutoff (``handovers.cutoff``) is within ``window`` (or passed)
    with orders whose parcels are not loaded yet."""
    last_day = (now + window).astimezone(handovers.LOCAL).date()
    candidates = list(
        session.scalars(
            select(HandOver).where(HandOver.status == "open", HandOver.ship_date <= last_day)
        )
    )
    soon = [h for h in candidates if handovers.cutoff(h) - now <= window]
    progress = handovers.progresses(session, [h.id for h in soon])
    bad = {
        h.id: {
            "number": handovers.number(h),
            "marketplace": h.account.kind,
            "account": h.account.name,
            "cutoff": handovers.cutoff(h).isoformat(),
            "missing": progress[h.id].missing,
            "orders": progress[h.id].orders,
        }
        for h in soon
        if progress[h.id].missing > 0
    }
    return crossings.settle(session, "handover", bad)
