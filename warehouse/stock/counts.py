"""Counts (инвентаризация): the supervisor opens a count, the ТСД counts it bin by bin
blind, a bin whose first count disagrees is counted again, the supervisor approves.

A count covers listed bins, a zone, the bins of open short picks, or products: every
active storage bin where the chosen products lie, and in those bins only those products
matter (another product scanned is refused in words and not counted; what else lies in
the bin is neither compared nor changed).

A bin is counted by scanning it, then every unit in it (a pack barcode counts its pack; a
typed number after a product sets that product's quantity), then the bin again to close
it. Expected quantities are never shown on the ТСД. What the bin showed at that moment is
kept on the line, and approval writes the difference through ``inventory.count`` with a
compare-and-set on that value: a bin that changed since it was counted is sent back for a
recount, never overwritten. A bin is never counted below what is promised to orders: it is
left at the promised quantity and the orders holding it are flagged on the count.

The steps of the bin being counted live in a dict the caller keeps (the ТСД's session):
``{"bin": location id, "units": {"<product id>": n}, "last": product id}``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.models import (
    CountBin,
    CountFlag,
    CountLine,
    Location,
    PickItem,
    Product,
    Reservation,
    Shortage,
    Stock,
    StockCount,
    User,
    Warehouse,
    utcnow,
)
from warehouse.models.counts import COUNT_KINDS
from warehouse.stock import inventory, ledger, stock_sync

logger = logging.getLogger(__name__)

MAX_TYPED = 9999  # a typed quantity: up to four digits (a barcode is longer)


@dataclass
class Step:
    ok: bool
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    done: bool = False


def open_count(
    session: Session, warehouse_id: int, kind: str, scope: str, *, user: User
) -> StockCount:
    """A new count of listed bins, of a zone (the bins of that zone; a bin with no zone
    set belongs to the zone its code starts with), of the bins of open short picks, or of
    products (``scope``: their articles or barcodes)."""
    if kind not in COUNT_KINDS:
        raise DomainError("count_bad_kind")
    scope = scope.strip()
    if kind == "products":
        products = _products_for(session, scope)
        locations = _bins_holding(session, warehouse_id, products)
    else:
        products, locations = [], _bins_for(session, warehouse_id, kind, scope)
    if not locations:
        raise DomainError("count_no_bins")
    busy = session.scalars(
        select(Location.code)
        .join(CountBin, CountBin.location_id == Location.id)
        .join(StockCount)
        .where(StockCount.status == "open", Location.id.in_([loc.id for loc in locations]))
    ).all()
    if busy:
        raise DomainError("count_bins_busy", bins=", ".join(sorted(busy)[:10]))
    count = StockCount(
        warehouse_id=warehouse_id, kind=kind, scope=scope[:200], opened_by_id=user.id
    )
    count.bins = [CountBin(location_id=loc.id, walk_order=loc.walk_order) for loc in locations]
    count.products = products
    session.add(count)
    session.flush()
    logger.info("count opened count=%s kind=%s bins=%s", count.id, kind, len(locations))
    return count


def _bins_for(session: Session, warehouse_id: int, kind: str, scope: str) -> list[Location]:
    here = select(Location).where(Location.warehouse_id == warehouse_id)
    if kind == "zone":
        if not scope:
            raise DomainError("count_no_zone")
        like = scope.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        by_prefix = and_(Location.zone == "", Location.code.like(f"{like}%", escape="\\"))
        query = here.where(or_(func.lower(Location.zone) == scope.lower(), by_prefix))
    elif kind == "bins":
        codes = [code for code in re.split(r"[\s,;]+", scope) if code]
        query = here.where(Location.code.in_(codes))
        found = set(session.scalars(query.with_only_columns(Location.code)))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise DomainError("count_unknown_bins", bins=", ".join(unknown[:10]))
    else:
        short = (
            select(PickItem.location_id)
            .join(Shortage, Shortage.item_id == PickItem.id)
            .where(Shortage.status == "open")
        )
        query = here.where(Location.id.in_(short))
    return list(session.scalars(query.order_by(Location.walk_order, Location.code)))


def _products_for(session: Session, scope: str) -> list[Product]:
    """The products a count by products covers: each code an article, else a barcode."""
    codes = [code for code in re.split(r"[\s,;]+", scope) if code]
    if not codes:
        raise DomainError("count_no_products")
    found: dict[int, Product] = {}
    unknown = []
    for code in codes:
        product = session.scalar(select(Product).where(Product.article == code))
        if product is None:
            barcode = inventory.product_by_barcode(session, code)
            product = barcode.product if barcode is not None else None
        if product is None:
            unknown.append(code)
        else:
            found[product.id] = product
    if unknown:
        raise DomainError("count_unknown_products", products=", ".join(unknown[:10]))
    return list(found.values())


def _bins_holding(session: Session, warehouse_id: int, products: list[Product]) -> list[Location]:
    """Every active storage bin of the warehouse where one of the products lies (not the
    receiving area, counted against its delivery, nor the defect area, written off)."""
    held = select(Stock.location_id).where(
        Stock.product_id.in_([p.id for p in products]), Stock.on_hand > 0
    )
    query = select(Location).where(
        Location.warehouse_id == warehouse_id,
        Location.id.in_(held),
        Location.active,
        ~Location.receiving,
        ~Location.defect,
    )
    found = list(session.scalars(query.order_by(Location.walk_order, Location.code)))
    if not found:
        names = ", ".join(p.name for p in products[:10])
        raise DomainError("count_products_nowhere", products=names)
    return found


def counted_products(count: StockCount) -> set[int] | None:
    """The products that matter in the count's bins: a count by products' own, else all
    (None)."""
    return {p.id for p in count.products} if count.kind == "products" else None


def get(session: Session, count_id: int) -> StockCount:
    count = session.get(StockCount, count_id)
    if count is None:
        raise NotFound("count_not_found")
    return count


def open_counts(session: Session) -> list[StockCount]:
    return list(
        session.scalars(
            select(StockCount).where(StockCount.status == "open").order_by(StockCount.id)
        )
    )


def recent_counts(session: Session, limit: int = 50) -> list[StockCount]:
    return list(session.scalars(select(StockCount).order_by(StockCount.id.desc()).limit(limit)))


def scan(
    session: Session,
    count_id: int,
    state: dict[str, Any],
    barcode: str,
    *,
    user: User,
    scan_id: str,
) -> Step:
    """One scan of the ТСД's count; returns what happened, what next, and the new state."""
    count = get(session, count_id)
    if count.status != "open":
        return Step(False, "count_closed", state={})
    barcode = barcode.strip()
    location = session.scalar(select(Location).where(Location.barcode == barcode))
    if "bin" not in state:
        return _start_bin(count, location, barcode)
    counting = _bin_of(count, state["bin"])
    code = counting.location.code
    if location is not None:
        if location.id != counting.location_id:
            return Step(False, "count_finish_bin", {"bin": code, "scanned": location.code}, state)
        return _close_bin(session, counting, state, user, scan_id)
    if barcode.isdecimal() and len(barcode) <= 4 and state.get("last"):
        return _typed(session, state, code, int(barcode))
    found = inventory.product_by_barcode(session, barcode)
    if found is None:
        return Step(False, "count_unknown_barcode", {"barcode": barcode[:60], "bin": code}, state)
    wanted = counted_products(count)
    if wanted is not None and found.product_id not in wanted:
        names = ", ".join(p.name for p in count.products[:10])
        params = {"product": found.product.name, "products": names, "bin": code}
        return Step(False, "count_not_this_product", params, state)
    units = dict(state.get("units") or {})
    key = str(found.product_id)
    units[key] = units.get(key, 0) + found.quantity
    params = {"product": found.product.name, "n": units[key], "bin": code}
    return Step(True, "count_unit", params, {**state, "units": units, "last": found.product_id})


