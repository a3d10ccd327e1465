"""The catalogue from files (CSV or XLSX, see ``catalogue_files``): products and bins,
planned row by row, then applied all at once. The desk's upload → preview → apply, its
product and bin forms, and ``flask load-catalogue`` all go through ``plan`` / ``apply``.

Upsert by article (products) and bin code (bins): a column the file has sets that field,
a column it lacks leaves it alone. A row that cannot be applied (an empty article, a bad
check digit, a barcode of another product…) is refused with its reason, and one refused
row refuses the whole file: nothing is half-applied. The export writes the same columns.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from printers import barcodes as gs1
from warehouse.catalog.catalogue_files import Row
from warehouse.errors import DomainError, NotFound
from warehouse.models import (
    TO_PICK_STATUSES,
    Location,
    Order,
    OrderLine,
    Product,
    ProductBarcode,
    Reservation,
    Stock,
    Warehouse,
)
from warehouse.stock import ledger, stock_sync

logger = logging.getLogger(__name__)

PRODUCT_COLUMNS = (
    "article",
    "name",
    "barcodes",
    "pack_barcodes",
    "needs_marking",
    "cost_price",
    "min_stock",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "active",
    "category",
)
FIRST_COUNT_COLUMNS = ("bin", "on_hand")  # a first start's count (products only, once)
# ``warehouse``: the warehouse's code; blank or absent means the first active warehouse
BIN_COLUMNS = ("code", "zone", "walk_order", "barcode", "active", "warehouse")
COLUMNS = {"products": PRODUCT_COLUMNS + FIRST_COUNT_COLUMNS, "bins": BIN_COLUMNS}
KEYS = {"products": "article", "bins": "code"}
REQUIRED = {"products": ("article", "name"), "bins": ("code",)}
NUMBERS = ("min_stock", "weight_g", "length_mm", "width_mm", "height_mm")
YES = ("1", "yes", "true", "да", "y", "+")
NO = ("", "0", "no", "false", "нет", "n", "-")
SEPARATORS = re.compile(r"[;,\s]+")
MAX_KOPECKS = 2**31 - 1  # products.cost_price is an INTEGER: 21,474,836.47 roubles at most


@dataclass
class RowPlan:
    line: int
    key: str
    action: str = "unchanged"  # create | update | unchanged | refused
    changes: list[str] = field(default_factory=list)
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def refuse(self, code: str, **params: Any) -> None:
        self.action = "refused"
        self.reasons.append((code, params))


@dataclass
class Plan:
    kind: str
    rows: list[RowPlan]

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == "refused"]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


class RowsRefused(DomainError):
    """Some rows cannot be applied: the plan says which and why; nothing was written."""

    def __init__(self, plan: Plan) -> None:
        super().__init__("catalogue_rows_refused", count=len(plan.refused))
        self.plan = plan


def first_warehouse(session: Session) -> Warehouse:
    """The warehouse a bin row without a ``warehouse`` code loads into: the first active."""
    first = select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.id).limit(1)
    warehouse = session.scalar(first)
    if warehouse is None:
        raise DomainError("csv_no_warehouse")
    return warehouse


def check_columns(kind: str, header: list[str]) -> None:
    """The file's columns are ours: every required one there, none we do not know."""
    for name in header:
        if name not in COLUMNS[kind]:
            raise DomainError(
                "catalogue_unknown_column", column=name, known=", ".join(COLUMNS[kind])
            )
    for name in REQUIRED[kind]:
        if name not in header:
            raise DomainError("catalogue_missing_column", column=name)


def plan(session: Session, kind: str, header: list[str], rows: list[Row]) -> Plan:
    """What applying these rows would do, row by row; writes nothing."""
    check_columns(kind, header)
    planner = _plan_products if kind == "products" else _plan_bins
    return planner(session, header, rows)


def apply(
    session: Session, kind: str, header: list[str], rows: list[Row], *, new_only: bool = False
) -> Plan:
    """Plan again (the catalogue may have changed since the preview) and write every row,
    or raise RowsRefused and write nothing. ``new_only`` (the desk's «new» forms) refuses
    a row whose article or bin code exists. Flushes; the caller commits."""
    result = plan(session, kind, header, rows)
    for row in result.rows if new_only else ():
        if row.action in ("update", "unchanged"):
            row.refuse("catalogue_exists", key=row.key)
    if result.refused:
        raise RowsRefused(result)
    if kind == "products":
        _apply_products(session, result)
    else:
        _apply_bins(session, result)
    session.flush()
    logger.info(
        "catalogue applied kind=%s created=%s updated=%s",
        kind,
        result.count("create"),
        result.count("update"),
    )
    return result


