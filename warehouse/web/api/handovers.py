"""/api/v1/handovers: the pickups (a WB supply, an Ozon act, a YM shipment, a Megamarket
shipping date) and the parcels loaded onto each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy import select

from warehouse.errors import NotFound
from warehouse.infra import db
from warehouse.models import HANDOVER_STATUSES, MARKETPLACES, HandOver, MarketplaceAccount
from warehouse.shipping import handovers as shipping
from warehouse.web.api.pages import CURSOR, LIMIT, MAX_ID, page_of
from warehouse.web.api.problems import Problem
from warehouse.web.api.spec import endpoint

HandOverStatus = Literal[HANDOVER_STATUSES]  # type: ignore[valid-type]
Marketplace = Literal[MARKETPLACES]  # type: ignore[valid-type]


class HandOverQuery(BaseModel):
    after: int = CURSOR
    limit: int = LIMIT
    account_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: HandOverStatus | None = None
    ship_date: date | None = None


class HandOverRow(BaseModel):
    id: int
    account_id: int
    marketplace: Marketplace
    ship_date: date
    status: HandOverStatus
    external_id: str = Field(description="the marketplace's supply / act / shipment id")
    marketplace_state: str
    created_at: datetime


class HandOverPage(BaseModel):
    items: list[HandOverRow]
    next: int
    has_more: bool


class LoadedParcel(BaseModel):
    order_id: int
    external_id: str = Field(description="the order at the marketplace")
    number: int = Field(description="the parcel's number within its order")
    label_barcode: str
    loaded_at: datetime | None = Field(description="null: not loaded yet")


class HandOverDetail(HandOverRow):
    parcels: list[LoadedParcel]


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/handovers", view_func=handovers, methods=["GET"])
    bp.add_url_rule("/handovers/<int:handover_id>", view_func=handover, methods=["GET"])


@endpoint("handovers:read", tags=("handovers",), query=HandOverQuery, ok=HandOverPage)
def handovers(query: HandOverQuery) -> HandOverPage:
    """Hand-overs by id, filtered by account, status and ship date."""
    found = (
        select(HandOver, MarketplaceAccount.kind)
        .join(MarketplaceAccount, MarketplaceAccount.id == HandOver.account_id)
        .where(HandOver.id > query.after)
        .order_by(HandOver.id)
        .limit(query.limit + 1)
    )
    if query.account_id is not None:
        found = found.where(HandOver.account_id == query.account_id)
    if query.status:
        found = found.where(HandOver.status == query.status)
    if query.ship_date:
        found = found.where(HandOver.ship_date == query.ship_date)
    rows, next_id, more = page_of(
        list(db.session().execute(found).tuples()), query, lambda row: row[0].id
    )
    return HandOverPage(items=[_row(h, kind) for h, kind in rows], next=next_id, has_more=more)


@endpoint("handovers:read", tags=("handovers",), ok=HandOverDetail, more={"HTTP_404": Problem})
def handover(handover_id: int) -> HandOverDetail:
    """One hand-over with every parcel of its orders, loaded or not."""
    session = db.session()
    found = session.get(HandOver, handover_id)
    if found is None:
        raise NotFound("handover_not_found")
    kind = session.get_one(MarketplaceAccount, found.account_id).kind
    orders = shipping.orders_of(session, found.id)
    parcels = shipping.parcels_of(session, [order.id for order in orders])
    return HandOverDetail(
        **_row(found, kind).model_dump(),
        parcels=[
            LoadedParcel(
                order_id=order.id,
                external_id=order.external_id,
                number=p.number,
                label_barcode=p.label_barcode,
                loaded_at=p.loaded_at,
            )
            for order in orders
            for p in parcels.get(order.id, [])
        ],
    )


def _row(found: HandOver, kind: str) -> HandOverRow:
    return HandOverRow(
        id=found.id,
        account_id=found.account_id,
        marketplace=kind,
        ship_date=found.ship_date,
        status=found.status,
        external_id=found.external_id,
        marketplace_state=found.marketplace_state,
        created_at=found.created_at,
    )