def _start_bin(count: StockCount, location: Location | None, barcode: str) -> Step:
    if location is None:
        return Step(False, "count_scan_bin", {"left": _left(count)})
    counting = next((b for b in count.bins if b.location_id == location.id), None)
    if counting is None:
        return Step(False, "count_wrong_bin", {"bin": location.code})
    if counting.status == "counted":
        return Step(False, "count_bin_already", {"bin": location.code, "left": _left(count)})
    code = "count_recount_started" if counting.status == "recount" else "count_bin_started"
    return Step(True, code, {"bin": location.code}, {"bin": location.id, "units": {}})


def _typed(session: Session, state: dict[str, Any], code: str, quantity: int) -> Step:
    product = session.get_one(Product, state["last"])
    if quantity > MAX_TYPED:
        return Step(False, "count_bad_quantity", {"product": product.name}, state)
    units = {**(state.get("units") or {}), str(product.id): quantity}
    params = {"product": product.name, "n": quantity, "bin": code}
    return Step(True, "count_unit", params, {**state, "units": units})


def _bin_of(count: StockCount, location_id: int) -> CountBin:
    counting = next((b for b in count.bins if b.location_id == location_id), None)
    if counting is None:
        raise NotFound("count_not_found")
    return counting


def _left(count: StockCount) -> int:
    return sum(1 for b in count.bins if b.status != "counted")


