"""/api/v1/products and /api/v1/bins: the catalogue read page by page, and products
created or updated in batches by the accounting system (barcodes, cost price, minimum
stock, sizes) — through the same planner as the desk's catalogue file, all or nothing."""

from __future__ import annotations

from typing import Annotated

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from warehouse.catalog import catalogue_csv
from warehouse.catalog.catalogue_csv import MAX_KOPECKS
from warehouse.infra import db
from warehouse.models import Location, Product, Warehouse
from warehouse.web.api.pages import NAME, Body, PageQuery, page_of
from warehouse.web.api.problems import ApiProblem, FieldError
from warehouse.web.api.spec import endpoint
from warehouse.web.messages import describe

BARCODE = r"^[^\s;,:]{1,64}$"
Barcode = Annotated[str, Field(pattern=BARCODE)]
BATCH = 1000


class Pack(Body):
    barcode: str = Field(pattern=BARCODE)
    units: int = Field(ge=2, le=100_000, description="units one scan of this barcode counts")


class ProductIn(Body):
    """A product by its article: fields left out stay as they are (a new product without
    a name is named by its article)."""

    article: str = Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")
    name: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, max_length=100, description="for price rules")
    barcodes: list[Barcode] | None = Field(
        default=None, max_length=50, description="unit barcodes: the whole list (replaces)"
    )
    pack_barcodes: list[Pack] | None = Field(default=None, max_length=50)
    needs_marking: bool | None = Field(default=None, description="Честный знак codes")
    cost_price_kopecks: int | None = Field(default=None, ge=0, le=MAX_KOPECKS)
    min_stock: int | None = Field(default=None, ge=0, le=10**9 - 1)
    weight_g: int | None = Field(default=None, ge=0, le=10**9 - 1)
    length_mm: int | None = Field(default=None, ge=0, le=10**9 - 1)
    width_mm: int | None = Field(default=None, ge=0, le=10**9 - 1)
    height_mm: int | None = Field(default=None, ge=0, le=10**9 - 1)
    active: bool | None = None


class ProductBatch(Body):
    items: list[ProductIn] = Field(min_length=1, max_length=BATCH)


class Upserted(BaseModel):
    article: str
    id: int
    result: str = Field(description="created, updated or unchanged")
    changes: list[str] = Field(description="the fields that changed")


class UpsertAnswer(BaseModel):
    items: list[Upserted]


class ProductOut(BaseModel):
    id: int
    article: str
    name: str
    category: str
    barcodes: list[str]
    pack_barcodes: list[Pack]
    needs_marking: bool
    cost_price_kopecks: int | None
    min_stock: int
    weight_g: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    active: bool


class ProductPage(BaseModel):
    items: list[ProductOut]
    next: int
    has_more: bool


class BinOut(BaseModel):
    id: int
    code: str
    barcode: str
    warehouse: str = Field(description="the warehouse's code")
    zone: str
    walk_order: int
    receiving: bool = Field(description="the receiving area: goods not yet put away")
    defect: bool = Field(description="the defect area: never for sale")
    active: bool


class BinIn(Body):
    """A bin by its code (and warehouse): fields left out stay as they are; a new bin's
    barcode is ``LOC-<code>`` unless given."""

    code: str = Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")
    warehouse: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        pattern=NAME,
        description="the warehouse's code; absent: the first one",
    )
    zone: str | None = Field(default=None, max_length=64)
    walk_order: int | None = Field(default=None, ge=0, le=10**9 - 1)
    barcode: str | None = Field(default=None, pattern=BARCODE)
    active: bool | None = None


class BinBatch(Body):
    items: list[BinIn] = Field(min_length=1, max_length=BATCH)


class BinUpserted(BaseModel):
    code: str
    id: int
    result: str = Field(description="created, updated or unchanged")
    changes: list[str] = Field(description="the fields that changed")


class BinAnswer(BaseModel):
    items: list[BinUpserted]


class BinPage(BaseModel):
    items: list[BinOut]
    next: int
    has_more: bool


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/products", view_func=products, methods=["GET"])
    bp.add_url_rule("/products", view_func=upsert_products, methods=["POST"])
    bp.add_url_rule("/bins", view_func=bins, methods=["GET"])
    bp.add_url_rule("/bins", view_func=upsert_bins, methods=["POST"])


@endpoint("products:read", tags=("catalogue",), query=PageQuery, ok=ProductPage)
def products(query: PageQuery) -> ProductPage:
    """Products with their barcodes and cost price, by id."""
    found = db.session().scalars(
        select(Product)
        .options(selectinload(Product.barcodes))
        .where(Product.id > query.after)
        .order_by(Product.id)
        .limit(query.limit + 1)
    )
    items, next_id, more = page_of(list(found), query, lambda p: p.id)
    return ProductPage(items=[_product(p) for p in items], next=next_id, has_more=more)


