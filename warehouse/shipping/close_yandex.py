"""Closing a Yandex Market pickup: its first-mile shipment confirmed, its acts kept.

The Market gathers the orders of one shipment date into a first-mile shipment; the
seller confirms it and the courier signs its act (reference: yandex-market-partner-api
``first-mile/shipments`` search, ``…/{id}/orders/transfer`` for the orders left for the
next pickup, ``…/{id}/confirm``, ``…/{id}/act`` and
``shipments/reception-transfer-act``). Every step first reads where the Market already is,
so running again after a retry, a crash or an unrecorded success repeats nothing:
the shipment id lives in ``handover.external_id``, the acts in the hand-over's documents.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from warehouse.marketplaces.base import RejectedError, TransientError
from warehouse.marketplaces.yandex import MARKET_TZ, YandexClient
from warehouse.marketplaces.yandex_first_mile import READY_FOR_CONFIRMATION, Shipment
from warehouse.models import HandOver
from warehouse.shipping import documents, handovers, history

logger = logging.getLogger(__name__)

SHIPMENTS = "/first-mile/shipments"
NOT_YET = "CUTOFF_NOT_REACHED"  # the Market forms the shipment at its cutoff


def close(session: Session, client: YandexClient, handover: HandOver) -> None:
    """Find the day's shipment holding our loaded orders, confirm it, keep both acts."""
    ours = {int(order.external_id) for order in handovers.loaded_orders(session, handover)}
    shipment = _our_shipment(session, client, handover, ours)
    if not shipment.confirmed:
        _transfer_left_out(session, client, handover, shipment)
        _confirm(session, client, handover, shipment)
    act = client.shipment_act(shipment.id)
    _call(session, handover, "GET", f"{SHIPMENTS}/{shipment.id}/act", f"PDF {len(act)} B")
    documents.keep(session, handover, "shipment_act", act, documents.PDF)
    _reception_act(session, client, handover, shipment)
    handover.marketplace_state = "OUTBOUND_CONFIRMED"
    logger.info("ym handover closed handover=%s shipment=%s", handover.id, shipment.id)


def _our_shipment(
    session: Session, client: YandexClient, handover: HandOver, ours: set[int]
) -> Shipment:
    """The shipment of the pickup's date holding every loaded order; refused otherwise."""
    if handover.external_id:
        shipment = client.shipment(int(handover.external_id))
        _call(session, handover, "GET", f"{SHIPMENTS}/{shipment.id}", shipment.status)
    else:
        day = handover.ship_date
        found = client.shipments(day, day, order_ids=sorted(ours))
        _call(session, handover, "PUT", SHIPMENTS, _listed(found))
        if not found:
            raise RejectedError(
                f"Yandex Market has no shipment on {day} with our orders", code="NO_SHIPMENT"
            )
        shipment = max(found, key=lambda s: len(ours & set(s.order_ids)))
        handover.external_id = str(shipment.id)
    handover.marketplace_state = shipment.status
    strays = sorted(ours - set(shipment.order_ids))
    if strays:
        text = ", ".join(str(order_id) for order_id in strays)
        history.record(session, handover, "refused", f"not in shipment {shipment.id}: {text}")
        raise RejectedError(
            f"orders {text} are not in Yandex Market shipment {shipment.id}",
            code="ORDERS_NOT_IN_SHIPMENT",
        )
    return shipment


def _transfer_left_out(
    session: Session, client: YandexClient, handover: HandOver, shipment: Shipment
) -> None:
    """Orders the supervisor left for the next pickup leave this shipment too, so the act
    does not list them (``transferOrdersFromShipment``); once moved, a rerun finds none."""
    held = set(shipment.order_ids)
    left = [o.external_id for o in handovers.left_out_orders(session, handover)]
    moving = sorted(int(value) for value in left if value.isdecimal() and int(value) in held)
    if not moving:
        return
    client.transfer_orders(shipment.id, moving)
    path = f"{SHIPMENTS}/{shipment.id}/orders/transfer"
    _call(session, handover, "POST", path, "OK: " + ", ".join(map(str, moving)))


def _confirm(
    session: Session, client: YandexClient, handover: HandOver, shipment: Shipment
) -> None:
    """Confirm with our number; before the Market's cutoff this waits and tries again."""
    path = f"{SHIPMENTS}/{shipment.id}/confirm"
    try:
        client.confirm_shipment(shipment.id, handovers.number(handover))
    except RejectedError as exc:
        _call(session, handover, "POST", path, f"{exc.code}: {exc}")
        if exc.code == NOT_YET:
            raise TransientError(f"Yandex Market shipment {shipment.id} is not formed yet") from exc
        raise
    _call(session, handover, "POST", path, "OK")


def _reception_act(
    session: Session, client: YandexClient, handover: HandOver, shipment: Shipment
) -> None:
    """The reception-transfer act, when ours is the closest shipment: the call confirms and
    answers for the closest one, which must not be another day's."""
    today, day = datetime.now(MARKET_TZ).date(), handover.ship_date
    if day < today:
        history.record(session, handover, "skipped", "reception act: the pickup day is past")
        return
    waiting = {READY_FOR_CONFIRMATION, "OUTBOUND_CONFIRMED"}
    earlier = [
        s for s in client.shipments(today, day) if s.id != shipment.id and s.status in waiting
    ]
    _call(session, handover, "PUT", SHIPMENTS, _listed(earlier) + " before ours")
    if earlier:
        history.record(session, handover, "skipped", f"reception act: {earlier[0].id} is closer")
        return
    act = client.reception_transfer_act()
    _call(session, handover, "GET", "/shipments/reception-transfer-act", f"PDF {len(act)} B")
    documents.keep(session, handover, "reception_act", act, documents.PDF)


def _listed(found: list[Shipment]) -> str:
    return "; ".join(f"{s.id} {s.status} {len(s.order_ids)} orders" for s in found) or "none"


def _call(session: Session, handover: HandOver, method: str, path: str, answer: str) -> None:
    history.record(session, handover, "call", f"{method} …{path} → {answer}")