def set_active(session: Session, kind: str, row_id: int, active: bool) -> None:
    """Deactivate (or bring back) a product or a bin; nothing is deleted.

    What lies in a switched-off bin, or is a switched-off product, is no longer free for new
    orders nor for the marketplaces (``inventory``, ``stock_sync``), so its level is pushed
    again. Reservations made before stay valid; a bin still holding goods reserved for
    orders is not switched off at all (``catalogue_bin_reserved``), as their pick tasks send
    pickers there."""
    thing: Product | Location | None = (
        session.get(Product, row_id) if kind == "products" else session.get(Location, row_id)
    )
    if thing is None:
        raise NotFound("not_found")
    if isinstance(thing, Location) and thing.active and not active:
        units, orders = reserved_in(session, thing.id)
        if units:
            raise DomainError("catalogue_bin_reserved", bin=thing.code, units=units, orders=orders)
    thing.active = active
    session.flush()
    stock_sync.changed(session, _products_of(session, thing))


def reserved_in(session: Session, location_id: int) -> tuple[int, str]:
    """Units of the bin promised to orders, and the numbers of the orders holding them (the
    first five): orders not picked yet — a picked order keeps its reservation rows, but
    its units have left the bin."""
    units = session.scalar(
        select(func.coalesce(func.sum(Stock.reserved), 0)).where(Stock.location_id == location_id)
    )
    orders = session.scalars(
        select(Order.external_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Reservation, Reservation.line_id == OrderLine.id)
        .join(Stock, Stock.id == Reservation.stock_id)
        .where(Stock.location_id == location_id, Order.status.in_(TO_PICK_STATUSES))
        .distinct()
        .order_by(Order.external_id)
        .limit(5)
    )
    return int(units or 0), ", ".join(orders)


def _products_of(session: Session, thing: Product | Location) -> set[int]:
    """The products whose free stock a switch of ``thing`` changes."""
    if isinstance(thing, Product):
        return {thing.id}
    held = select(Stock.product_id).where(Stock.location_id == thing.id, Stock.on_hand > 0)
    return set(session.scalars(held))


# --- products -------------------------------------------------------------------------


def _plan_products(session: Session, header: list[str], rows: list[Row]) -> Plan:
    products = {
        p.article: p
        for p in session.scalars(select(Product).options(selectinload(Product.barcodes)))
    }
    owners = {b.barcode: article for article, p in products.items() for b in p.barcodes}
    here = select(Location.code).where(_here(session)) if "bin" in header else None
    bins = set(session.scalars(here)) if here is not None else set()
    seen_articles: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    result = Plan("products", [])
    for line, cells in rows:
        row = RowPlan(line=line, key=cells.get("article", "").strip())
        result.rows.append(row)
        if not row.key:
            row.refuse("catalogue_empty_cell", column="article")
            continue
        if row.key in seen_articles:
            row.refuse("catalogue_article_twice", article=row.key, other=seen_articles[row.key])
            continue
        seen_articles[row.key] = line
        _product_values(row, header, cells)
        for code in [*row.values.get("barcodes", []), *row.values.get("pack_barcodes", {})]:
            owner = owners.get(code)
            if owner is not None and owner != row.key:
                row.refuse("catalogue_barcode_taken", barcode=code, article=owner)
            elif code in seen_codes:
                row.refuse("catalogue_barcode_twice", barcode=code, other=seen_codes[code])
            else:
                seen_codes[code] = line
        if cells.get("bin"):
            _first_count_values(row, cells, bins)
        if row.action != "refused":
            _product_changes(row, products.get(row.key))
    return result


