"""An order's timeline in words (warehouse.shift.order_timeline): each entry's source and
what happened, in the interface language, reusing the desk's words for statuses, print
events, stock reasons and hand-over lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from warehouse.shift.order_timeline import Entry
from warehouse.shipping.handovers import LOCAL
from warehouse.web import messages as m

KINDS = {
    "order": _l("Order"),
    "status": _l("Status"),
    "task": _l("Picking"),
    "scan": _l("Scan"),
    "parcel": _l("Packing"),
    "print": _l("Label"),
    "command": _l("Marketplace"),
    "handover": _l("Hand-over"),
    "shortage": _l("Short pick"),
    "return": _l("Return"),
    "stock": _l("Stock"),
}


def timeline_kind(kind: str) -> str:
    """Where an entry comes from, in a word."""
    return str(KINDS.get(kind, kind))


def timeline_text(entry: Entry) -> str:
    """What happened, in a sentence."""
    words = TEXTS.get(entry.kind)
    return words(entry.what, entry.params) if words else f"{entry.kind} {entry.what}"


def _order(what: str, p: dict[str, Any]) -> str:
    text = _("Order received from the marketplace")
    if p.get("placed_at"):
        text += " " + _("(placed %(when)s)", when=_moment(p["placed_at"]))
    return text


def _status(what: str, p: dict[str, Any]) -> str:
    text = _(
        "Status: %(before)s → %(after)s",
        before=m.status_label(p["from"]),
        after=m.status_label(p["to"]),
    )
    if p.get("marketplace_status"):
        text += " " + _("(marketplace: %(status)s)", status=p["marketplace_status"])
    return text


def _task(what: str, p: dict[str, Any]) -> str:
    name = _("Put-back task #%(task)s", **p) if p["kind"] == "putback" else _("Task #%(task)s", **p)
    if what == "created":
        return _("%(task)s created", task=name)
    if what == "started":
        return _("%(task)s taken by the picker", task=name)
    return _("%(task)s ended: %(status)s", task=name, status=m.work_label(p["status"]))


def _scan(what: str, p: dict[str, Any]) -> str:
    said = m.describe(p["code"], p.get("params") or {})
    if p.get("where") == "pack":
        return _("Check at packing «%(barcode)s»: %(said)s", barcode=p["barcode"], said=said)
    return _("Scan «%(barcode)s»: %(said)s", barcode=p["barcode"], said=said)


def _parcel(what: str, p: dict[str, Any]) -> str:
    package = m.package_label(p["package"]) if p.get("package") else "—"
    return _("Packed: parcel %(number)s, %(package)s", number=p["number"], package=package)


def _print(what: str, p: dict[str, Any]) -> str:
    text = _(
        "%(kind)s #%(job)s on %(printer)s: %(event)s",
        kind=m.print_kind(p["kind"]),
        job=p["job"],
        printer=p["printer"],
        event=m.print_event(what),
    )
    return f"{text} ({m.print_detail(p['detail'])})" if p.get("detail") else text


def _command(what: str, p: dict[str, Any]) -> str:
    if what == "done":
        return _("Command «%(kind)s» reached the marketplace (attempt %(attempts)s)", **p)
    text = _("Command «%(kind)s» to the marketplace queued", kind=p["kind"])
    if p["status"] == "failed":
        return text + "; " + _("refused after %(attempts)s attempts: %(error)s", **p)
    if p["status"] == "pending" and p["attempts"]:
        text += "; " + _("%(attempts)s attempts so far, last error: %(error)s", **p)
        return text + "; " + _("next at %(time)s", time=_moment(p["next_attempt_at"]))
    return text


def _handover(what: str, p: dict[str, Any]) -> str:
    return _(
        "Hand-over HO%(handover)s, %(line)s: %(text)s",
        handover=p["handover"],
        line=m.handover_word(what),
        text=p["text"],
    )


def _shortage(what: str, p: dict[str, Any]) -> str:
    return _(
        "Short: %(product)s × %(quantity)s in bin %(bin)s (%(reason)s); decision: %(status)s",
        product=p["product"],
        quantity=p["quantity"],
        bin=p["bin"],
        reason=m.short_reason(p["reason"]),
        status=m.work_label(p["status"]) if p["status"] != "open" else _("not yet"),
    )


def _return(what: str, p: dict[str, Any]) -> str:
    if what == "received":
        return _("Return received")
    if what == "closed":
        return _("Return closed")
    grades = {
        "stock": _("back into bin %(bin)s", bin=p["bin"]),
        "defect": _("defect, kept aside"),
        "write_off": _("written off"),
    }
    return _(
        "Returned %(product)s × %(quantity)s: %(grade)s",
        product=p["product"],
        quantity=p["quantity"],
        grade=grades.get(p["grade"], p["grade"]),
    )


def _stock(what: str, p: dict[str, Any]) -> str:
    return _(
        "%(product)s %(quantity)s in bin %(bin)s: %(reason)s",
        product=p["product"],
        quantity=f"{p['quantity']:+d}",
        bin=p["bin"],
        reason=m.move_reason(what),
    )


def _moment(moment: Any) -> str:
    return moment.astimezone(LOCAL).strftime("%d.%m %H:%M") if moment else "—"


TEXTS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "order": _order,
    "status": _status,
    "task": _task,
    "scan": _scan,
    "parcel": _parcel,
    "print": _print,
    "command": _command,
    "handover": _handover,
    "shortage": _shortage,
    "return": _return,
    "stock": _stock,
}
