"""Price lists: made and set up on the desk, and what the desk shows of them (their prices
beside cost, break-even and what the marketplace shows; counts of what is still on its way
or was refused)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from warehouse.errors import DomainError
from warehouse.models import (
    Listing,
    MarketplaceAccount,
    Price,
    PriceDocument,
    PriceDocumentLine,
    PriceList,
    Product,
)

# what the list page may show: every card, those waiting to go, refused, or differing
FILTERS = ("all", "pending", "refused", "differs", "unpriced")
PAGE = 200


def create(
    session: Session,
    account: MarketplaceAccount,
    name: str,
    *,
    commission_bp: int,
    logistics: int,
    max_change_percent: int,
) -> PriceList:
    plist = PriceList(account=account, name=name.strip()[:100])
    if not plist.name:
        raise DomainError("price_list_no_name")
    set_figures(plist, commission_bp, logistics, max_change_percent)
    try:
        with session.begin_nested():
            session.add(plist)
            session.flush()
    except IntegrityError:
        raise DomainError("price_list_name_taken", name=plist.name) from None
    return plist


def set_figures(
    plist: PriceList, commission_bp: int, logistics: int, max_change_percent: int
) -> None:
    """The guards' figures (the database's CHECKs keep them sane too)."""
    if not (0 <= commission_bp < 10_000 and 0 <= logistics <= 2**31 - 1):
        raise DomainError("price_list_bad_figures")
    if not 1 <= max_change_percent <= 1000:
        raise DomainError("price_list_bad_figures")
    plist.commission_bp = commission_bp
    plist.logistics = logistics
    plist.max_change_percent = max_change_percent


@dataclass(frozen=True)
class ListSummary:
    plist: PriceList
    priced: int
    pending: int  # waiting to be sent or for the marketplace's verdict
    refused: int
    differs: int  # the marketplace shows another price than ours


def summaries(session: Session) -> list[ListSummary]:
    counts = {
        list_id: (priced, pending, refused, differs)
        for list_id, priced, pending, refused, differs in session.execute(
            select(
                Price.price_list_id,
                func.count(),
                func.sum(case((Price.push_status.in_(("pending", "checking")), 1), else_=0)),
                func.sum(case((Price.push_status == "refused", 1), else_=0)),
                func.sum(case((_differs(), 1), else_=0)),
            ).group_by(Price.price_list_id)
        )
    }
    lists = session.scalars(select(PriceList).order_by(PriceList.account_id, PriceList.name))
    return [
        ListSummary(plist, *(int(n or 0) for n in counts.get(plist.id, (0, 0, 0, 0))))
        for plist in lists
    ]


def _differs() -> ColumnElement[bool]:
    """Read back, and not what we sent (a price still on its way is not a difference)."""
    return and_(
        Price.read_at.is_not(None),
        Price.push_status == "sent",
        or_(
            Price.market_price.is_(None),
            Price.market_price != Price.price,
            Price.market_old_price.is_distinct_from(Price.old_price),
        ),
    )


@dataclass(frozen=True)
class Row:
    listing: Listing
    product: Product | None
    price: Price | None


def rows(
    session: Session, plist: PriceList, show: str = "all", text: str = "", page: int = 1
) -> tuple[list[Row], bool]:
    """The cards of the list's account with their price in this list (cards priced by
    another list of the account are not this list's), a page at a time; and whether more
    follow."""
    query = (
        select(Listing, Product, Price)
        .outerjoin(Product, Product.id == Listing.product_id)
        .outerjoin(
            Price, and_(Price.listing_id == Listing.id, Price.account_id == plist.account_id)
        )
        .where(Listing.account_id == plist.account_id)
        .where(or_(Price.id.is_(None), Price.price_list_id == plist.id))
        .order_by(Product.article, Listing.sku)
    )
    if show == "pending":
        query = query.where(Price.push_status.in_(("pending", "checking")))
    elif show == "refused":
        query = query.where(Price.push_status == "refused")
    elif show == "differs":
        query = query.where(_differs())
    elif show == "unpriced":
        query = query.where(Price.id.is_(None))
    if text:
        like = f"%{text.strip()}%"
        query = query.where(
            or_(Listing.sku.ilike(like), Product.article.ilike(like), Product.name.ilike(like))
        )
    found = session.execute(query.offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    return [Row(*row) for row in found[:PAGE]], len(found) > PAGE


def documents_of(
    session: Session, plist: PriceList | None = None, limit: int = 30
) -> list[tuple[PriceDocument, int]]:
    """The latest documents (of one list), those waiting for a supervisor first, each with
    its number of lines."""
    lines = (
        select(func.count())
        .where(PriceDocumentLine.document_id == PriceDocument.id)
        .scalar_subquery()
    )
    query = select(PriceDocument, lines).order_by(
        case((PriceDocument.status == "held", 0), else_=1), PriceDocument.id.desc()
    )
    if plist is not None:
        query = query.where(PriceDocument.price_list_id == plist.id)
    return [(doc, int(count)) for doc, count in session.execute(query.limit(limit))]
