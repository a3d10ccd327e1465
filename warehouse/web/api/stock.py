"""/api/v1/stock and /api/v1/movements: stock by product and bin, free stock per
marketplace account, the ledger since a cursor, and stock corrections from accounting
(an inventory document, never a silent overwrite)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint, g
from pydantic import BaseModel, Field
from sqlalchemy import select

from warehouse.errors import NotFound
from warehouse.infra import db
from warehouse.models import (
    Location,
    MarketplaceAccount,
    Product,
    Stock,
    StockCorrection,
    Warehouse,
)
from warehouse.models.work import STOCK_MOVE_REASONS
from warehouse.stock import corrections, ledger, stock_sync
from warehouse.stock.overview import free_units
from warehouse.web.api.pages import CURSOR, LIMIT, MAX_ID, NAME, Body, PageQuery
from warehouse.web.api.problems import ApiProblem, FieldError, Problem
from warehouse.web.api.spec import endpoint
from warehouse.web.messages import describe

Reason = Literal[STOCK_MOVE_REASONS]  # type: ignore[valid-type]


class StockQuery(BaseModel):
    after: int = CURSOR
    limit: int = LIMIT
    article: str | None = Field(default=None, min_length=1, max_length=100)
    warehouse: str | None = Field(default=None, min_length=1, max_length=32)
    bin: str | None = Field(default=None, min_length=1, max_length=64)


class StockRow(BaseModel):
    id: int
    product_id: int
    article: str
    warehouse: str
    bin: str
    on_hand: int
    reserved: int = Field(description="promised to orders not yet picked")
    free: int = Field(description="for sale: 0 in the receiving and defect areas")


class StockPage(BaseModel):
    items: list[StockRow]
    next: int
    has_more: bool


class FreeQuery(BaseModel):
    account_id: int = Field(ge=1, le=MAX_ID, description="the marketplace account")


class CardFree(BaseModel):
    sku: str = Field(description="the marketplace card's stock key (barcode, offer id…)")
    product_id: int
    free: int
    last_pushed: int | None = Field(description="what the marketplace was last sent")


class FreeStock(BaseModel):
    account_id: int
    marketplace: str
    warehouse: str
    items: list[CardFree]


class Movement(BaseModel):
    cursor: int
    at: datetime
    product_id: int
    article: str
    warehouse: str
    bin: str
    quantity: int = Field(description="signed: below zero the units left the bin")
    reason: Reason
    document: str = Field(description="what the change belongs to: task:12, correction:3…")
    by: str | None = Field(description="the person; null: the system or an integration")


class MovementPage(BaseModel):
    items: list[Movement]
    next: int
    has_more: bool


class CountedLine(Body):
    article: str = Field(min_length=1, max_length=100, pattern=NAME)
    bin: str = Field(min_length=1, max_length=64, pattern=NAME, description="the bin's code")
    warehouse: str = Field(
        default="",
        max_length=32,
        pattern=r"^(\S(.*\S)?)?$",
        description="the warehouse's code; blank: the first warehouse",
    )
    counted: int = Field(ge=0, le=10**9 - 1, description="units the bin holds")


class CorrectionIn(Body):
    number: str = Field(
        min_length=1, max_length=100, description="your document's number, taken once"
    )
    reason: str = Field(default="", max_length=300)
    lines: list[CountedLine] = Field(min_length=1, max_length=1000)


class CorrectedLine(BaseModel):
    article: str
    bin: str
    before: int
    counted: int
    change: int


class CorrectionOut(BaseModel):
    id: int
    number: str
    reason: str
    at: datetime
    document: str = Field(description="the ledger's document of its movements")
    lines: list[CorrectedLine]


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/stock", view_func=stock, methods=["GET"])
    bp.add_url_rule("/stock/free", view_func=free_stock, methods=["GET"])
    bp.add_url_rule("/stock/corrections", view_func=correct_stock, methods=["POST"])
    bp.add_url_rule("/stock/corrections/<int:correction_id>", view_func=correction, methods=["GET"])
    bp.add_url_rule("/movements", view_func=movements, methods=["GET"])


@endpoint("stock:read", tags=("stock",), query=StockQuery, ok=StockPage)
def stock(query: StockQuery) -> StockPage:
    """On-hand, reserved and free units by product and bin."""
    free = free_units().label("free")
    select_rows = (
        select(Stock, Product.article, Location.code, Warehouse.code, free)
        .join(Product, Product.id == Stock.product_id)
        .join(Location, Location.id == Stock.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(Stock.id > query.after)
        .order_by(Stock.id)
        .limit(query.limit + 1)
    )
    if query.article:
        select_rows = select_rows.where(Product.article == query.article)
    if query.warehouse:
        select_rows = select_rows.where(Warehouse.code == query.warehouse)
    if query.bin:
        select_rows = select_rows.where(Location.code == query.bin)
    rows = db.session().execute(select_rows).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return StockPage(
        items=[
            # a read, not a write: the fields by name (the ledger's test looks for
            # assignments of the stock's units outside the ledger)
            StockRow.model_validate(
                {
                    "id": row.id,
                    "product_id": row.product_id,
                    "article": article,
                    "warehouse": warehouse,
                    "bin": code,
                    "on_hand": row.on_hand,
                    "reserved": row.reserved,
                    "free": max(units, 0),
                }
            )
            for row, article, code, warehouse, units in rows
        ],
        next=rows[-1][0].id if rows else query.after,
        has_more=more,
    )


@endpoint("stock:read", tags=("stock",), query=FreeQuery, ok=FreeStock, more={"HTTP_404": Problem})
def free_stock(query: FreeQuery) -> FreeStock:
    """Free stock per card of one marketplace account: what the marketplace may sell."""
    session = db.session()
    account = session.get(MarketplaceAccount, query.account_id)
    if account is None:
        raise NotFound("account_not_found")
    return FreeStock(
        account_id=account.id,
        marketplace=account.kind,
        warehouse=session.get_one(Warehouse, account.warehouse_id).code,
        items=[
            CardFree(
                sku=card.sku,
                product_id=card.product_id,
                free=card.free,
                last_pushed=card.last_pushed,
            )
            for card in stock_sync.free_by_card(session, account)
        ],
    )


@endpoint("stock:read", tags=("stock",), query=PageQuery, ok=MovementPage)
def movements(query: PageQuery) -> MovementPage:
    """The stock ledger after the cursor, oldest first: every change of every bin."""
    found, next_id, more = ledger.movements_after(db.session(), query.after, query.limit)
    return MovementPage(
        items=[
            Movement(
                cursor=m.id,
                at=m.created_at,
                product_id=m.product_id,
                article=m.product.article,
                warehouse=m.location.warehouse.code,
                bin=m.location.code,
                quantity=m.quantity,
                reason=m.reason,
                document=m.document,
                by=m.user.name if m.user else None,
            )
            for m in found
        ],
        next=next_id,
        has_more=more,
    )


@endpoint(
    "stock:write", tags=("stock",), json=CorrectionIn, ok=CorrectionOut, status=201, write=True
)
def correct_stock(json: CorrectionIn) -> tuple[CorrectionOut, int]:
    """An inventory from accounting: each line says how many units a bin holds; the
    differences go to the stock ledger as «correction» movements, all lines or none."""
    session = db.session()
    lines = [
        corrections.Counted(line.article, line.bin, line.counted, line.warehouse)
        for line in json.lines
    ]
    try:
        posted = corrections.post(session, g.api_caller.account_id, json.number, json.reason, lines)
    except corrections.LinesRefused as refused:
        errors = [
            FieldError(where=f"lines.{index}", message=describe(code, params))
            for index, code, params in refused.refusals
        ]
        raise ApiProblem("refused", describe(refused.code, refused.params), errors=errors) from None
    return _correction(corrections.get(session, posted.id)), 201


@endpoint("stock:read", tags=("stock",), ok=CorrectionOut, more={"HTTP_404": Problem})
def correction(correction_id: int) -> CorrectionOut:
    """One stock correction document with what each bin held before."""
    return _correction(corrections.get(db.session(), correction_id))


def _correction(found: StockCorrection) -> CorrectionOut:
    return CorrectionOut(
        id=found.id,
        number=found.number,
        reason=found.reason,
        at=found.created_at,
        document=f"correction:{found.id}",
        lines=[
            CorrectedLine(
                article=line.product.article,
                bin=line.location.code,
                before=line.before,
                counted=line.counted,
                change=line.change,
            )
            for line in found.lines
        ],
    )