@endpoint("products:write", tags=("catalogue",), json=ProductBatch, ok=UpsertAnswer, write=True)
def upsert_products(json: ProductBatch) -> UpsertAnswer:
    """Create or update up to 1,000 products by article, all or nothing."""
    header = [
        "article",
        "name",
        *(c for c in catalogue_csv.PRODUCT_COLUMNS if c not in ("article", "name")),
    ]
    rows = [(index, _cells(item)) for index, item in enumerate(json.items)]
    session = db.session()
    plan = _applied(session, "products", [(header, rows)])
    articles = [row.key for row in plan.rows]
    query = select(Product.article, Product.id).where(Product.article.in_(articles))
    ids = {article: product_id for article, product_id in session.execute(query)}
    results = {"create": "created", "update": "updated", "unchanged": "unchanged"}
    return UpsertAnswer(
        items=[
            Upserted(
                article=row.key, id=ids[row.key], result=results[row.action], changes=row.changes
            )
            for row in plan.rows
        ]
    )


@endpoint("products:write", tags=("catalogue",), json=BinBatch, ok=BinAnswer, write=True)
def upsert_bins(json: BinBatch) -> BinAnswer:
    """Create or update up to 1,000 bins by code (and warehouse), all or nothing."""
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, str]]]] = {}
    for index, item in enumerate(json.items):
        cells = {"code": item.code} | {
            field: ("1" if value else "0") if isinstance(value, bool) else str(value)
            for field, value in item.model_dump(exclude_unset=True, exclude={"code"}).items()
            if value is not None
        }
        # the planner reads a column the header names as given (blank when absent): each
        # set of given fields is planned with its own header
        groups.setdefault(tuple(sorted(cells)), []).append((index, cells))
    session = db.session()
    plan = _applied(session, "bins", [(list(header), rows) for header, rows in groups.items()])
    warehouses = {w.code: w.id for w in session.scalars(select(Warehouse))}
    first = catalogue_csv.first_warehouse(session).id
    ids = {
        (location.warehouse_id, location.code): location.id
        for location in session.scalars(
            select(Location).where(Location.code.in_([item.code for item in json.items]))
        )
    }
    results = {"create": "created", "update": "updated", "unchanged": "unchanged"}
    return BinAnswer(
        items=[
            BinUpserted(
                code=row.key,
                id=ids[(warehouses.get(json.items[row.line].warehouse or "", first), row.key)],
                result=results[row.action],
                changes=row.changes,
            )
            for row in sorted(plan.rows, key=lambda row: row.line)
        ]
    )


def _applied(
    session: Session, kind: str, groups: list[tuple[list[str], list[tuple[int, dict[str, str]]]]]
) -> catalogue_csv.Plan:
    """Apply the groups' rows in one transaction, all or nothing; a refusal lists every
    refused item (``items.<index>``) with why."""
    done = catalogue_csv.Plan(kind, [])
    refused: list[catalogue_csv.RowPlan] = []
    for header, rows in groups:
        try:
            done.rows += catalogue_csv.apply(session, kind, header, rows).rows
        except catalogue_csv.RowsRefused as refusal:
            refused += refusal.plan.refused
    if refused:
        errors = [
            FieldError(where=f"items.{row.line}", message=describe(code, params))
            for row in sorted(refused, key=lambda row: row.line)
            for code, params in row.reasons
        ]
        detail = describe("api_items_refused", {"count": len(refused)})
        raise ApiProblem("refused", detail, errors=errors)
    return done


@endpoint("products:read", tags=("catalogue",), query=PageQuery, ok=BinPage)
def bins(query: PageQuery) -> BinPage:
    """Bins of every warehouse, by id."""
    found = db.session().scalars(
        select(Location)
        .where(Location.id > query.after)
        .order_by(Location.id)
        .limit(query.limit + 1)
    )
    items, next_id, more = page_of(list(found), query, lambda b: b.id)
    return BinPage(
        items=[
            BinOut(
                id=b.id,
                code=b.code,
                barcode=b.barcode,
                warehouse=b.warehouse.code,
                zone=b.zone,
                walk_order=b.walk_order,
                receiving=b.receiving,
                defect=b.defect,
                active=b.active,
            )
            for b in items
        ],
        next=next_id,
        has_more=more,
    )


def _cells(item: ProductIn) -> dict[str, str]:
    """The item as the catalogue file's text cells: a field left out is no cell."""
    cells = {"article": item.article}
    given = item.model_dump(exclude_unset=True, exclude={"article"})
    for field, value in given.items():
        if value is None and field != "cost_price_kopecks":
            continue
        if field == "barcodes":
            cells["barcodes"] = " ".join(value)
        elif field == "pack_barcodes":
            cells["pack_barcodes"] = " ".join(f"{p['barcode']}:{p['units']}" for p in value)
        elif field in ("needs_marking", "active"):
            cells[field] = "1" if value else "0"
        elif field == "cost_price_kopecks":
            cells["cost_price"] = "" if value is None else f"{value // 100}.{value % 100:02d}"
        else:
            cells[field] = str(value)
    return cells


def _product(p: Product) -> ProductOut:
    return ProductOut(
        id=p.id,
        article=p.article,
        name=p.name,
        category=p.category,
        barcodes=[b.barcode for b in p.barcodes if b.quantity == 1],
        pack_barcodes=[
            Pack(barcode=b.barcode, units=b.quantity) for b in p.barcodes if b.quantity > 1
        ],
        needs_marking=p.needs_marking,
        cost_price_kopecks=p.cost_price,
        min_stock=p.min_stock,
        weight_g=p.weight_g,
        length_mm=p.length_mm,
        width_mm=p.width_mm,
        height_mm=p.height_mm,
        active=p.active,
    )