def _product_values(row: RowPlan, header: list[str], cells: dict[str, str]) -> None:
    values = row.values
    for column in header:
        if column not in cells or column in ("article", "bin", "on_hand"):
            continue  # a cell a CommerceML row lacks is left alone, as a missing column
        raw = cells[column].strip()
        if column == "name":
            if not raw:
                row.refuse("catalogue_empty_cell", column="name")
            values["name"] = raw[:300]
        elif column == "category":
            values["category"] = raw[:100]
        elif column == "barcodes":
            codes = [code for code in SEPARATORS.split(raw) if code]
            values["barcodes"] = [code for code in codes if _good_barcode(row, column, code)]
        elif column == "pack_barcodes":
            values["pack_barcodes"] = _packs(row, raw)
        elif column in ("needs_marking", "active"):
            flag = _flag(row, column, raw, default=column == "active")
            values[column] = flag
        elif column == "cost_price":
            values[column] = _kopecks(row, raw)
        elif column in NUMBERS:
            number = _number(row, column, raw)
            values[column] = (number or 0) if column == "min_stock" else number


def _product_changes(row: RowPlan, product: Product | None) -> None:
    if product is None:
        row.action = "create"
        return
    row.values["id"] = product.id
    for column, value in row.values.items():
        if column == "barcodes":
            now: Any = sorted(b.barcode for b in product.barcodes if b.quantity == 1)
            value = sorted(value)
        elif column == "pack_barcodes":
            now = {b.barcode: b.quantity for b in product.barcodes if b.quantity > 1}
        elif column in ("id", "first_count"):
            continue
        else:
            now = getattr(product, column)
        if now != value:
            row.changes.append(column)
    row.action = "update" if row.changes else "unchanged"


def _first_count_values(row: RowPlan, cells: dict[str, str], bins: set[str]) -> None:
    code, count = cells.get("bin", "").strip(), cells.get("on_hand", "").strip()
    if code not in bins:
        row.refuse("catalogue_unknown_bin", bin=code)
    elif not count.isdecimal():
        row.refuse("catalogue_not_a_number", column="on_hand", value=count)
    else:
        row.values["first_count"] = (code, int(count))


def _apply_products(session: Session, result: Plan) -> None:
    by_id = {
        p.id: p for p in session.scalars(select(Product).options(selectinload(Product.barcodes)))
    }
    counted: list[tuple[Product, tuple[str, int]]] = []
    for row in result.rows:
        if row.action == "create":
            product = Product(article=row.key, name=row.values.get("name", row.key))
            session.add(product)
        elif "first_count" in row.values or row.action == "update":
            product = by_id[row.values["id"]]
        else:
            continue
        _set_product(product, row.values)
        if "first_count" in row.values:
            counted.append((product, row.values["first_count"]))
    if counted:
        session.flush()
        _first_counts(session, counted)
    switched = [row.values["id"] for row in result.rows if "active" in row.changes]
    stock_sync.changed(session, switched)


def _set_product(product: Product, values: dict[str, Any]) -> None:
    for column, value in values.items():
        if column in PRODUCT_COLUMNS and column not in ("barcodes", "pack_barcodes"):
            setattr(product, column, value)
    if "barcodes" not in values and "pack_barcodes" not in values:
        return
    existing = {b.barcode: b for b in product.barcodes}
    units = values.get("barcodes", [b.barcode for b in product.barcodes if b.quantity == 1])
    packs = values.get(
        "pack_barcodes", {b.barcode: b.quantity for b in product.barcodes if b.quantity > 1}
    )
    wanted = {code: 1 for code in units} | packs
    kept = []
    for code, quantity in wanted.items():
        barcode = existing.get(code) or ProductBarcode(barcode=code)
        barcode.quantity = quantity
        kept.append(barcode)
    product.barcodes = kept


def _first_counts(session: Session, counted: list[tuple[Product, tuple[str, int]]]) -> None:
    """A first start's stock: a product's first count in a bin, never over one made."""
    here = select(Location.code, Location.id).where(_here(session))
    bins = dict(session.execute(here).tuples().all())
    have = set(session.execute(select(Stock.product_id, Stock.location_id)).tuples().all())
    for product, (code, on_hand) in counted:
        if (product.id, bins[code]) not in have:  # the ledger's opening movement: reconciles
            ledger.opening(session, product.id, bins[code], on_hand, document="catalogue")


# --- bins -----------------------------------------------------------------------------


