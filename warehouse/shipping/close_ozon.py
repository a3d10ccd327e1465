"""Closing an Ozon hand-over: the act («отгрузка») of the delivery method and day.

Resumable and idempotent (see ``closing``): the act's id is kept in
``handover.external_id`` as soon as Ozon gives it, and an act made earlier for the same
method and day is looked for (``act/list``) before making one, so a crash between
``act/create`` and the commit does not make a second. While Ozon forms the act this
raises TransientError and is asked again. Postings Ozon leaves out of the act
(``removed_from_act``: "pass them with the next pickup") move to the cabinet's next
pickup, named in the history and in ``details["removed"]`` for the desk. The act and
the waybill (one PDF) and the act's barcode (our Code 128 ZPL of its text value, else
Ozon's PNG rendered for the Zebra) are kept as papers. Calls and shapes: Ozon Seller API
swagger (2025-09), see ``warehouse.marketplaces.ozon_acts``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import printers
from printers import graphics
from printers.layouts import LayoutError
from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.marketplaces.ozon_acts import DIGITAL_READY, ActStatus
from warehouse.models import HandOver, Parcel
from warehouse.shipping import documents, handovers, history

logger = logging.getLogger(__name__)

FORMING_RETRY_SECONDS = 10.0
MAX_ACT_ATTEMPTS = 3  # Ozon may fail forming an act ("error" / "cancelled"): ask again
BARCODE_LABEL: dict[str, Any] = {"width_mm": 75.0, "height_mm": 120.0, "dpi": 203}


def close(session: Session, client: Any, handover: HandOver) -> None:
    act_id = handover.external_id or _find_or_create(session, client, handover)
    status = client.act_status(act_id)
    _call(session, handover, f"act/check-status {act_id}", _said(status))
    handover.marketplace_state = f"act {act_id}: {status.status}"
    if status.status == "in_process":
        raise TransientError("act is being formed", retry_after=FORMING_RETRY_SECONDS)
    if status.status != "ready":
        _ask_again(session, handover, status.status)
    _leave_out(session, handover, status.removed)
    pdf = _papers(session, client, handover, status.digital)
    documents.keep(session, handover, "act", pdf, documents.PDF)
    content_type, barcode = _barcode(session, client, handover)
    documents.keep(session, handover, "act_barcode", barcode, content_type)
    left = f", {len(status.removed)} left out" if status.removed else ""
    handover.marketplace_state = f"act {act_id}: ready, {len(status.added)} postings{left}"


def _find_or_create(session: Session, client: Any, handover: HandOver) -> str:
    """The act of this pickup: one Ozon already has for the method and day, else a new one."""
    method = _delivery_method(session, handover)
    day = handover.ship_date
    acts = client.acts(day - timedelta(days=1), day)
    _call(session, handover, f"act/list {day - timedelta(days=1)}..{day}", f"{len(acts)} acts")
    taken = _known_acts(session, handover)
    found = [
        str(act["id"])
        for act in acts
        if int(act.get("delivery_method_id") or 0) == method
        and str(act.get("departure_date") or "")[:10] == day.isoformat()
        and act.get("status") not in ("cancelled", "error")
        and str(act["id"]) not in taken
    ]
    if found:
        act_id = found[0]
    else:
        act_id = str(client.create_act(method, day))
        _call(session, handover, f"act/create method={method} day={day}", f"id {act_id}")
    handover.external_id = act_id
    handover.details = {**(handover.details or {}), "delivery_method_id": method}
    session.flush()
    return act_id


def _delivery_method(session: Session, handover: HandOver) -> int:
    """The cabinet's ``delivery_method_id`` setting, else the one its postings carry."""
    setting = (handover.account.settings or {}).get("delivery_method_id")
    if setting:
        return int(setting)
    methods = {
        int(((order.raw or {}).get("delivery_method") or {}).get("id") or 0)
        for order in handovers.loaded_orders(session, handover)
    } - {0}
    if len(methods) != 1:
        raise RejectedError(
            "set the Ozon delivery method of this account (one act per method and day)",
            code="settings",
        )
    return methods.pop()


