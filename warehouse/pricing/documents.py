"""Price documents: every change of price is one, kept whole (what, old → new, who, when,
why) and reviewed before it goes out.

A document is drafted from rows (a file, a rule, a form), checked by the guards, then
submitted: a line a guard holds waits for a supervisor's confirmation (the document is
``held``); with nothing waiting it is applied now, or ``scheduled`` for its time (and
again every ``repeat_days``: a discount every weekend). Applying writes the list's prices
in one statement per kind and owes the account a price push (``pricing.push``); the guards
are checked once more first, with the costs of that moment.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from warehouse.errors import DomainError, NotFound
from warehouse.models import (
    Listing,
    MarketplaceAccount,
    Price,
    PriceDocument,
    PriceDocumentLine,
    PriceList,
    Product,
    User,
    utcnow,
)
from warehouse.pricing import guards, push

logger = logging.getLogger(__name__)

# marketplaces whose price calls take whole roubles (WB's price before discount, MM's price)
WHOLE_ROUBLES = ("wb", "megamarket")
MAX_PRICE = 2**31 - 1  # kopecks: the columns are INTEGER
CHUNK = 500  # ids per IN (...) list
OPEN = ("draft", "held", "scheduled")  # what may still be confirmed, cancelled, applied


@dataclass(frozen=True)
class NewPrice:
    """A card's new price (kopecks); ``min_price`` None keeps the card's current one."""

    listing_id: int
    price: int
    old_price: int | None = None
    min_price: int | None = None


def price_list(session: Session, list_id: int) -> PriceList:
    found = session.get(PriceList, list_id)
    if found is None:
        raise NotFound("price_list_not_found", id=list_id)
    return found


def document(session: Session, document_id: int) -> PriceDocument:
    found = session.scalar(
        select(PriceDocument)
        .options(
            selectinload(PriceDocument.lines).selectinload(PriceDocumentLine.listing),
            selectinload(PriceDocument.lines).selectinload(PriceDocumentLine.product),
        )
        .where(PriceDocument.id == document_id)
    )
    if found is None:
        raise NotFound("price_document_not_found", id=document_id)
    return found


def current_prices(session: Session, account_id: int, listing_ids: Sequence[int]) -> dict:
    """listing id → its Price row in the account (cards without a price are left out)."""
    found: dict[int, Price] = {}
    ids = list(listing_ids)
    for start in range(0, len(ids), CHUNK):
        rows = session.scalars(
            select(Price)
            .where(Price.account_id == account_id, Price.listing_id.in_(ids[start : start + CHUNK]))
            .execution_options(populate_existing=True)  # as they are now, not as first read
        )
        found.update({row.listing_id: row for row in rows})
    return found


def draft(
    session: Session,
    plist: PriceList,
    rows: Sequence[NewPrice],
    *,
    source: str,
    reason: str,
    user: User | None,
) -> PriceDocument:
    """A new draft of these prices in ``plist``; cards whose price would not change are left
    out. Refuses cards of another account and prices the marketplace cannot take."""
    account = plist.account
    listings = _listings(session, account, [row.listing_id for row in rows])
    if account.kind == "wb":
        rows = _whole_wb_cards(session, account, rows, listings)
    now = current_prices(session, account.id, list(listings))
    doc = PriceDocument(
        price_list=plist, source=source, reason=reason.strip()[:300], created_by=user
    )
    session.add(doc)
    for given in rows:
        listing = listings[given.listing_id]
        _refuse_unsendable(account, listing, given)
        row = as_shown(account.kind, given)
        was = now.get(row.listing_id)
        min_price = row.min_price if row.min_price is not None else (was.min_price if was else None)
        if (
            was is not None
            and was.price_list_id == plist.id
            and (was.price, was.old_price, was.min_price) == (row.price, row.old_price, min_price)
        ):
            continue  # nothing would change
        doc.lines.append(
            PriceDocumentLine(
                listing_id=listing.id,
                product_id=listing.product_id,
                was_price=was.price if was else None,
                was_old_price=was.old_price if was else None,
                price=row.price,
                old_price=row.old_price,
                min_price=min_price,
            )
        )
    if not doc.lines:
        raise DomainError("price_nothing_changes")
    session.flush()
    check(session, doc)
    logger.info("price document drafted id=%s list=%s lines=%s", doc.id, plist.id, len(doc.lines))
    return doc


def _whole_wb_cards(
    session: Session,
    account: MarketplaceAccount,
    rows: Sequence[NewPrice],
    listings: dict[int, Listing],
) -> list[NewPrice]:
    """WB prices a card (nmID), not its sizes: a price given for one size is the price of
    all its sizes (added to ``listings``); two prices for sizes of one card are refused."""
    by_card: dict[str, NewPrice] = {}
    for row in rows:
        card = listings[row.listing_id].marketplace_id
        first = by_card.setdefault(card, row)
        if (first.price, first.old_price, first.min_price) != (
            row.price,
            row.old_price,
            row.min_price,
        ):
            raise DomainError("price_sizes_differ", card=card)
    given = {row.listing_id for row in rows}
    cards = [card for card in by_card if card]
    sizes = [
        size
        for start in range(0, len(cards), CHUNK)
        for size in session.scalars(
            select(Listing).where(
                Listing.account_id == account.id,
                Listing.marketplace_id.in_(cards[start : start + CHUNK]),
            )
        )
        if size.id not in given
    ]
    added = []
    for size in sizes:
        listings[size.id] = size
        first = by_card[size.marketplace_id]
        added.append(NewPrice(size.id, first.price, first.old_price, first.min_price))
    return [*rows, *added]


def _listings(
    session: Session, account: MarketplaceAccount, ids: Sequence[int]
) -> dict[int, Listing]:
    found: dict[int, Listing] = {}
    wanted = list(dict.fromkeys(ids))
    if len(wanted) != len(ids):
        raise DomainError("price_card_twice")
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update(
            {
                listing.id: listing
                for listing in session.scalars(select(Listing).where(Listing.id.in_(chunk)))
            }
        )
    for listing_id in wanted:
        listing = found.get(listing_id)
        if listing is None or listing.account_id != account.id:
            raise DomainError("price_card_not_of_account", id=listing_id, account=account.name)
    return found


def as_shown(kind: str, row: NewPrice) -> NewPrice:
    """The price as the marketplace will show it. Wildberries takes the price before the
    discount and a whole percent, and works out the buyer's price itself: 890 ₽ off
    1,090 ₽ is a 18 % discount there, so the buyer pays 893.80 ₽; the document says so."""
    if kind != "wb" or row.old_price is None:
        return row
    percent = round(100 - row.price * 100 / row.old_price)
    if percent <= 0:
        return NewPrice(row.listing_id, row.old_price, None, row.min_price)
    price = round(row.old_price * (100 - percent) / 100)
    return NewPrice(row.listing_id, price, row.old_price, row.min_price)


def _refuse_unsendable(account: MarketplaceAccount, listing: Listing, row: NewPrice) -> None:
    for value in (row.price, row.old_price, row.min_price):
        if value is not None and not 0 < value <= MAX_PRICE:
            raise DomainError("price_out_of_range", sku=listing.sku)
    if row.old_price is not None and row.old_price <= row.price:
        raise DomainError("price_old_not_higher", sku=listing.sku)
    if account.kind in WHOLE_ROUBLES:
        shown = row.old_price if account.kind == "wb" and row.old_price else row.price
        if shown % 100:
            raise DomainError("price_whole_roubles", sku=listing.sku)


def check(
    session: Session, doc: PriceDocument, lines: Sequence[PriceDocumentLine] | None = None
) -> int:
    """Run the guards over the lines (all, or those to be written) with today's costs and
    prices; returns how many wait for a confirmation. A confirmation stands unless the
    break-even rose above the one it was given against, the base of a confirmed big change
    moved, or the reason changed."""
    plist = doc.price_list
    lines = doc.lines if lines is None else lines
    costs = _costs(session, [line.product_id for line in lines if line.product_id])
    now = current_prices(session, plist.account_id, [line.listing_id for line in lines])
    waiting = 0
    for line in lines:
        floor = guards.floor(costs.get(line.product_id or 0), plist)
        was = now.get(line.listing_id)
        reason = guards.hold_reason(
            line.price,
            floor_price=floor,
            min_price=line.min_price,
            was=was.price if was else None,
            max_change_percent=plist.max_change_percent,
            restoring=doc.source == "restore",
        )
        confirmed = line.confirmed_by_id is not None and reason == line.hold_reason
        if confirmed and reason == "below_cost" and (line.floor or 0) < (floor or 0):
            confirmed = False  # the cost rose past what was confirmed
        if confirmed and reason == "big_change" and line.confirmed_was != (was and was.price):
            confirmed = False  # confirmed as a change from another price
        if confirmed and reason is not None:
            line.floor = max(line.floor or 0, floor or 0) or None
            continue
        line.hold_reason = reason
        line.floor = floor
        line.confirmed_by_id = None
        line.confirmed_at = None
        line.confirmed_was = None
        waiting += reason is not None
    return waiting


def _costs(session: Session, product_ids: Sequence[int]) -> dict[int, int]:
    ids = list(set(product_ids))
    costs: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Product.id, Product.cost_price).where(
                Product.id.in_(ids[start : start + CHUNK]), Product.cost_price.is_not(None)
            )
        )
        costs.update({product_id: cost for product_id, cost in rows})
    return costs


def submit(
    session: Session,
    doc: PriceDocument,
    user: User,
    *,
    run_at: datetime | None = None,
    repeat_days: int | None = None,
    restore_at: datetime | None = None,
) -> PriceDocument | None:
    """Send the draft on its way: held if a guard holds a line, else applied now or
    scheduled for ``run_at`` (every ``repeat_days`` after). With ``restore_at`` a second
    document puts back the prices the cards had, at that time (and as often): a timed
    discount. Returns that second document."""
    if not _claim(session, doc, ("draft",)):
        raise DomainError("price_document_not_draft", status=doc.status)
    if repeat_days is not None and run_at is None:
        raise DomainError("price_repeat_needs_time")
    if restore_at is not None:
        if run_at is None or restore_at <= run_at:
            raise DomainError("price_restore_before_start")
        if repeat_days is not None and restore_at - run_at >= timedelta(days=repeat_days):
            raise DomainError("price_restore_after_next_run", days=repeat_days)
    if run_at is not None and run_at <= utcnow():
        raise DomainError("price_time_passed")
    doc.run_at, doc.repeat_days = run_at, repeat_days
    restore = _restore_document(session, doc, user, restore_at) if restore_at else None
    for one in (doc, restore):
        if one is not None:
            _go_on(session, one, user)
    return restore


def _restore_document(
    session: Session, doc: PriceDocument, user: User, at: datetime
) -> PriceDocument | None:
    # the return of each card the discount changes: the price it had, taken again when the
    # discount is applied; ``was_*`` is the discount's, which the return takes back only
    # where it still stands (a card priced again meanwhile keeps its new price)
    lines = [
        PriceDocumentLine(
            listing_id=line.listing_id,
            product_id=line.product_id,
            was_price=line.price,
            was_old_price=line.old_price,
            price=line.was_price,
            old_price=line.was_old_price,
            min_price=line.min_price,
        )
        for line in doc.lines
        if line.was_price is not None  # a card without a price before has none to go back to
    ]
    if not lines:
        return None
    restore = PriceDocument(
        price_list=doc.price_list,
        restore_of=doc,
        source="restore",
        reason=f"#{doc.id}: {doc.reason}"[:300],
        created_by=user,
        run_at=at,
        repeat_days=doc.repeat_days,
        lines=lines,
    )
    session.add(restore)
    session.flush()
    return restore


def _go_on(session: Session, doc: PriceDocument, user: User | None) -> None:
    if check(session, doc):
        doc.status = "held"
        logger.info("price document held id=%s", doc.id)
    elif doc.run_at is not None:
        doc.status = "scheduled"
        logger.info("price document scheduled id=%s at=%s", doc.id, doc.run_at)
    else:
        apply(session, doc, user)


def confirm(session: Session, doc: PriceDocument, line_ids: Sequence[int], user: User) -> int:
    """A supervisor lets these held lines through; once nothing waits, a held document goes
    on (applied, or scheduled). Returns how many lines still wait."""
    if not _claim(session, doc, OPEN):
        raise DomainError("price_document_closed", status=doc.status)
    wanted = set(line_ids)
    stamp = utcnow()
    now = current_prices(session, doc.price_list.account_id, [x.listing_id for x in doc.lines])
    for line in doc.lines:
        if line.id in wanted and line.waits:
            line.confirmed_by_id, line.confirmed_at = user.id, stamp
            was = now.get(line.listing_id)
            line.confirmed_was = was.price if was else None
    still = sum(line.waits for line in doc.lines)
    if not still and doc.status == "held":
        _late(doc, stamp)
        _go_on(session, doc, user)
    return still


def _late(doc: PriceDocument, now: datetime) -> None:
    """A held document confirmed after its time: a weekly one waits for its next time; a
    timed discount whose return has passed is too late to start; anything else goes now."""
    if doc.run_at is None or doc.run_at > now:
        return
    if doc.restore_of_id is not None:
        return  # a return is due now: the scheduler's next minute takes the prices back
    if doc.repeat_days:
        while doc.run_at <= now:
            doc.run_at += timedelta(days=doc.repeat_days)
    elif doc.restore is not None and doc.restore.run_at and doc.restore.run_at <= now:
        raise DomainError("price_window_passed")
    else:
        doc.run_at = None


def cancel(session: Session, doc: PriceDocument) -> None:
    """A draft, held or scheduled document will not be applied (again)."""
    if not _claim(session, doc, OPEN):
        raise DomainError("price_document_closed", status=doc.status)
    if doc.restore_of is not None and doc.restore_of.status in OPEN:
        raise DomainError("price_return_of_open_discount", id=doc.restore_of.id)
    doc.status = "cancelled"
    back = doc.restore
    if back is not None and back.status in OPEN:
        in_effect = doc.applied_at is not None and (
            back.applied_at is None or back.applied_at < doc.applied_at
        )
        if in_effect:  # the discount is on now: its return still runs, once
            back.repeat_days = None
        else:
            back.status = "cancelled"


def apply(
    session: Session, doc: PriceDocument, user: User | None, now: datetime | None = None
) -> bool:
    """Write the document's prices into its list and owe the account a push; False when a
    guard holds a line now (the document waits, ``held``)."""
    now = now or utcnow()
    account = session.scalar(
        select(MarketplaceAccount)
        .where(MarketplaceAccount.id == doc.price_list.account_id)
        .with_for_update()  # applies to one account one at a time
    )
    assert account is not None
    current = current_prices(session, account.id, [line.listing_id for line in doc.lines])
    lines = doc.lines
    if doc.source == "restore":  # only what still stands at the discount's price goes back
        lines = [line for line in lines if _still_discounted(line, current.get(line.listing_id))]
    if check(session, doc, lines):
        doc.status = "held"
        logger.warning("price document held at apply id=%s", doc.id)
        return False
    if doc.restore is not None and doc.restore.status in OPEN:
        _remember_for_return(doc, current)
    _write_prices(session, doc, lines, current, now)
    doc.applied_at, doc.applied_by_id = now, user.id if user else None
    doc.times_applied += 1
    if doc.repeat_days and doc.run_at is not None:
        step = timedelta(days=doc.repeat_days)
        while doc.run_at <= now:
            doc.run_at += step
        doc.status = "scheduled"
    else:
        doc.status = "applied"
    push.queue(session, account)
    logger.info("price document applied id=%s lines=%s", doc.id, len(doc.lines))
    return True


def _still_discounted(line: PriceDocumentLine, now: Price | None) -> bool:
    """A return's line goes back only where the discount's price still stands."""
    return now is not None and (now.price, now.old_price) == (line.was_price, line.was_old_price)


def _remember_for_return(doc: PriceDocument, current: dict[int, Price]) -> None:
    """Before a timed discount writes its prices, its return learns what they replace (the
    prices of this week, not of the week it was planned)."""
    assert doc.restore is not None
    backs = {back.listing_id: back for back in doc.restore.lines}
    for line in doc.lines:
        now = current.get(line.listing_id)
        if now is None or (now.price, now.old_price) == (line.price, line.old_price):
            continue  # no price to go back to, or the discount's own (applied already)
        back = backs.get(line.listing_id)
        if back is None:  # a card priced since the discount was planned
            back = PriceDocumentLine(
                listing_id=line.listing_id,
                product_id=line.product_id,
                was_price=line.price,
                was_old_price=line.old_price,
                price=now.price,
            )
            doc.restore.lines.append(back)
        elif (back.price, back.old_price) != (now.price, now.old_price):
            back.confirmed_by_id = back.confirmed_at = back.confirmed_was = None
            back.hold_reason = None  # a confirmation was for another price
        back.price, back.old_price, back.min_price = now.price, now.old_price, now.min_price


def _write_prices(
    session: Session,
    doc: PriceDocument,
    lines: Sequence[PriceDocumentLine],
    existing: dict[int, Price],
    now: datetime,
) -> None:
    plist = doc.price_list
    changed, new = [], []
    for line in lines:
        values = {
            "price_list_id": plist.id,
            "price": line.price,
            "old_price": line.old_price,
            "min_price": line.min_price,
            "document_id": doc.id,
            "updated_at": now,
            "push_status": "pending",
            "push_error": "",
        }
        row = existing.get(line.listing_id)
        if row is None:
            new.append(values | {"account_id": plist.account_id, "listing_id": line.listing_id})
        elif (row.price_list_id, row.price, row.old_price, row.min_price) != (
            plist.id,
            line.price,
            line.old_price,
            line.min_price,
        ) or row.push_status in ("refused", "checking"):
            changed.append(values | {"id": row.id})
    if changed:
        session.execute(update(Price), changed)
    if new:
        session.execute(insert(Price), new)


def run_due(session: Session, now: datetime | None = None) -> int:
    """Apply every scheduled document whose time has come (the scheduler's minute); each
    in its own savepoint, so one that fails leaves the others applied."""
    now = now or utcnow()
    due = session.scalars(
        select(PriceDocument.id)
        .where(PriceDocument.status == "scheduled", PriceDocument.run_at <= now)
        .order_by(PriceDocument.run_at, PriceDocument.id)
    ).all()
    applied = 0
    for doc_id in due:
        doc = document(session, doc_id)
        try:
            with session.begin_nested():
                if _claim(session, doc, ("scheduled",)) and doc.run_at and doc.run_at <= now:
                    applied += apply(session, doc, None, now)
        except Exception:  # one document's failure leaves the others to their time
            logger.exception("price document not applied id=%s", doc_id)
    return applied


def _claim(session: Session, doc: PriceDocument, statuses: tuple[str, ...]) -> bool:
    """Take the document's row for this transaction and read it again: a second click, a
    second person or the scheduler may have moved it on since the page was drawn."""
    taken = session.execute(
        update(PriceDocument)
        .where(PriceDocument.id == doc.id, PriceDocument.status.in_(statuses))
        .values(status=PriceDocument.status)
        .execution_options(synchronize_session=False)
    )
    session.refresh(doc)
    session.scalars(  # its lines as they are now too (another person confirmed some)
        select(PriceDocumentLine)
        .where(PriceDocumentLine.document_id == doc.id)
        .execution_options(populate_existing=True)
    ).all()
    return bool(getattr(taken, "rowcount", 0))


def upcoming(session: Session, limit: int = 20) -> list[PriceDocument]:
    """Scheduled documents in the order they will be applied: what changes next."""
    return list(
        session.scalars(
            select(PriceDocument)
            .options(selectinload(PriceDocument.lines))
            .where(PriceDocument.status == "scheduled")
            .order_by(PriceDocument.run_at, PriceDocument.id)
            .limit(limit)
        )
    )