def _plan_bins(session: Session, header: list[str], rows: list[Row]) -> Plan:
    """Bins are keyed by warehouse and code: the same code may exist in two warehouses."""
    locations = {(loc.warehouse_id, loc.code): loc for loc in session.scalars(select(Location))}
    owners = {loc.barcode: loc for loc in locations.values()}
    by_code = {w.code: w for w in session.scalars(select(Warehouse))}
    default: Warehouse | None = None
    seen: dict[tuple[int, str], int] = {}
    seen_codes: dict[str, int] = {}
    result = Plan("bins", [])
    for line, cells in rows:
        row = RowPlan(line=line, key=cells.get("code", "").strip())
        result.rows.append(row)
        if not row.key:
            row.refuse("catalogue_empty_cell", column="code")
            continue
        named = cells.get("warehouse", "").strip()
        if not named:
            default = default or first_warehouse(session)
        warehouse = by_code.get(named) if named else default
        if warehouse is None:
            row.refuse("catalogue_unknown_warehouse", warehouse=named[:40])
            continue
        key = (warehouse.id, row.key)
        if key in seen:
            row.refuse("catalogue_bin_twice", bin=row.key, other=seen[key])
            continue
        seen[key] = line
        location = locations.get(key)
        _bin_values(row, header, cells, line, location)
        _keep_reserved_on(session, row, location)
        code = row.values.get("barcode")
        if (
            location is None
            and not cells.get("barcode", "").strip()
            and (code in owners or code in seen_codes)
        ):  # the same bin code in another warehouse: its label needs a code of its own
            code = row.values["barcode"] = f"LOC-{warehouse.code}-{row.key}"
        if code:
            owner = owners.get(code)
            if owner is not None and owner is not location:
                row.refuse("catalogue_bin_barcode_taken", barcode=code, bin=owner.code)
            elif code in seen_codes:
                row.refuse("catalogue_barcode_twice", barcode=code, other=seen_codes[code])
            else:
                seen_codes[code] = line
        if row.action != "refused":
            _bin_changes(row, location, warehouse)
    return result


def _bin_values(
    row: RowPlan, header: list[str], cells: dict[str, str], line: int, location: Location | None
) -> None:
    for column in header:
        raw = cells.get(column, "").strip()
        if column == "zone":
            row.values["zone"] = raw[:64]
        elif column == "walk_order" and (raw or location is None):
            row.values["walk_order"] = _number(row, column, raw) if raw else line - 1
        elif column == "barcode" and raw and _good_barcode(row, column, raw):
            row.values["barcode"] = raw
        elif column == "active":
            row.values["active"] = _flag(row, column, raw, default=True)
    if location is None:
        row.values.setdefault("barcode", f"LOC-{row.key}")
        row.values.setdefault("walk_order", line - 1)


def _keep_reserved_on(session: Session, row: RowPlan, location: Location | None) -> None:
    """A file switching off a bin that holds goods reserved for orders is refused, as the
    desk's button is (see ``set_active``)."""
    if location is None or not location.active or row.values.get("active") is not False:
        return
    units, orders = reserved_in(session, location.id)
    if units:
        row.refuse("catalogue_bin_reserved", bin=location.code, units=units, orders=orders)


def _bin_changes(row: RowPlan, location: Location | None, warehouse: Warehouse) -> None:
    if location is None:
        row.action = "create"
        row.values["warehouse_id"] = warehouse.id
        return
    row.values["id"] = location.id
    row.changes = [
        column
        for column, value in row.values.items()
        if column != "id" and getattr(location, column) != value
    ]
    row.action = "update" if row.changes else "unchanged"


def _apply_bins(session: Session, result: Plan) -> None:
    by_id = {loc.id: loc for loc in session.scalars(select(Location))}
    switched: set[int] = set()  # products whose free stock a bin switched on or off moves
    for row in result.rows:
        if row.action == "create":
            location = Location(warehouse_id=row.values["warehouse_id"], code=row.key)
            session.add(location)
        elif row.action == "update":
            location = by_id[row.values["id"]]
        else:
            continue
        for column, value in row.values.items():
            if column != "id":
                setattr(location, column, value)
        if "active" in row.changes:
            switched |= _products_of(session, location)
    stock_sync.changed(session, switched)


def _here(session: Session) -> ColumnElement[bool]:
    """Bins a product row's first count (``bin``, ``on_hand``) names: the first warehouse's."""
    return Location.warehouse_id == first_warehouse(session).id


# --- cells ----------------------------------------------------------------------------