def _close_bin(
    session: Session, counting: CountBin, state: dict[str, Any], user: User, scan_id: str
) -> Step:
    """The bin scanned again: its count is written; a first count that disagrees with the
    bin asks for a recount (without saying which way)."""
    code = counting.location.code
    if counting.last_scan_id == scan_id:
        return Step(True, "count_bin_done_before", {"bin": code}, {}, done=True)
    if counting.status == "counted":
        return Step(False, "count_bin_already", {"bin": code, "left": _left(counting.count)})
    units = {int(k): int(v) for k, v in (state.get("units") or {}).items()}
    shows = _on_hand_by_product(session, counting.location_id, counted_products(counting.count))
    lines = {line.product_id: line for line in counting.lines}
    first = counting.status == "pending"
    for product_id in sorted(set(units) | set(shows) | set(lines)):
        counted, expected = units.get(product_id, 0), shows.get(product_id, 0)
        line = lines.get(product_id)
        if line is None:
            line = CountLine(product_id=product_id, first_count=counted)
            counting.lines.append(line)
        if first:
            line.first_count = counted
        else:
            line.recount = counted
        line.expected = expected
    agreed = all(line.counted == line.expected for line in counting.lines)
    counting.round += 1
    counting.status = "counted" if agreed or not first else "recount"
    counting.last_scan_id, counting.counted_by_id, counting.counted_at = scan_id, user.id, utcnow()
    session.flush()
    left = _left(counting.count)
    logger.info("count bin counted bin=%s round=%s agreed=%s", counting.id, counting.round, agreed)
    if counting.status == "recount":
        return Step(False, "count_recount", {"bin": code}, {})
    return Step(
        True,
        "count_bin_done" if left else "count_all_done",
        {"bin": code, "left": left},
        {},
        done=True,
    )


def _on_hand_by_product(
    session: Session, location_id: int, products: set[int] | None
) -> dict[int, int]:
    """What the bin shows of each product (only ``products``, when a count names them)."""
    query = select(Stock.product_id, Stock.on_hand).where(
        Stock.location_id == location_id, Stock.on_hand > 0
    )
    if products is not None:
        query = query.where(Stock.product_id.in_(products))
    return {product_id: on_hand for product_id, on_hand in session.execute(query)}


@dataclass(frozen=True)
class Approval:
    approved: bool
    changed_bins: list[str]  # counted bins whose stock moved since: sent back for a recount


def approve(session: Session, count_id: int, *, user: User) -> Approval:
    """The supervisor approves: every difference becomes a ``count`` movement, never below
    what orders hold (those orders are flagged), and the new stock is pushed."""
    count = get(session, count_id)
    if count.status != "open":
        raise DomainError("count_closed")
    left = _left(count)
    if left:
        raise DomainError("count_not_finished", left=left)
    changed = _moved_since(session, count)
    if changed:
        for counting in changed:
            counting.status, counting.round = "recount", 1
        session.flush()
        return Approval(False, [b.location.code for b in changed])
    touched: set[int] = set()
    for counting in count.bins:
        for line in counting.lines:
            if line.difference:
                _adjust(session, count, counting, line, user)
                touched.add(line.product_id)
    count.status, count.approved_by_id, count.approved_at = "approved", user.id, utcnow()
    stock_sync.changed(session, touched)
    session.flush()
    logger.info("count approved count=%s products=%s", count.id, len(touched))
    return Approval(True, [])


def _moved_since(session: Session, count: StockCount) -> list[CountBin]:
    moved = []
    products = counted_products(count)
    for counting in count.bins:
        shows = _on_hand_by_product(session, counting.location_id, products)
        expected = {line.product_id: line.expected for line in counting.lines}
        if any(shows.get(p, 0) != expected.get(p, 0) for p in set(shows) | set(expected)):
            moved.append(counting)
    return moved


def _adjust(
    session: Session, count: StockCount, counting: CountBin, line: CountLine, user: User
) -> None:
    stock = ledger.stock_of(session, line.product_id, counting.location_id)
    session.refresh(stock, ["on_hand", "reserved"])
    target = max(line.counted, stock.reserved)
    if line.counted < stock.reserved:
        _flag(session, count, stock, stock.reserved - line.counted)
    if target != line.expected:
        inventory.count(
            session, stock, target, seen=line.expected, document=f"count:{count.id}", user=user
        )
    line.adjusted = target - line.expected


def _flag(session: Session, count: StockCount, stock: Stock, missing: int) -> None:
    """Orders holding the units the count did not find, newest reservation first."""
    holding = session.scalars(
        select(Reservation).where(Reservation.stock_id == stock.id).order_by(Reservation.id.desc())
    )
    for reservation in holding:
        if missing <= 0:
            break
        take = min(missing, reservation.quantity)
        count.flags.append(
            CountFlag(
                order_id=reservation.line.order_id,
                location_id=stock.location_id,
                product_id=stock.product_id,
                missing=take,
            )
        )
        missing -= take
        logger.info("count flags order=%s count=%s", reservation.line.order_id, count.id)


def default_warehouse(session: Session) -> int:
    """The warehouse a desk count is opened in (the first one; one per seller today)."""
    found = session.scalar(select(Warehouse.id).order_by(Warehouse.id).limit(1))
    if found is None:
        raise DomainError("count_no_bins")
    return found
