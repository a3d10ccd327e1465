"""What the desk's stock page shows: each product's stock against its minimum, down to
its bins, and what each marketplace cabinet was last told.

Free stock is on hand less what orders hold, and the receiving area's goods are not free
until put away (``free_units``, the stock push's rule too); they are «in transit». The
numbers cover the bins the filters pick (every warehouse by default), and so does the
minimum: a product is below it when it has stock rows there and fewer free units than
its ``min_stock``. A product never stocked is not «below» (unknown is not zero, as for
the push and the alerts). Pages are keyset on the article (unique), 50 at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session

from warehouse.errors import NotFound
from warehouse.models import (
    Listing,
    Location,
    MarketplaceAccount,
    OutboxCommand,
    Product,
    ProductBarcode,
    Stock,
    Warehouse,
)

PAGE = 50
SEARCH_LENGTH = 100
PUSH_KIND = "push_stock"  # stock_sync.PUSH_KIND (not imported: stock_sync imports this module)


def free_units() -> ColumnElement[int]:
    """A stock row's free units (joined to its bin): the receiving area's goods are not free
    until put away, the defect area's never, nor a bin's switched off in the catalogue (as
    reservations: warehouse.stock.inventory)."""
    not_for_sale = or_(Location.receiving, Location.defect, ~Location.active)
    return case((not_for_sale, 0), else_=Stock.on_hand - Stock.reserved)


def in_transit_units() -> ColumnElement[int]:
    """A stock row's units still in the receiving area (received, not put away)."""
    return case((Location.receiving, Stock.on_hand), else_=0)


@dataclass(frozen=True)
class Filters:
    """What the page is narrowed to; empty values narrow nothing."""

    warehouse_id: int | None = None
    zone: str = ""
    account_id: int | None = None
    below_only: bool = False
    search: str = ""

    @property
    def by_bins(self) -> bool:
        """Only products with stock in the chosen warehouse / zone are listed."""
        return self.warehouse_id is not None or bool(self.zone)


@dataclass(frozen=True)
class Levels:
    on_hand: int = 0
    reserved: int = 0
    free: int = 0
    in_transit: int = 0


@dataclass(frozen=True)
class Card:
    """A cabinet's card of the product: what we would push now, and what we last pushed."""

    listing: Listing
    account: MarketplaceAccount
    to_push: int | None  # free in the cabinet's warehouse; None: never stocked there
    last_pushed: int | None

    @property
    def waiting(self) -> bool:
        """The marketplace has not been told the current level yet."""
        return self.to_push is not None and self.to_push != self.last_pushed


@dataclass(frozen=True)
class Row:
    product: Product
    levels: Levels
    stocked: bool  # has stock rows in the chosen bins
    cards: list[Card] = field(default_factory=list)  # of the chosen cabinet

    @property
    def below(self) -> bool:
        minimum = self.product.min_stock
        return self.stocked and minimum > 0 and self.levels.free < minimum


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_after: str | None  # the article to pass as ``after`` for the next page


def page(session: Session, filters: Filters, after: str | None = None) -> Page:
    """One page of products in article order, with their levels in the chosen bins."""
    totals = _totals(filters).subquery()
    stocked = totals.c.product_id.is_not(None)
    free = func.coalesce(totals.c.free, 0)
    query = (
        select(
            Product,
            func.coalesce(totals.c.on_hand, 0),
            func.coalesce(totals.c.reserved, 0),
            free,
            func.coalesce(totals.c.in_transit, 0),
            stocked,
        )
        .outerjoin(totals, totals.c.product_id == Product.id)
        .where(Product.active.is_(True))
        .order_by(Product.article)
        .limit(PAGE + 1)
    )
    if filters.by_bins:
        query = query.where(stocked)
    if filters.below_only:
        query = query.where(stocked, Product.min_stock > 0, free < Product.min_stock)
    if filters.account_id is not None:
        query = query.where(_sold_by(filters.account_id))
    if filters.search:
        query = query.where(_matches(filters.search))
    if after:
        query = query.where(Product.article > after)
    found = session.execute(query).all()
    rows = [
        Row(product, Levels(int(on), int(res), int(fr), int(tr)), bool(has))
        for product, on, res, fr, tr, has in found[:PAGE]
    ]
    if filters.account_id is not None:
        rows = _with_cards(session, rows, filters.account_id)
    more = len(found) > PAGE
    return Page(rows, rows[-1].product.article if more and rows else None)