def _good_barcode(row: RowPlan, column: str, code: str) -> bool:
    if len(code) > 64:
        row.refuse("catalogue_barcode_too_long", column=column, barcode=code[:20] + "…")
        return False
    if gs1.classify(code) is not gs1.Kind.OTHER and not gs1.is_valid(code):
        expected = gs1.check_digit(code[:-1])
        row.refuse("catalogue_check_digit", column=column, barcode=code, expected=expected)
        return False
    return True


def _packs(row: RowPlan, raw: str) -> dict[str, int]:
    """``code:quantity`` entries: a pack barcode counts that many units."""
    packs: dict[str, int] = {}
    for entry in (e for e in SEPARATORS.split(raw) if e):
        code, _, quantity = entry.partition(":")
        if not quantity.isdecimal() or int(quantity) < 2:
            row.refuse("catalogue_bad_pack", column="pack_barcodes", value=entry)
        elif _good_barcode(row, "pack_barcodes", code):
            packs[code] = int(quantity)
    return packs


def _flag(row: RowPlan, column: str, raw: str, default: bool) -> bool:
    word = raw.lower()
    if word in YES:
        return True
    if word in NO:
        return default if not word else False
    row.refuse("catalogue_not_yes_no", column=column, value=raw)
    return default


def _kopecks(row: RowPlan, raw: str) -> int | None:
    """A price in roubles (``1234.50``, ``1 234,50``) as kopecks; empty is no price."""
    text = raw.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not text:
        return None
    try:
        price = Decimal(text)
    except InvalidOperation:
        price = Decimal(-1)
    if (
        not price.is_finite()
        or price < 0
        or price != price.quantize(Decimal("0.01"))
        or price * 100 > MAX_KOPECKS
    ):
        row.refuse("catalogue_not_a_price", column="cost_price", value=raw)
        return None
    return int(price * 100)


def _number(row: RowPlan, column: str, raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 9:
        row.refuse("catalogue_not_a_number", column=column, value=raw)
        return None
    return int(raw)


# --- export ---------------------------------------------------------------------------


def export_rows(session: Session, kind: str) -> tuple[list[str], list[list[str]]]:
    """The catalogue in the import's own columns (products or bins), ordered by key."""
    if kind == "bins":
        locations = session.scalars(
            select(Location)
            .options(joinedload(Location.warehouse))
            .order_by(Location.warehouse_id, Location.walk_order, Location.code)
        )
        return list(BIN_COLUMNS), [_bin_row(loc) for loc in locations]
    products = session.scalars(
        select(Product).options(selectinload(Product.barcodes)).order_by(Product.article)
    )
    return list(PRODUCT_COLUMNS), [_product_row(p) for p in products]


def _product_row(p: Product) -> list[str]:
    codes = sorted(p.barcodes, key=lambda b: (b.quantity, b.id or 0))
    price = "" if p.cost_price is None else f"{p.cost_price // 100}.{p.cost_price % 100:02d}"
    sizes = (p.weight_g, p.length_mm, p.width_mm, p.height_mm)
    return [
        p.article,
        p.name,
        ";".join(b.barcode for b in codes if b.quantity == 1),
        ";".join(f"{b.barcode}:{b.quantity}" for b in codes if b.quantity > 1),
        _yes(p.needs_marking),
        price,
        str(p.min_stock),
        *("" if value is None else str(value) for value in sizes),
        _yes(p.active),
        p.category,
    ]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def cells(thing: Product | Location) -> dict[str, str]:
    """A product or bin as the import's cells (the desk's edit form is filled with them)."""
    if isinstance(thing, Product):
        return dict(zip(PRODUCT_COLUMNS, _product_row(thing), strict=True))
    return dict(zip(BIN_COLUMNS, _bin_row(thing), strict=True))


def _bin_row(loc: Location) -> list[str]:
    code = loc.warehouse.code
    return [loc.code, loc.zone, str(loc.walk_order), loc.barcode, _yes(loc.active), code]


LISTED = 200


def listing(session: Session, search: str = "") -> tuple[list[Product], list[Location]]:
    """Products (the first 200 matching ``search`` in article or name) and all bins."""
    products = select(Product).options(selectinload(Product.barcodes)).order_by(Product.article)
    if search:
        pattern = f"%{search}%"
        products = products.where(Product.article.ilike(pattern) | Product.name.ilike(pattern))
    bins = select(Location).order_by(Location.walk_order, Location.code)
    return list(session.scalars(products.limit(LISTED))), list(session.scalars(bins))
