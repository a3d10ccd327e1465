"""Hand-overs: which orders go out with which pickup, the loader's scans, and closing.

A packed order joins the open hand-over of its cabinet for its ship date (a WB order
joins the open supply when it is confirmed). The loader scans each parcel onto the
hand-over by the marketplace sticker's barcode or our SSCC box label; every refusal
says why. Closing asks for a decision when parcels are missing (leave them for the
next pickup, or stop), then owes the marketplace its call through the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.marketplaces import outbox
from warehouse.models import (
    HandOver,
    HandOverEvent,
    IssuedSscc,
    MarketplaceAccount,
    Order,
    Parcel,
    User,
    utcnow,
)
from warehouse.shipping import history

logger = logging.getLogger(__name__)

LOCAL = ZoneInfo("Europe/Moscow")  # the marketplaces' pickup days and cutoffs are Moscow time
DEFAULT_CUTOFF = "14:00"
PACKED = ("packed", "labelled")
# orders that can still reach the truck: not cancelled, not already gone
WAITING = ("new", "reserved", "awaiting_stock", "picking", "picked", *PACKED)
# parcels with these order statuses have left with an earlier pickup
GONE = ("handed_over", "shipped", "delivered", "returned")


def today() -> date:
    return datetime.now(LOCAL).date()


def ship_date_for(order: Order) -> date:
    """The pickup an order must make: its ship-by day (Moscow), or today when it has none
    or the day has passed."""
    if order.ship_by is None:
        return today()
    return max(order.ship_by.astimezone(LOCAL).date(), today())


def cutoff(handover: HandOver) -> datetime:
    """When the courier comes: the cabinet's cutoff time (``settings["cutoff"]``) that day."""
    return cutoff_of(handover.account, handover.ship_date)


def cutoff_of(account: MarketplaceAccount, day: date) -> datetime:
    """The cabinet's cutoff on ``day``, with or without a hand-over made yet (the live
    shift counts what is left before it)."""
    text = str((account.settings or {}).get("cutoff") or DEFAULT_CUTOFF)
    try:
        hours, minutes = (int(part) for part in text.split(":", 1))
        moment = time(hours, minutes)
    except ValueError:
        moment = time.fromisoformat(DEFAULT_CUTOFF)
    return datetime.combine(day, moment, LOCAL)


def get(session: Session, handover_id: int) -> HandOver:
    handover = session.get(HandOver, handover_id)
    if handover is None:
        raise NotFound("handover_not_found")
    return handover


def open_for(session: Session, account: MarketplaceAccount, day: date | None = None) -> HandOver:
    """The cabinet's open hand-over for ``day`` (today by default), made when there is none.

    Two packers finishing at once make one: the partial unique index keeps one open
    hand-over per cabinet and day, and the loser of the race reads the winner's."""
    day = day or today()
    found = _open(session, account.id, day)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            handover = HandOver(account_id=account.id, ship_date=day)
            session.add(handover)
    except IntegrityError:
        found = _open(session, account.id, day)
        if found is None:
            raise
        return found
    history.record(session, handover, "opened", f"{account.name} · {day:%d.%m.%Y}")
    logger.info("handover opened handover=%s account=%s day=%s", handover.id, account.id, day)
    return handover


def _open(session: Session, account_id: int, day: date) -> HandOver | None:
    return session.scalar(
        select(HandOver).where(
            HandOver.account_id == account_id, HandOver.ship_date == day, HandOver.status == "open"
        )
    )


def join(session: Session, order: Order) -> HandOver:
    """Put a packed order into the pickup of its ship date (kept if it is in an open one)."""
    current = session.get(HandOver, order.handover_id) if order.handover_id else None
    if current is not None and current.is_open:
        return current
    handover = open_for(session, order.account, ship_date_for(order))
    order.handover_id = handover.id
    return handover


# --- loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A parcel the loader put on the truck, and how far the hand-over is."""

    parcel: Parcel
    order: Order
    progress: Progress


@dataclass(frozen=True)
class Progress:
    orders: int
    parcels: int  # parcels packed so far
    labelled: int
    loaded: int

    @property
    def missing(self) -> int:
        """Orders of the pickup without a loaded parcel (not packed, or not scanned yet)."""
        return self.orders - self.loaded


