"""/api/v1/orders: orders of every marketplace in one shape, page by page, and their
status changes for systems that poll."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint
from pydantic import AwareDatetime, BaseModel, Field

from warehouse.infra import db
from warehouse.models import MARKETPLACES, ORDER_STATUSES, Order, OrderEvent, OrderLine
from warehouse.orders import listing
from warehouse.web.api.pages import CURSOR, LIMIT, MAX_ID, PageQuery
from warehouse.web.api.problems import Problem
from warehouse.web.api.spec import endpoint

Marketplace = Literal[MARKETPLACES]  # type: ignore[valid-type]
Status = Literal[ORDER_STATUSES]  # type: ignore[valid-type]


class OrderQuery(BaseModel):
    after: int = CURSOR
    limit: int = LIMIT
    marketplace: Marketplace | None = None
    account_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: Status | None = None
    changed_since: AwareDatetime | None = Field(
        default=None, description="only orders changed at or after this time (with its offset)"
    )


class Line(BaseModel):
    id: int
    product_id: int | None = Field(description="our product; null while the line is not mapped")
    article: str
    barcode: str
    quantity: int
    price_kopecks: int


class OrderOut(BaseModel):
    id: int
    marketplace: Marketplace
    account_id: int
    external_id: str = Field(description="the marketplace's own order (assembly task) id")
    status: Status = Field(description="the unified status")
    marketplace_status: str = Field(description="the marketplace's own word")
    ship_by: datetime | None
    placed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    handover_id: int | None
    lines: list[Line]


class OrderPage(BaseModel):
    items: list[OrderOut]
    next: int = Field(description="pass as `after` to read on (also when the page is empty)")
    has_more: bool = Field(description="more rows are there now; read on at once")


class Taken(BaseModel):
    bin: str
    quantity: int


class LineDetail(Line):
    reserved: list[Taken] = Field(description="the bins the line's units are reserved in")


class ParcelOut(BaseModel):
    number: int
    label_barcode: str
    loaded_at: datetime | None


class HandOverOut(BaseModel):
    id: int
    ship_date: str
    status: str
    external_id: str = Field(description="the marketplace's supply / act / shipment id")


class Change(BaseModel):
    at: datetime
    from_status: str
    to_status: Status
    marketplace_status: str
    by: str | None = Field(description="the person who made the change; null: the system")


class OrderDetail(OrderOut):
    numbers: list[str] = Field(description="every number the order is known by")
    lines: list[LineDetail]  # type: ignore[assignment]
    parcels: list[ParcelOut]
    handover: HandOverOut | None
    history: list[Change]


class StatusChange(BaseModel):
    cursor: int = Field(description="this change's place in the feed")
    order_id: int
    marketplace: Marketplace
    account_id: int
    external_id: str
    at: datetime
    from_status: str
    to_status: Status
    marketplace_status: str


class ChangePage(BaseModel):
    items: list[StatusChange]
    next: int
    has_more: bool


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/orders", view_func=orders, methods=["GET"])
    bp.add_url_rule("/orders/changes", view_func=changes, methods=["GET"])
    bp.add_url_rule("/orders/<int:order_id>", view_func=order, methods=["GET"])


@endpoint("orders:read", tags=("orders",), query=OrderQuery, ok=OrderPage)
def orders(query: OrderQuery) -> OrderPage:
    """Orders of every marketplace, oldest first, page by page."""
    wanted = listing.OrderFilter(
        marketplace=query.marketplace,
        account_id=query.account_id,
        status=query.status,
        changed_since=query.changed_since,
    )
    page = listing.orders_page(db.session(), wanted, query.after, query.limit)
    return OrderPage(
        items=[_order(found) for found in page.items], next=page.next, has_more=page.has_more
    )


@endpoint("orders:read", tags=("orders",), query=PageQuery, ok=ChangePage)
def changes(query: PageQuery) -> ChangePage:
    """Unified status changes of all orders after the cursor, oldest first: poll with the
    last `next` to learn what changed since."""
    page = listing.order_events_page(db.session(), query.after, query.limit)
    return ChangePage(
        items=[_change(event, found) for event, found in page.items],
        next=page.next,
        has_more=page.has_more,
    )


@endpoint("orders:read", tags=("orders",), ok=OrderDetail, more={"HTTP_404": Problem})
def order(order_id: int) -> OrderDetail:
    """One order with its lines, reservations, parcels, hand-over and status history."""
    s = db.session()
    found = listing.order_of(s, order_id)
    handover = found.handover
    return OrderDetail(
        **_order(found).model_dump(exclude={"lines"}),
        numbers=[number.number for number in found.numbers],
        lines=[
            LineDetail(
                **_line(line).model_dump(),
                reserved=[
                    Taken(bin=taken.stock.location.code, quantity=taken.quantity)
                    for taken in line.reservations
                ],
            )
            for line in found.lines
        ],
        parcels=[
            ParcelOut(number=p.number, label_barcode=p.label_barcode, loaded_at=p.loaded_at)
            for p in listing.parcels_of(s, found)
        ],
        handover=HandOverOut(
            id=handover.id,
            ship_date=handover.ship_date.isoformat(),
            status=handover.status,
            external_id=handover.external_id,
        )
        if handover
        else None,
        history=[
            Change(
                at=event.at,
                from_status=event.from_status,
                to_status=event.to_status,
                marketplace_status=event.marketplace_status,
                by=event.user.name if event.user else None,
            )
            for event in listing.history_of(s, found)
        ],
    )


def _order(found: Order) -> OrderOut:
    return OrderOut(
        id=found.id,
        marketplace=found.account.kind,
        account_id=found.account_id,
        external_id=found.external_id,
        status=found.status,
        marketplace_status=found.marketplace_status,
        ship_by=found.ship_by,
        placed_at=found.placed_at,
        created_at=found.created_at,
        updated_at=found.updated_at,
        handover_id=found.handover_id,
        lines=[_line(line) for line in found.lines],
    )


def _line(line: OrderLine) -> Line:
    return Line(
        id=line.id,
        product_id=line.product_id,
        article=line.article,
        barcode=line.barcode,
        quantity=line.quantity,
        price_kopecks=line.price_kopecks,
    )


def _change(event: OrderEvent, found: Order) -> StatusChange:
    return StatusChange(
        cursor=event.id,
        order_id=found.id,
        marketplace=found.account.kind,
        account_id=found.account_id,
        external_id=found.external_id,
        at=event.at,
        from_status=event.from_status,
        to_status=event.to_status,
        marketplace_status=event.marketplace_status,
    )
