"""The Ozon sandbox's acts («отгрузки»): create, forming, papers, barcode, the pickup.

As Ozon's reference describes them (Seller API swagger, 2025-09): ``act/create`` takes
the postings of the delivery method that are ``awaiting_deliver`` and answers an id; the
act is ``in_process`` for ``SANDBOX_OZON_ACT_SECONDS`` (default 2), then ``ready`` with
``added_to_act`` and ``removed_from_act`` — postings due that day but not shipped, or
cancelled meanwhile, go to the next carriage. Refusals carry the reference's codes
(``DELIVERY_METHOD_NOT_FOUND``, ``no_postings``, ``outdated``,
``there_are_incomplete_carriages``, the ``ContainersCount`` text). After the act is ready
the courier comes: ``SANDBOX_OZON_PICKUP_SECONDS`` later (0 = only through ``_control``)
its postings are ``driver_pickup``, as long again and they are ``delivering``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_db import acts, postings
from warehouse.marketplaces.sandbox.ozon_state import OzonError

ACT_BASE = 900_000_250_000_000  # Ozon's act ids are large (the reference: 900000250859000)
IN_PROCESS, READY = "in_process", "ready"
CONTAINERS_REFUSED = "Trying set ContainersCount to not HasEntrustedAcceptance company"
DIGITAL = "ozon_digital"
# UNCONFIRMED: act_type of a paper act; the reference names only "ozon_digital".
PAPER = ""


def ozon_id(row: Row[Any]) -> int:
    return ACT_BASE + int(row.id)


def create(
    conn: Connection, method_id: int, departure: date, containers: Any, now: float, digital: bool
) -> int:
    if method_id != st.DELIVERY_METHOD_ID:
        raise OzonError(400, "DELIVERY_METHOD_NOT_FOUND")
    if containers is not None:
        raise OzonError(400, CONTAINERS_REFUSED)
    if departure < datetime.fromtimestamp(now, UTC).date():
        raise OzonError(400, "outdated")
    same_day = conn.execute(select(acts).where(acts.c.departure == departure.isoformat())).all()
    if any(row.status == IN_PROCESS for row in same_day):
        raise OzonError(400, "there_are_incomplete_carriages")
    taken = {number for row in same_day for number in row.candidates}
    ready = _postings(conn, [st.AWAITING_DELIVER], taken)
    if not ready:
        raise OzonError(400, "no_postings")
    due = _due_unshipped(conn, departure, taken)
    inserted = conn.execute(
        acts.insert().values(
            delivery_method_id=method_id,
            departure=departure.isoformat(),
            status=IN_PROCESS,
            act_type=DIGITAL if digital else PAPER,
            candidates=ready + due,
            added=[],
            removed=[],
            created_ts=now,
            picked_up=0,
        )
    )
    return ACT_BASE + int(inserted.inserted_primary_key[0])


def _postings(conn: Connection, statuses: list[str], taken: set[str]) -> list[str]:
    numbers = conn.scalars(
        select(postings.c.posting_number)
        .where(postings.c.status.in_(statuses))
        .order_by(postings.c.posting_number)
    )
    return [number for number in numbers if number not in taken]


def _due_unshipped(conn: Connection, departure: date, taken: set[str]) -> list[str]:
    """Postings that should leave by ``departure`` but are still being assembled."""
    end = datetime(departure.year, departure.month, departure.day, 23, 59, 59, tzinfo=UTC)
    numbers = conn.scalars(
        select(postings.c.posting_number).where(
            postings.c.status == st.AWAITING_PACKAGING,
            postings.c.shipment_ts <= end.timestamp(),
        )
    )
    return [number for number in numbers if number not in taken]


def act(conn: Connection, act_id: Any, now: float, forming: float) -> Row[Any]:
    """The act, formed once its forming time has passed (404 for an unknown id)."""
    if not isinstance(act_id, int) or isinstance(act_id, bool):
        raise OzonError(400, "id must be an integer")
    row = conn.execute(select(acts).where(acts.c.id == act_id - ACT_BASE)).first()
    if row is None:
        raise OzonError(404, "act not found", code=5)
    if row.status == IN_PROCESS and now >= row.created_ts + forming:
        _form(conn, row, now)
        row = conn.execute(select(acts).where(acts.c.id == row.id)).one()
    return row


def _form(conn: Connection, row: Row[Any], now: float) -> None:
    rows = conn.execute(
        select(postings.c.posting_number, postings.c.status).where(
            postings.c.posting_number.in_(row.candidates)
        )
    )
    statuses: dict[str, str] = {number: status for number, status in rows}
    added = [n for n in row.candidates if statuses.get(n) == st.AWAITING_DELIVER]
    removed = [n for n in row.candidates if n not in added]
    conn.execute(
        update(acts)
        .where(acts.c.id == row.id, acts.c.status == IN_PROCESS)
        .values(status=READY, added=added, removed=removed, ready_ts=now)
    )


def status_json(row: Row[Any]) -> dict[str, Any]:
    ready = row.status == READY
    return {
        "result": {
            "act_type": row.act_type,
            "added_to_act": list(row.added) if ready else [],
            "removed_from_act": list(row.removed) if ready else [],
            "status": row.status,
            "is_partial": False,
            "has_postings_for_next_carriage": bool(row.removed) if ready else False,
            "partial_num": 0,
        }
    }


def formed(row: Row[Any]) -> Row[Any]:
    """Papers exist only for a formed act (the reference's ``Incorrect_carriage_status``)."""
    if row.status != READY:
        raise OzonError(400, "Incorrect_carriage_status")
    return row


def list_json(conn: Connection, since: date, until: date) -> list[dict[str, Any]]:
    rows = conn.execute(select(acts).order_by(acts.c.id)).all()
    return [_listed(row) for row in rows if since <= _day(row.created_ts) <= until]


def _listed(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": ozon_id(row),
        "delivery_method_id": row.delivery_method_id,
        "delivery_method_name": st.DELIVERY_METHOD_NAME,
        "integration_type": "ozon",
        "containers_count": 0,
        "status": "formed" if row.status == READY else "in_process",
        "departure_date": row.departure,
        "created_at": st.iso(row.created_ts),
        "updated_at": st.iso(row.ready_ts or row.created_ts),
        "act_type": row.act_type,
        "is_partial": False,
        "has_postings_for_next_carriage": bool(row.removed),
        "partial_num": 0,
    }


def _day(ts: float) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


def barcode_text(row: Row[Any]) -> str:
    return f"%303%{ozon_id(row)}"


def pickup(conn: Connection, row: Row[Any], step: int, now: float) -> None:
    """The courier took the act's postings (1: ``driver_pickup``, 2: ``delivering``)."""
    target = st.DRIVER_PICKUP if step == 1 else st.DELIVERING
    for number in formed(row).added:
        st.move(conn, number, (st.AWAITING_DELIVER, st.DRIVER_PICKUP), target, now)
    conn.execute(update(acts).where(acts.c.id == row.id).values(picked_up=step))


def advance(conn: Connection, now: float, pickup_seconds: float) -> None:
    """The sandbox clock: ready acts are picked up ``pickup_seconds`` after being formed."""
    if pickup_seconds <= 0:
        return
    for row in conn.execute(select(acts).where(acts.c.status == READY, acts.c.picked_up < 2)):
        step = min(2, int((now - (row.ready_ts or now)) // pickup_seconds))
        if step > row.picked_up:
            pickup(conn, row, step, now)