def find(session: Session, code: str) -> HandOver | None:
    """A hand-over by the code on its label: the marketplace's number (WB supply…) or ours."""
    code = code.strip()
    if not code:
        return None
    if code.upper().startswith("HO") and code[2:].isdecimal():
        return session.get(HandOver, int(code[2:]))
    return session.scalar(
        select(HandOver).where(HandOver.external_id == code).order_by(HandOver.id.desc()).limit(1)
    )


def load(session: Session, handover_id: int, code: str, user: User, scan_id: str = "") -> Loaded:
    """The loader scanned ``code`` for hand-over ``handover_id``: put its parcel on the truck.

    Refused loudly, with the reason, for an unknown code, a parcel of another cabinet or
    pickup, a cancelled order, a parcel not packed or already loaded. Loading is one
    atomic UPDATE, so two loaders scanning one parcel count it once; a scan id seen before
    (the ТСД resending a scan whose answer it lost) gets the first answer again."""
    handover = get(session, handover_id)
    scan_id = scan_id[:64]
    replay = _replayed(session, handover, scan_id)
    if replay is not None:
        return replay
    if not handover.is_open:
        raise DomainError("handover_not_open", number=number(handover))
    code = code.strip()
    parcel = parcel_by_code(session, code)
    if parcel is None:
        _refuse(session, handover, user, "parcel_unknown", scanned=code[:60])
    order = parcel.order
    if order.status == "cancelled":
        _refuse(session, handover, user, "parcel_cancelled", order=order.external_id, about=order)
    if order.account_id != handover.account_id:
        _refuse(
            session,
            handover,
            user,
            "parcel_other_account",
            order=order.external_id,
            about=order,
            account=order.account.name,
        )
    if order.handover_id != handover.id:
        other = session.get(HandOver, order.handover_id) if order.handover_id else None
        _refuse(
            session,
            handover,
            user,
            "parcel_other_handover",
            order=order.external_id,
            about=order,
            other=number(other) if other else "—",
        )
    if order.status in GONE:
        _refuse(session, handover, user, "parcel_gone", order=order.external_id, about=order)
    if order.status not in PACKED:
        _refuse(session, handover, user, "parcel_not_packed", order=order.external_id, about=order)
    marked = session.execute(
        update(Parcel)
        .where(Parcel.id == parcel.id, Parcel.loaded_at.is_(None))
        .values(loaded_at=utcnow(), loaded_by_id=user.id)
    )
    if marked.rowcount == 0:  # type: ignore[attr-defined]
        session.refresh(parcel)
        who = session.get(User, parcel.loaded_by_id) if parcel.loaded_by_id else None
        _refuse(
            session,
            handover,
            user,
            "parcel_already_loaded",
            order=order.external_id,
            about=order,
            who=who.name if who else "—",
        )
    session.refresh(parcel)
    history.record(
        session,
        handover,
        "loaded",
        f"{order.external_id} ← {code}",
        user,
        scan_id or None,
        order=order,
    )
    session.flush()
    return Loaded(parcel, order, progress(session, handover))


def _replayed(session: Session, handover: HandOver, scan_id: str) -> Loaded | None:
    if not scan_id:
        return None
    event = session.scalar(
        select(HandOverEvent).where(
            HandOverEvent.handover_id == handover.id, HandOverEvent.scan_id == scan_id
        )
    )
    if event is None:
        return None
    code = event.text.split(" ← ", 1)[-1]
    parcel = parcel_by_code(session, code)
    if parcel is None:  # pragma: no cover - a loaded parcel's code does not go away
        return None
    return Loaded(parcel, parcel.order, progress(session, handover))


def _refuse(
    session: Session,
    handover: HandOver,
    user: User,
    reason: str,
    *,
    about: Order | None = None,
    **params: str,
) -> NoReturn:
    """Record the refusal in the history (the loader's mistakes are part of the day) and raise;
    ``about``: the order of the scanned parcel, whose timeline shows the refusal too."""
    history.record(session, handover, "refused", f"{reason} {params}", user, order=about)
    session.flush()
    raise DomainError(reason, **params)


