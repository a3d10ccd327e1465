"""A new Wildberries card made from one of our products, as sellers with a 1C module do:
the content API's ``cards/upload`` through the outbox, then WB's verdict.

WB answers the upload at once but makes the card later (up to half an hour) or lists what
it refused in ``cards/error/list``. A ``check_card`` command asks until one of the two is
true: the card among the account's cards (they are imported then, so the new card is
linked to the product and can be priced) or its errors, kept on the request for the desk.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.catalog import listings
from warehouse.errors import DomainError
from warehouse.marketplaces import outbox
from warehouse.marketplaces.base import NewCard, RejectedError, TransientError
from warehouse.models import CardRequest, Listing, MarketplaceAccount, OutboxCommand, Product, User

logger = logging.getLogger(__name__)

CREATE_KIND, CHECK_KIND = "create_card", "check_card"
CHECK_AFTER_SECONDS = 30  # WB makes a card in up to 30 minutes; the outbox backs off after
# WB's 400 for a vendor code one of the seller's cards has (content API, cards/upload)
VENDOR_CODE_TAKEN = "vendor code is used in other cards"


def ask(
    session: Session,
    account: MarketplaceAccount,
    product: Product,
    *,
    subject_id: int,
    brand: str,
    description: str,
    price: int,
    user: User | None,
) -> CardRequest:
    """Ask WB for a card of ``product`` (its article is the card's vendor code)."""
    if account.kind != "wb":
        raise DomainError("card_not_wb")
    if subject_id <= 0:
        raise DomainError("card_no_subject")
    if price <= 0 or price % 100:
        raise DomainError("card_bad_price")
    units = [b.barcode for b in product.barcodes if b.quantity == 1]
    if not units:
        raise DomainError("card_no_barcode", article=product.article)
    code = product.article[:72]
    if session.scalar(
        select(Listing.id).where(Listing.account_id == account.id, Listing.article == code)
    ):
        raise DomainError("card_exists", article=code)
    if session.scalar(
        select(CardRequest.id).where(
            CardRequest.account_id == account.id,
            CardRequest.product_id == product.id,
            CardRequest.status == "sent",
        )
    ):
        raise DomainError("card_asked", article=code)
    request = CardRequest(
        account=account,
        product=product,
        vendor_code=code,
        subject_id=subject_id,
        brand=brand.strip()[:100],
        title=product.name[:60],
        created_by_id=user.id if user else None,
    )
    session.add(request)
    session.flush()
    outbox.queue_command(
        session,
        account,
        CREATE_KIND,
        payload={
            "request_id": request.id,
            "description": description.strip()[:5000],
            "price": price,
            "barcodes": units,
        },
    )
    return request


def deliver_create(session: Session, client: Any, command: OutboxCommand) -> None:
    """``create_card``: the upload; WB's refusal of the request itself is kept on it."""
    request = session.get_one(CardRequest, command.payload["request_id"])
    if request.status != "sent":
        return
    product = request.product
    card = NewCard(
        subject_id=request.subject_id,
        vendor_code=request.vendor_code,
        title=request.title,
        description=command.payload.get("description", ""),
        brand=request.brand,
        barcodes=tuple(command.payload.get("barcodes", [])),
        price=int(command.payload["price"]),
        length_cm=_cm(product.length_mm),
        width_cm=_cm(product.width_mm),
        height_cm=_cm(product.height_mm),
        weight_kg=round((product.weight_g or 0) / 1000, 3),
    )
    try:
        client.create_cards([card])
    except RejectedError as refused:
        if command.attempts > 1 and VENDOR_CODE_TAKEN in str(refused).lower():
            # an earlier upload whose answer was lost (a timeout, a dropped connection)
            # made the card: WB knows its vendor code now; the check finds and links it
            logger.info("wb card upload repeated request=%s: looking for it", request.id)
        else:
            request.status, request.errors = "refused", [str(refused)[:500]]
            logger.warning("wb card refused request=%s error=%s", request.id, refused)
            return
    outbox.queue_command(
        session,
        command.cabinet,
        CHECK_KIND,
        payload={"request_id": request.id},
        delay_seconds=CHECK_AFTER_SECONDS,
    )


def deliver_check(session: Session, client: Any, command: OutboxCommand) -> None:
    """``check_card``: WB's errors for the card, or the card itself; neither yet is a wait."""
    request = session.get_one(CardRequest, command.payload["request_id"])
    if request.status != "sent":
        return
    errors = client.card_errors([request.vendor_code]).get(request.vendor_code)
    if errors:
        request.status, request.errors = "refused", [str(e)[:500] for e in errors][:20]
        return
    account = command.cabinet
    listings.import_cards(session, account, client.product_cards())
    if session.scalar(
        select(Listing.id).where(
            Listing.account_id == account.id, Listing.article == request.vendor_code
        )
    ):
        request.status = "made"
        logger.info("wb card made request=%s vendor_code=%s", request.id, request.vendor_code)
        return
    raise TransientError(f"Wildberries has not made card {request.vendor_code} yet")


def requests_of(session: Session, account_id: int, limit: int = 20) -> list[CardRequest]:
    return list(
        session.scalars(
            select(CardRequest)
            .where(CardRequest.account_id == account_id)
            .order_by(CardRequest.id.desc())
            .limit(limit)
        )
    )


def _cm(mm: int | None) -> int:
    return -(-(mm or 0) // 10)
