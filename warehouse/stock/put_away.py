"""Put-away: goods carried from the receiving area to a bin, on the ТСД.

The picker scans a product lying in the receiving bin (each scan one unit, a pack barcode
its pack; or types the quantity); the system suggests a bin — one where the product
already lies, else an empty bin (one where it lay before first) — and the picker scans a
bin to confirm. Another bin is allowed: the ``PutAway`` row keeps the suggested one next
to the chosen one, and the log says so. Two ledger rows (``put_away``, out and in) under
one document ``put_away:<scan id>`` (the row's UNIQUE scan id makes a resent final scan a
replay). Then the goods are free: orders of the warehouse's cabinets that waited for stock
are reserved at once (``intake.retry_waiting``, which leaves orders picked once to the
supervisor) and the new free stock is pushed to the marketplaces.

The steps so far live in a dict the caller keeps:
``{"product": id, "from": receiving bin id, "quantity": n, "suggested": bin id}``.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import Location, MarketplaceAccount, Product, PutAway, Stock, User
from warehouse.orders import intake
from warehouse.stock import inventory, ledger, stock_sync
from warehouse.stock.moves import MAX_TYPED, Step

logger = logging.getLogger(__name__)


def scan(
    session: Session, state: dict[str, int], barcode: str, *, user: User, scan_id: str
) -> Step:
    barcode = barcode.strip()
    location = session.scalar(select(Location).where(Location.barcode == barcode))
    if location is not None:
        if not state.get("quantity"):
            return Step(False, "put_away_product_first", {}, state)
        return _finish(session, state, location, user, scan_id)
    if barcode.isdecimal() and len(barcode) <= 4 and "product" in state:
        return _quantity(session, state, int(barcode))
    found = inventory.product_by_barcode(session, barcode)
    if found is None:
        return Step(False, "put_away_unknown_barcode", {"barcode": barcode}, state)
    if "product" in state and state["product"] != found.product_id:
        product = session.get_one(Product, state["product"])
        return Step(False, "put_away_one_product", {"product": product.name}, state)
    if "from" not in state:
        waiting = _in_receiving(session, found.product_id)
        if waiting is None:
            return Step(False, "put_away_not_received", {"product": found.product.name}, state)
        state = {"product": found.product_id, "from": waiting.location_id}
    return _quantity(session, state, state.get("quantity", 0) + found.quantity)


def _in_receiving(session: Session, product_id: int) -> Stock | None:
    return session.scalar(
        select(Stock)
        .join(Location)
        .where(Stock.product_id == product_id, Location.receiving, Stock.on_hand > Stock.reserved)
        .order_by(Stock.id)
        .limit(1)
    )


def _quantity(session: Session, state: dict[str, int], quantity: int) -> Step:
    product = session.get_one(Product, state["product"])
    stock = ledger.stock_of(session, product.id, state["from"])
    params: dict[str, object] = {"product": product.name, "quantity": quantity}
    params["waiting"] = stock.free
    if quantity < 1 or quantity > MAX_TYPED:
        return Step(False, "put_away_bad_quantity", params, state)
    if quantity > stock.free:
        return Step(False, "put_away_too_many", params, state)
    source = session.get_one(Location, state["from"])
    suggested = suggest(session, product.id, source.warehouse_id)
    new_state = {**state, "quantity": quantity}
    if suggested is None:
        return Step(True, "put_away_scan_any_bin", params, new_state)
    params["bin"] = suggested.code
    return Step(True, "put_away_suggested", params, {**new_state, "suggested": suggested.id})


def suggest(session: Session, product_id: int, warehouse_id: int) -> Location | None:
    """Where the product already lies (the bin holding most), else an empty bin — one
    where it lay before first, then one of a zone it lay in — in walk order; never the
    receiving or the defect area, never a bin switched off in the catalogue."""
    storage = (
        Location.warehouse_id == warehouse_id,
        ~Location.receiving,
        ~Location.defect,
        Location.active,
    )
    holding = session.scalar(
        select(Location)
        .join(Stock)
        .where(*storage, Stock.product_id == product_id, Stock.on_hand > 0)
        .order_by(Stock.on_hand.desc(), Location.walk_order, Location.id)
        .limit(1)
    )
    if holding is not None:
        return holding
    occupied = select(Stock.id).where(Stock.location_id == Location.id, Stock.on_hand > 0)
    lay_before = (
        select(Stock.id)
        .where(Stock.location_id == Location.id, Stock.product_id == product_id)
        .exists()
    )
    its_zones = (
        select(Location.zone)
        .join(Stock, Stock.location_id == Location.id)
        .where(Stock.product_id == product_id, Location.zone != "")
    )
    in_its_zone = Location.zone.in_(its_zones.scalar_subquery())
    return session.scalar(
        select(Location)
        .where(*storage, ~occupied.exists())
        .order_by(lay_before.desc(), in_its_zone.desc(), Location.walk_order, Location.id)
        .limit(1)
    )


def _finish(
    session: Session, state: dict[str, int], target: Location, user: User, scan_id: str
) -> Step:
    product = session.get_one(Product, state["product"])
    source = session.get_one(Location, state["from"])
    params: dict[str, object] = {"product": product.name, "quantity": state["quantity"]}
    params["bin"] = target.code
    if target.receiving:
        return Step(False, "put_away_receiving_bin", params, state)
    if target.defect:
        return Step(False, "put_away_defect_bin", params, state)
    if not target.active:
        return Step(False, "bin_switched_off", params, state)
    if target.warehouse_id != source.warehouse_id:
        return Step(False, "put_away_other_warehouse", params, state)
    put = put_away(
        session,
        product.id,
        source,
        target,
        state["quantity"],
        suggested_id=state.get("suggested"),
        user=user,
        scan_id=scan_id,
    )
    params["orders"] = release_waiting(session, product.id, target.warehouse_id)
    if put.suggested_location_id not in (None, target.id):
        params["suggested"] = session.get_one(Location, put.suggested_location_id).code
        return Step(True, "put_away_done_elsewhere", params, {}, done=True)
    return Step(True, "put_away_done", params, {}, done=True)


def put_away(
    session: Session,
    product_id: int,
    source: Location,
    target: Location,
    quantity: int,
    *,
    suggested_id: int | None,
    user: User,
    scan_id: str,
) -> PutAway:
    """``quantity`` units leave the receiving bin for ``target``: the PutAway row first (a
    resent scan stops at its UNIQUE scan id), then two ledger rows. Refused in words when
    fewer wait there now (another picker took some between the steps)."""
    put = PutAway(
        scan_id=scan_id,
        product_id=product_id,
        quantity=quantity,
        from_location_id=source.id,
        to_location_id=target.id,
        suggested_location_id=suggested_id,
        user_id=user.id,
    )
    session.add(put)
    session.flush()
    leaving = ledger.stock_of(session, product_id, source.id)
    waiting = inventory.free_units(session, leaving)
    if quantity > waiting:
        product = session.get_one(Product, product_id)
        raise DomainError(
            "put_away_too_many", product=product.name, quantity=quantity, waiting=waiting
        )
    document = f"put_away:{scan_id}"
    ledger.move(session, leaving, -quantity, "put_away", document=document, user=user)
    arriving = ledger.stock_of(session, product_id, target.id)
    ledger.move(session, arriving, quantity, "put_away", document=document, user=user)
    if suggested_id is not None and suggested_id != target.id:
        logger.warning(
            "put away elsewhere product=%s suggested=%s chosen=%s user=%s",
            product_id,
            suggested_id,
            target.id,
            user.id,
        )
    logger.info("put away product=%s to=%s quantity=%s", product_id, target.id, quantity)
    return put


def release_waiting(session: Session, product_id: int, warehouse_id: int) -> int:
    """New free stock: reserve the warehouse's waiting orders now and push the stock;
    returns how many orders became pickable."""
    accounts = session.scalars(
        select(MarketplaceAccount).where(MarketplaceAccount.warehouse_id == warehouse_id)
    )
    reserved = sum(intake.retry_waiting(session, account) for account in list(accounts))
    stock_sync.changed(session, [product_id])
    return reserved


def replayed(session: Session, scan_id: str) -> bool:
    return session.scalar(select(PutAway.id).where(PutAway.scan_id == scan_id)) is not None
