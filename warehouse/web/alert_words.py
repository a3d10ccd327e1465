"""Alerts in words: the Telegram message and the desk's list of alerts say the same.

The message is written when it is sent, in the warehouse's language (the job has no
person's request to take one from); the desk shows it in the reader's.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from warehouse.models import Alert
from warehouse.shipping.handovers import LOCAL
from warehouse.web.messages import account_problem, print_problem

SIGN = "⚠️ "


def alert_text(alert: Alert, sign: bool = True) -> str:
    """What the alert says: the subject named, what was seen (the warning sign leads the
    Telegram message; the desk's list has a column for the kind instead)."""
    seen = alert.details or {}
    if alert.kind == "low_stock":
        words = _(
            "Low stock: %(name)s (%(article)s) — %(free)s free, the minimum is %(min)s",
            name=seen.get("name", ""),
            article=seen.get("article", ""),
            free=seen.get("free", 0),
            min=seen.get("min", 0),
        )
    elif alert.kind == "account":
        words = _(
            "Marketplace account %(marketplace)s «%(name)s» is failing: %(problem)s",
            marketplace=str(seen.get("marketplace", "")).upper(),
            name=seen.get("name", ""),
            problem=account_problem(seen.get("problem")),
        )
    elif alert.kind == "printer":
        words = _(
            "Printer %(name)s is down: %(status)s",
            name=seen.get("name", ""),
            status=print_problem(str(seen.get("status", ""))),
        )
    else:
        words = _(
            "Pickup %(number)s (%(marketplace)s «%(account)s») at %(cutoff)s: %(missing)s of "
            "%(orders)s orders not loaded yet",
            number=seen.get("number", ""),
            marketplace=str(seen.get("marketplace", "")).upper(),
            account=seen.get("account", ""),
            cutoff=_moment(seen.get("cutoff")),
            missing=seen.get("missing", 0),
            orders=seen.get("orders", 0),
        )
    return SIGN + words if sign else words


def _moment(value: object) -> str:
    try:
        return datetime.fromisoformat(str(value)).astimezone(LOCAL).strftime("%d.%m %H:%M")
    except ValueError:
        return str(value or "")


def alert_link(alert: Alert) -> str:
    """The desk page of the alert's subject."""
    if alert.kind == "low_stock":
        return url_for("stock.product", product_id=alert.subject_id)
    if alert.kind == "account":
        return url_for("settings.accounts_page")
    if alert.kind == "printer":
        return url_for("printers.printers_page")
    return url_for("handovers.handover_page", handover_id=alert.subject_id)


def test_text() -> str:
    return SIGN + _("Test message from the warehouse: alerts will come to this chat")
