"""Closing a Wildberries hand-over: the supply goes into delivery and its QR is kept.

Steps, each checked against WB first so the whole can run again after a retry, a
crash or a success nobody recorded:

1. the supply already delivered (``done``)? then only the QR is missing, if anything;
2. orders the supervisor left for the next pickup move to that pickup's supply (made
   at WB if it has none) — only those WB still holds in this supply;
3. the Честный знак codes of the loaded orders are read back
   (``POST /api/marketplace/v3/orders/meta``); a code WB does not hold is sent again,
   codes still being validated make us wait (TransientError), refused ones stop the close;
4. ``PATCH …/deliver``; 409 ``SupplyHasZeroOrders`` (every order cancelled meanwhile)
   leaves nothing to deliver and no QR to print;
5. the supply QR as ZPL (``GET …/barcode?type=zplv``), kept as the ``supply_qr`` paper the
   core prints on the Zebra.

Every call and its answer is a line of the hand-over's history.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from warehouse.floor import picking
from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.models import HandOver, Order
from warehouse.shipping import documents, handovers, history

logger = logging.getLogger(__name__)

QR_KIND = "zplv"
SUPPLIES = "/api/v3/supplies"
READ_META = "POST /api/marketplace/v3/orders/meta"


def close(session: Session, client: Any, handover: HandOver) -> None:
    """Deliver the hand-over's WB supply and keep its QR (see the module's steps)."""
    supply_id = handover.external_id
    if not supply_id:
        raise RejectedError("the hand-over has no Wildberries supply", code="no_supply")
    path = f"{SUPPLIES}/{supply_id}"
    supply = _call(session, handover, f"GET {path}", client.supply, supply_id)
    if not supply.get("done"):
        _move_left_out(session, client, handover)
        _check_marking(session, client, handover)
        if not _call(session, handover, f"PATCH {path}/deliver", client.deliver_supply, supply_id):
            handover.marketplace_state = f"{supply_id}: no orders to deliver"
            return
    where = f"GET {path}/barcode?type={QR_KIND}"
    label = _call(session, handover, where, partial(client.supply_qr, kind=QR_KIND), supply_id)
    documents.keep(session, handover, "supply_qr", label.content, documents.ZPL)
    handover.marketplace_state = f"{supply_id}: in delivery, QR {label.barcode or supply_id}"
    logger.info("wb supply handed over handover=%s supply=%s", handover.id, supply_id)


# --- orders left for the next pickup ------------------------------------------------------


def _move_left_out(session: Session, client: Any, handover: HandOver) -> None:
    """Left-out orders WB still holds in this supply go to the next pickup's supply."""
    left = {order.external_id: order for order in handovers.left_out_orders(session, handover)}
    if not left:
        return
    where = f"GET /api/marketplace/v3/supplies/{handover.external_id}/order-ids"
    held = _call(session, handover, where, client.supply_order_ids, handover.external_id)
    movable = _still_confirmed(session, client, handover, [i for i in held if i in left])
    by_pickup: dict[int, list[Order]] = {}
    for external_id in movable:
        order = left[external_id]
        if order.handover_id and order.handover_id != handover.id:
            by_pickup.setdefault(order.handover_id, []).append(order)
    for pickup_id, orders in by_pickup.items():
        later = session.get_one(HandOver, pickup_id)
        supply_id = _supply_of(session, client, later)
        ids = [order.external_id for order in orders]
        where = f"PATCH /api/marketplace/v3/supplies/{supply_id}/orders {ids}"
        _call(session, handover, where, client.add_to_supply, supply_id, ids)
        history.record(session, later, "joined", f"{supply_id} ← {', '.join(ids)}")


def _still_confirmed(
    session: Session, client: Any, handover: HandOver, external_ids: list[str]
) -> list[str]:
    """Of ``external_ids``, those WB still has in ``confirm`` (a cancelled one stays put)."""
    if not external_ids:
        return []
    where = "POST /api/v3/orders/status"
    pairs = _call(session, handover, where, client.status_pairs, external_ids)
    return [i for i in external_ids if pairs.get(i, ("", ""))[0] == "confirm"]


def _supply_of(session: Session, client: Any, later: HandOver) -> str:
    """The next pickup's WB supply, created at WB the first time (one per hand-over)."""
    if not later.external_id:
        session.refresh(later, with_for_update=True)  # a confirm may be making it right now
    if not later.external_id:
        later.external_id = client.create_supply(f"warehouse {later.ship_date:%Y-%m-%d}")
        history.record(session, later, "call", f"POST {SUPPLIES} → {later.external_id}")
        session.flush()
    return later.external_id


# --- marking codes ------------------------------------------------------------------------


def _check_marking(session: Session, client: Any, handover: HandOver) -> None:
    """Every loaded order's captured codes are at WB and none failed validation."""
    ours = _captured_codes(session, handover)
    if not ours:
        return
    held = _call(session, handover, READ_META, client.sgtin_meta, list(ours))
    lost = [i for i, codes in ours.items() if i not in held or set(codes) - set(held[i].codes)]
    for external_id in lost:  # WB asks for every code of the order, not only the lost one
        where = f"PUT /api/v3/orders/{external_id}/meta/sgtin"
        _call(session, handover, where, client.set_sgtins, external_id, ours[external_id])
    if lost:
        held = _call(session, handover, READ_META, client.sgtin_meta, list(ours))
    failed = {i: meta.failed for i, meta in held.items() if meta.failed}
    if failed:
        raise RejectedError(
            f"Wildberries refused marking codes: {failed}", code="MetaValidationFail"
        )
    if any(meta.pending for meta in held.values()):
        raise TransientError("Wildberries is still validating the marking codes")


def _captured_codes(session: Session, handover: HandOver) -> dict[str, list[str]]:
    """external id → every Честный знак code captured for a loaded order that has any."""
    found: dict[str, list[str]] = {}
    for order in handovers.loaded_orders(session, handover):
        codes = [code for line in picking.marking_codes(session, order).values() for code in line]
        if codes:
            found[order.external_id] = codes
    return found


# --- calls, recorded ----------------------------------------------------------------------


def _call(session: Session, handover: HandOver, where: str, call: Any, *args: Any) -> Any:
    """Make one WB call and write it, with its answer or refusal, into the history."""
    try:
        answer = call(*args)
    except (RejectedError, TransientError) as exc:
        history.record(session, handover, "call", f"{where} → {exc}")
        raise
    history.record(session, handover, "call", f"{where} → {_said(answer)}")
    return answer


def _said(answer: Any) -> str:
    """A short account of an answer for the history (never a whole file)."""
    if answer is None or answer is True:
        return "204"
    if answer is False:  # deliver_supply: WB's 409 for a supply with no orders
        return "409 SupplyHasZeroOrders"
    if hasattr(answer, "content"):
        return f"{getattr(answer, 'barcode', '')} ({len(answer.content)} bytes)"
    return str(answer)[:300]