def _totals(filters: Filters) -> Select[tuple[int, int, int, int, int]]:
    """Each product's sums over the bins the filters pick."""
    query = (
        select(
            Stock.product_id.label("product_id"),
            func.sum(Stock.on_hand).label("on_hand"),
            func.sum(Stock.reserved).label("reserved"),
            func.sum(free_units()).label("free"),
            func.sum(in_transit_units()).label("in_transit"),
        )
        .join(Location, Location.id == Stock.location_id)
        .group_by(Stock.product_id)
    )
    if filters.warehouse_id is not None:
        query = query.where(Location.warehouse_id == filters.warehouse_id)
    if filters.zone:
        query = query.where(Location.zone == filters.zone)
    return query


def _sold_by(account_id: int) -> ColumnElement[bool]:
    return exists().where(Listing.account_id == account_id, Listing.product_id == Product.id)


def _matches(search: str) -> ColumnElement[bool]:
    """Article or name containing the text (SQLite folds only ASCII case, so the Cyrillic
    text is also tried lower-case and capitalised), or one of its barcodes exactly."""
    text = search.strip()[:SEARCH_LENGTH]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    spellings = dict.fromkeys((escaped, escaped.lower(), escaped.capitalize()))
    words = [
        column.ilike(f"%{spelling}%", escape="\\")
        for spelling in spellings
        for column in (Product.article, Product.name)
    ]
    barcode = ProductBarcode.product_id == Product.id, ProductBarcode.barcode == text
    return or_(*words, exists().where(*barcode))


def _with_cards(session: Session, rows: list[Row], account_id: int) -> list[Row]:
    """The chosen cabinet's cards of each listed product, with what we would push."""
    account = session.get(MarketplaceAccount, account_id)
    if account is None or not rows:
        return rows
    found = cards(session, [row.product.id for row in rows], account)
    return [
        Row(row.product, row.levels, row.stocked, found.get(row.product.id, [])) for row in rows
    ]


def cards(
    session: Session, product_ids: list[int], account: MarketplaceAccount | None = None
) -> dict[int, list[Card]]:
    """product id → its cards (of one cabinet, or of all), each with the free units of its
    cabinet's warehouse (what the next push sends) and what the last push sent."""
    query = (
        select(Listing, MarketplaceAccount)
        .join(MarketplaceAccount, MarketplaceAccount.id == Listing.account_id)
        .where(Listing.product_id.in_(product_ids))
        .order_by(MarketplaceAccount.id, Listing.sku)
    )
    if account is not None:
        query = query.where(Listing.account_id == account.id)
    listings = session.execute(query).all()
    warehouses = {acc.warehouse_id for _listing, acc in listings}
    free = _free_by_warehouse(session, product_ids, warehouses)
    result: dict[int, list[Card]] = {}
    for listing, acc in listings:
        assert listing.product_id is not None
        level = free.get((listing.product_id, acc.warehouse_id))
        to_push = max(level, 0) if level is not None else None
        card = Card(listing, acc, to_push, listing.last_pushed)
        result.setdefault(listing.product_id, []).append(card)
    return result


def _free_by_warehouse(
    session: Session, product_ids: list[int], warehouse_ids: set[int]
) -> dict[tuple[int, int], int]:
    if not product_ids or not warehouse_ids:
        return {}
    rows = session.execute(
        select(Stock.product_id, Location.warehouse_id, func.sum(free_units()))
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.product_id.in_(product_ids), Location.warehouse_id.in_(warehouse_ids))
        .group_by(Stock.product_id, Location.warehouse_id)
    )
    return {(product, warehouse): int(amount) for product, warehouse, amount in rows}


# --- one product, bin by bin ---------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    location: Location
    warehouse: Warehouse
    levels: Levels


@dataclass(frozen=True)
class Group:
    """Totals of a warehouse, or of a zone within it."""

    warehouse: Warehouse
    zone: str | None  # None: the warehouse's total
    levels: Levels


@dataclass(frozen=True)
class ProductStock:
    product: Product
    bins: list[Bin]
    groups: list[Group]  # each warehouse's total, then its zones
    total: Levels
    cards: list[Card]

    @property
    def below(self) -> bool:
        minimum = self.product.min_stock
        return bool(self.bins) and minimum > 0 and self.total.free < minimum