def _known_acts(session: Session, handover: HandOver) -> set[str]:
    """Acts other pickups of the cabinet already hold (never adopt those)."""
    rows = session.scalars(
        select(HandOver.external_id).where(
            HandOver.account_id == handover.account_id, HandOver.id != handover.id
        )
    )
    return {external for external in rows if external}


def _ask_again(session: Session, handover: HandOver, status: str) -> None:
    """Ozon gave up forming the act ("error" / "cancelled": ask for it again)."""
    attempts = int((handover.details or {}).get("act_attempts", 0)) + 1
    history.record(session, handover, "act", f"act {handover.external_id} {status}")
    if attempts >= MAX_ACT_ATTEMPTS:
        raise RejectedError(f"Ozon could not form the act ({status})", code=f"act_{status}")
    handover.details = {**(handover.details or {}), "act_attempts": attempts}
    handover.external_id = ""
    raise TransientError(f"Ozon could not form the act ({status}); asking again")


def _leave_out(session: Session, handover: HandOver, removed: tuple[str, ...]) -> None:
    """Postings not in the act go with the next pickup; the desk lists them."""
    known = list((handover.details or {}).get("removed", []))
    removed = tuple(number for number in removed if number not in known)
    if not removed:
        return  # none, or already moved by an earlier run of this close
    moved = []
    orders = {order.external_id: order for order in handovers.orders_of(session, handover.id)}
    later = handovers.open_for(
        session, handover.account, max(handover.ship_date + timedelta(days=1), handovers.today())
    )
    for number in removed:
        order = orders.get(number)
        if order is None:
            continue
        order.handover_id = later.id
        session.execute(
            update(Parcel)
            .where(Parcel.order_id == order.id)
            .values(loaded_at=None, loaded_by_id=None)
        )
        moved.append(number)
    handover.details = {**(handover.details or {}), "removed": sorted({*known, *removed})}
    text = ", ".join(removed)
    history.record(session, handover, "removed", f"Ozon left out of the act: {text}")
    if moved:
        history.record(
            session, later, "joined", f"left out of act {handover.external_id}: {', '.join(moved)}"
        )
    session.flush()


def _papers(session: Session, client: Any, handover: HandOver, digital: bool) -> bytes:
    act_id = handover.external_id
    if digital:
        state = client.digital_act_status(act_id)
        _call(session, handover, f"digital/act/check-status {act_id}", state)
        if state not in DIGITAL_READY:
            raise TransientError(
                "the digital act is being formed", retry_after=FORMING_RETRY_SECONDS
            )
        pdf = client.digital_act_pdf(act_id)
        _call(session, handover, f"digital/act/get-pdf {act_id}", f"PDF {len(pdf)} bytes")
        return bytes(pdf)
    pdf = client.act_pdf(act_id)
    _call(session, handover, f"act/get-pdf {act_id}", f"PDF {len(pdf)} bytes")
    return bytes(pdf)


def _barcode(session: Session, client: Any, handover: HandOver) -> tuple[str, bytes]:
    """Our Code 128 of the barcode's text, sharp on any Zebra; Ozon's PNG if that fails."""
    act_id = handover.external_id
    try:
        text = client.act_barcode_text(act_id)
        _call(session, handover, f"act/get-barcode/text {act_id}", text)
        caption = f"{handover.account.name} · {handover.ship_date:%d.%m.%Y}"
        return documents.ZPL, printers.supply_label(
            "OZON", act_id, barcode=text, caption=caption, **BARCODE_LABEL
        )
    except (RejectedError, LayoutError) as exc:
        logger.warning("ozon act barcode text unusable act=%s: %s", act_id, exc)
    png = client.act_barcode(act_id)
    _call(session, handover, f"act/get-barcode {act_id}", f"PNG {len(png)} bytes")
    return documents.ZPL, graphics.image_to_zpl(png, **BARCODE_LABEL)


def _said(status: ActStatus) -> str:
    return f"{status.status}, added {len(status.added)}, removed {len(status.removed)}"


def _call(session: Session, handover: HandOver, what: str, answer: str) -> None:
    history.record(session, handover, "call", f"POST /v2/posting/fbs/{what} → {answer}")