def parcel_by_code(session: Session, code: str) -> Parcel | None:
    """The parcel a scanned code names: its sticker, our SSCC, or the order's number (the
    loader here, a returned parcel in ``orders.returns``)."""
    if not code:
        return None
    by_label = session.scalar(
        select(Parcel).where(Parcel.label_barcode == code).order_by(Parcel.id.desc()).limit(1)
    )
    if by_label is not None:
        return by_label
    sscc = code[2:] if code.startswith("00") and len(code) == 20 else code  # AI (00) + SSCC
    issued = session.scalar(select(IssuedSscc).where(IssuedSscc.code == sscc))
    if issued is not None and issued.parcel_id is not None:
        return session.get(Parcel, issued.parcel_id)
    # the order's number (our order label, or a sticker that carries just the number):
    # it names the parcel only when the order has one
    parcels = session.scalars(
        select(Parcel).join(Order, Order.id == Parcel.order_id).where(Order.external_id == code)
    ).all()
    return parcels[0] if len(parcels) == 1 else None


def progress(session: Session, handover: HandOver) -> Progress:
    return progresses(session, [handover.id]).get(handover.id, Progress(0, 0, 0, 0))


def progresses(session: Session, ids: list[int]) -> dict[int, Progress]:
    """Orders, packed parcels, labelled and loaded per hand-over, in two queries."""
    if not ids:
        return {}
    orders: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Order.handover_id, func.count(Order.id))
            .where(Order.handover_id.in_(ids), Order.status != "cancelled")
            .group_by(Order.handover_id)
        ).all()
    )
    parcels = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                Order.handover_id,
                func.count(Parcel.id),
                func.count(Parcel.id).filter(Parcel.label_barcode != ""),
                func.count(func.distinct(Order.id)).filter(Parcel.loaded_at.is_not(None)),
            )
            .join(Parcel, Parcel.order_id == Order.id)
            .where(Order.handover_id.in_(ids), Order.status != "cancelled")
            .group_by(Order.handover_id)
        )
    }
    return {
        handover_id: Progress(orders.get(handover_id, 0), *parcels.get(handover_id, (0, 0, 0)))
        for handover_id in ids
    }


def number(handover: HandOver) -> str:
    """How people call it: the marketplace's number when there is one, else ours."""
    return handover.external_id or f"HO{handover.id}"


# --- what goes, what stays -----------------------------------------------------------------


def orders_of(session: Session, handover_id: int) -> list[Order]:
    return list(
        session.scalars(select(Order).where(Order.handover_id == handover_id).order_by(Order.id))
    )


def parcels_of(session: Session, order_ids: list[int]) -> dict[int, list[Parcel]]:
    found: dict[int, list[Parcel]] = {}
    if order_ids:
        rows = session.scalars(
            select(Parcel).where(Parcel.order_id.in_(order_ids)).order_by(Parcel.number)
        )
        for parcel in rows:
            found.setdefault(parcel.order_id, []).append(parcel)
    return found


def loaded_orders(session: Session, handover: HandOver) -> list[Order]:
    """Orders going out with this pickup: every parcel of theirs is loaded."""
    unloaded = (
        select(Parcel.id).where(Parcel.order_id == Order.id, Parcel.loaded_at.is_(None)).exists()
    )
    anything = select(Parcel.id).where(Parcel.order_id == Order.id).exists()
    return list(
        session.scalars(
            select(Order)
            .where(Order.handover_id == handover.id, Order.status != "cancelled")
            .where(anything, ~unloaded)
            .order_by(Order.id)
        )
    )


def left_out_orders(session: Session, handover: HandOver) -> list[Order]:
    """Orders the supervisor left for the next pickup when closing this one."""
    ids = [int(order_id) for order_id in (handover.details or {}).get("left_out", [])]
    if not ids:
        return []
    return list(session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id)))


def missing_orders(session: Session, handover: HandOver) -> list[Order]:
    loaded = {order.id for order in loaded_orders(session, handover)}
    return [
        order
        for order in orders_of(session, handover.id)
        if order.id not in loaded and order.status in WAITING
    ]


# --- closing ------------------------------------------------------------------------------