def product_stock(session: Session, product_id: int) -> ProductStock:
    """A product's stock bin by bin (walk order), summed per zone and per warehouse, and
    each of its cards with what we would push and what we last pushed."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("product_not_found")
    found = session.execute(
        select(Stock, Location, Warehouse)
        .join(Location, Location.id == Stock.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(Stock.product_id == product_id, or_(Stock.on_hand > 0, Stock.reserved > 0))
        .order_by(Warehouse.code, Location.receiving.desc(), Location.walk_order, Location.code)
    ).all()
    bins = [Bin(loc, warehouse, _levels(stock, loc)) for stock, loc, warehouse in found]
    return ProductStock(
        product=product,
        bins=bins,
        groups=_groups(bins),
        total=_sum(bin_.levels for bin_ in bins),
        cards=cards(session, [product_id]).get(product_id, []),
    )


def _levels(stock: Stock, location: Location) -> Levels:
    if location.receiving:
        return Levels(stock.on_hand, stock.reserved, 0, stock.on_hand)
    return Levels(stock.on_hand, stock.reserved, stock.on_hand - stock.reserved, 0)


def _sum(levels: Iterable[Levels]) -> Levels:
    items = list(levels)
    return Levels(
        sum(level.on_hand for level in items),
        sum(level.reserved for level in items),
        sum(level.free for level in items),
        sum(level.in_transit for level in items),
    )


def _groups(bins: list[Bin]) -> list[Group]:
    groups: list[Group] = []
    for warehouse in dict.fromkeys(bin_.warehouse for bin_ in bins):
        inside = [bin_ for bin_ in bins if bin_.warehouse is warehouse]
        groups.append(Group(warehouse, None, _sum(bin_.levels for bin_ in inside)))
        zones = sorted({bin_.location.zone for bin_ in inside})
        for zone in zones:
            levels = _sum(bin_.levels for bin_ in inside if bin_.location.zone == zone)
            groups.append(Group(warehouse, zone, levels))
    return groups


# --- what each cabinet was told -----------------------------------------------------------


@dataclass(frozen=True)
class Push:
    """A cabinet's stock pushes: its linked cards, how many wait for a push (their level
    changed since the last one), its latest ``push_stock`` command (perhaps still
    pending) and the latest one the marketplace took."""

    account: MarketplaceAccount
    cards: int
    waiting: int
    last: OutboxCommand | None
    last_done: OutboxCommand | None


def pushes(session: Session, account_id: int | None = None) -> list[Push]:
    query = select(MarketplaceAccount).order_by(MarketplaceAccount.id)
    if account_id is not None:
        query = query.where(MarketplaceAccount.id == account_id)
    return [_push(session, account) for account in session.scalars(query)]


def _push(session: Session, account: MarketplaceAccount) -> Push:
    linked = session.scalar(
        select(func.count(Listing.id)).where(
            Listing.account_id == account.id, Listing.product_id.is_not(None)
        )
    )
    commands = select(OutboxCommand).where(
        OutboxCommand.account_id == account.id, OutboxCommand.kind == PUSH_KIND
    )
    latest = commands.order_by(OutboxCommand.id.desc()).limit(1)
    last = session.scalar(latest)
    done = last if last is not None and last.status == "done" else None
    if last is not None and done is None:
        done = session.scalar(latest.where(OutboxCommand.status == "done"))
    return Push(account, int(linked or 0), _waiting(session, account), last, done)


def _waiting(session: Session, account: MarketplaceAccount) -> int:
    """Linked cards whose free level in the cabinet's warehouse differs from the last push
    (a card never stocked there is not pushed at all)."""
    level = func.sum(free_units())
    changed = (
        select(Listing.id)
        .join(Stock, Stock.product_id == Listing.product_id)
        .join(Location, Location.id == Stock.location_id)
        .where(Listing.account_id == account.id, Location.warehouse_id == account.warehouse_id)
        .group_by(Listing.id, Listing.last_pushed)
        .having(or_(Listing.last_pushed.is_(None), level != Listing.last_pushed))
    ).subquery()
    return int(session.scalar(select(func.count()).select_from(changed)) or 0)


def choices(session: Session) -> tuple[list[Warehouse], list[str], list[MarketplaceAccount]]:
    """The filters' options: warehouses, the bins' zones, cabinets."""
    warehouses = list(session.scalars(select(Warehouse).order_by(Warehouse.code)))
    zones = list(
        session.scalars(
            select(Location.zone).where(Location.zone != "").distinct().order_by(Location.zone)
        )
    )
    accounts = list(session.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.id)))
    return warehouses, zones, accounts