LEAVE, STOP = "leave", "stop"


def close(
    session: Session,
    handover_id: int,
    user: User,
    decision: str = "",
    printer_id: int | None = None,
) -> HandOver:
    """Close the pickup: the marketplace is told through the outbox (``closing``).

    With parcels missing the supervisor decides: ``leave`` moves their orders to the next
    pickup of the cabinet, ``stop`` keeps the hand-over open; no decision is refused with
    the count, so nothing leaves short by accident."""
    handover = _lock(session, handover_id)
    if not handover.is_open:
        raise DomainError("handover_not_open", number=number(handover))
    loaded = loaded_orders(session, handover)
    if not loaded:
        raise DomainError("handover_empty", number=number(handover))
    if decide_missing(session, handover, user, decision) == STOP:
        return handover
    details = dict(handover.details or {})
    if printer_id is not None:
        details["printer_id"] = printer_id
    handover.details = details
    handover.status = "closing"
    handover.closing_at = utcnow()
    handover.closed_by_id = user.id
    history.record(session, handover, "closing", f"{len(loaded)} orders", user)
    command = outbox.queue_command(
        session,
        handover.account,
        "hand_over",
        payload={"handover_id": handover.id},
        dedupe_key=f"hand_over:{handover.id}",
    )
    handover.details = {**handover.details, "command_id": command.id}
    logger.info("handover closing handover=%s orders=%s by=%s", handover.id, len(loaded), user.id)
    return handover


def decide_missing(session: Session, handover: HandOver, user: User, decision: str) -> str:
    """What happens to the orders of the pickup whose parcels are not on the truck.

    ``leave``: they move to the cabinet's next pickup (their parcels to be loaded there),
    and are remembered in ``details["left_out"]`` for the marketplace's handler (WB moves
    them to another supply). ``stop``: nothing moves, loading goes on. No decision with
    something missing is refused with the count."""
    missing = missing_orders(session, handover)
    if not missing:
        return LEAVE
    if decision == STOP:
        history.record(session, handover, "decision", f"stop: {len(missing)} missing", user)
        return STOP
    if decision != LEAVE:
        raise DomainError("handover_missing", missing=str(len(missing)))
    later = _next_pickup(session, handover)
    for order in missing:
        order.handover_id = later.id
        session.execute(
            update(Parcel)
            .where(Parcel.order_id == order.id)
            .values(loaded_at=None, loaded_by_id=None)
        )
    left = [*(handover.details or {}).get("left_out", []), *(order.id for order in missing)]
    handover.details = {**(handover.details or {}), "left_out": left}
    names = ", ".join(order.external_id for order in missing)
    history.record(session, handover, "decision", f"left for {number(later)}: {names}", user)
    history.record(session, later, "joined", f"from {number(handover)}: {names}", user)
    session.flush()
    return LEAVE


def _lock(session: Session, handover_id: int) -> HandOver:
    handover = session.scalar(select(HandOver).where(HandOver.id == handover_id).with_for_update())
    if handover is None:
        raise NotFound("handover_not_found")
    return handover


def _next_pickup(session: Session, handover: HandOver) -> HandOver:
    later = max(handover.ship_date + timedelta(days=1), today())
    return open_for(session, handover.account, later)


def listing(session: Session, since: date | None = None) -> list[HandOver]:
    """Today's and upcoming pickups, and the ones still being told or refused, plus the
    last week's closed ones: the desk's list, the earliest first."""
    since = since or today() - timedelta(days=7)
    return list(
        session.scalars(
            select(HandOver)
            .where(
                or_(HandOver.ship_date >= since, HandOver.status.in_(("open", "closing", "failed")))
            )
            .order_by(HandOver.ship_date, HandOver.account_id, HandOver.id)
        )
    )


def open_ones(session: Session, warehouse_id: int | None = None) -> list[HandOver]:
    """What a loader can load onto now, the earliest pickup first."""
    query = select(HandOver).where(HandOver.status == "open")
    if warehouse_id is not None:
        query = query.join(MarketplaceAccount).where(
            MarketplaceAccount.warehouse_id == warehouse_id
        )
    return list(session.scalars(query.order_by(HandOver.ship_date, HandOver.id)))
