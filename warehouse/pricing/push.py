"""Prices to the marketplaces through the outbox, and the prices they show read back.

An applied document marks its prices ``pending`` and owes the account one ``push_prices``
command (at most one waits, by its dedupe key). Delivering it sends the pending prices a
thousand at a time with the marketplace's own call, and keeps each card's answer on its
price: ``sent``, or ``refused`` with the marketplace's words. Wildberries decides later:
its cards wait ``checking`` until a ``check_prices`` command reads the upload's verdict.
A chunk answered is kept even when a later one meets a 429 or a 500, so a retry sends only
what is still pending. A price changed while its push was on the way is not marked sent:
the answer was for the old one, and the new one stays pending.

``read_prices`` asks what the marketplace shows now (where its API allows) for the desk's
comparison.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.marketplaces import outbox
from warehouse.marketplaces.base import (
    PriceItem,
    PriceOutcome,
    PriceUpload,
    RejectedError,
    TransientError,
)
from warehouse.models import Listing, MarketplaceAccount, OutboxCommand, Price, utcnow

logger = logging.getLogger(__name__)

PUSH_KIND = "push_prices"
CHECK_KIND = "check_prices"
READ_KIND = "read_prices"
CHUNK = 1000  # cards per call of ours (the connectors split further to their own limits)
# a WB verdict not read in this long (its check failed, or was lost): the prices go again
CHECK_GIVES_UP = timedelta(hours=6)


def queue(
    session: Session,
    account: MarketplaceAccount,
    kind: str = PUSH_KIND,
    delay: float = 2,
    payload: dict[str, Any] | None = None,
) -> None:
    """Owe the account a push (or a read) unless one is waiting already: it takes every
    pending price when it runs."""
    key = f"{kind}:{account.id}"
    if session.scalar(select(OutboxCommand.id).where(OutboxCommand.dedupe_key == key)):
        return
    try:
        with session.begin_nested():
            outbox.queue_command(
                session, account, kind, payload=payload, dedupe_key=key, delay_seconds=delay
            )
    except IntegrityError:  # another transaction queued it at the same moment
        logger.info("%s already queued account=%s", kind, account.id)


def sweep(session: Session, stale_after: timedelta = CHECK_GIVES_UP) -> int:
    """Accounts with pending prices and no push waiting get one (a price applied while the
    last push was being delivered found that push still pending and queued none). A WB
    verdict never read (its check failed or was lost) is given up after ``stale_after``:
    those prices are sent again."""
    session.execute(
        update(Price)
        .where(Price.push_status == "checking", Price.sent_at < utcnow() - stale_after)
        .values(push_status="pending")
        .execution_options(synchronize_session=False)
    )
    accounts = session.scalars(
        select(MarketplaceAccount)
        .where(
            MarketplaceAccount.id.in_(
                select(Price.account_id).where(Price.push_status == "pending").distinct()
            )
        )
        .where(MarketplaceAccount.callable_clause())
    ).all()
    for account in accounts:
        queue(session, account, delay=0)
    return len(accounts)


def deliver(session: Session, client: Any, command: OutboxCommand) -> None:
    """``push_prices``: one chunk of the account's pending prices per delivery (a short
    transaction and a short hold of the account's lock); another push is owed when more
    wait. A chunk the marketplace refuses whole is refused card by card, with its words:
    sent again it would be refused again."""
    account = command.cabinet
    rows = _pending_chunk(session, account)
    if not rows:
        return
    items = [_item(price, listing) for price, listing in rows]
    try:
        upload = client.push_prices(items)
    except RejectedError as refused:
        _settle(
            session,
            [
                (price.id, item, "refused", str(refused))
                for (price, _l), item in zip(rows, items, strict=True)
            ],
        )
        logger.warning(
            "prices refused account=%s items=%s error=%s", account.id, len(items), refused
        )
        upload = None
    if upload is not None:
        _keep(session, account, rows, items, upload)
    more = session.scalar(
        select(Price.id).where(
            Price.account_id == account.id,
            Price.push_status == "pending",
            Price.id.not_in([price.id for price, _listing in rows]),
        )
    )
    if more is not None:  # the next chunk, after this commit, under the one dedupe key
        command.dedupe_key = None
        session.flush()
        queue(session, account, delay=0)


def _keep(
    session: Session,
    account: MarketplaceAccount,
    rows: list[tuple[Price, Listing]],
    items: list[PriceItem],
    upload: PriceUpload,
) -> None:
    answered = {outcome.sku: outcome for outcome in upload.outcomes}
    later = "checking" if upload.task_ids else "sent"
    answers = []
    for (price, _listing), item in zip(rows, items, strict=True):
        outcome = answered.get(item.sku)
        status = later if outcome is None else ("sent" if outcome.ok else "refused")
        answers.append((price.id, item, status, outcome.error if outcome else ""))
    _settle(session, answers)
    checking = [
        {"id": price_id, "price": item.price, "old_price": item.old_price, "min": item.min_price}
        for price_id, item, status, _error in answers
        if status == "checking"
    ]
    if checking:  # the check reads the verdict on what was sent, not on a later price
        outbox.queue_command(
            session,
            account,
            CHECK_KIND,
            payload={"task_ids": list(upload.task_ids), "sent": checking},
            delay_seconds=2,
        )
    logger.info(
        "prices pushed account=%s items=%s refused=%s checking=%s",
        account.id,
        len(items),
        sum(not o.ok for o in upload.outcomes),
        len(checking),
    )


def check(session: Session, client: Any, command: OutboxCommand) -> None:
    """``check_prices`` (Wildberries): the verdict of the uploads on what they carried;
    still processing is a transient wait, retried with the outbox's backoff. A card priced
    again since is not settled by this verdict (the compare-and-set sees another price)."""
    sent = {int(entry["id"]): entry for entry in command.payload.get("sent", [])}
    rows = [(price, listing) for price, listing in _rows_by_id(session, list(sent))]
    items = [
        PriceItem(
            listing.sku,
            listing.marketplace_id,
            int(sent[price.id]["price"]),
            sent[price.id]["old_price"],
            sent[price.id]["min"],
        )
        for price, listing in rows
    ]
    for task_id in command.payload.get("task_ids", []):
        outcomes: Sequence[PriceOutcome] | None = client.price_task_outcomes(str(task_id), items)
        if outcomes is None:
            raise TransientError(f"Wildberries is still processing price upload {task_id}")
        answered = {outcome.sku: outcome for outcome in outcomes}
        _settle(
            session,
            [
                (price.id, item, "sent" if found.ok else "refused", found.error)
                for (price, _listing), item in zip(rows, items, strict=True)
                if (found := answered.get(item.sku)) is not None
            ],
            was="checking",
        )
    # a card in no task's report was taken (WB reports the cards it refused)
    _settle(
        session,
        [(price.id, item, "sent", "") for (price, _l), item in zip(rows, items, strict=True)],
        was="checking",
    )


def read(session: Session, client: Any, command: OutboxCommand) -> None:
    """``read_prices``: what the marketplace shows now, kept beside our price; a chunk per
    delivery, the next one owed while cards remain."""
    if not getattr(client, "READS_PRICES", False):
        return
    account = command.cabinet
    after = int(command.payload.get("after", 0))
    rows = _rows(session, account.id, None, after)
    if not rows:
        return
    items = [_item(price, listing) for price, listing in rows]
    shown = client.read_prices(items)
    stamp = utcnow()
    for (price, _listing), item in zip(rows, items, strict=True):
        market = shown.get(item.sku)
        price.market_price = market.price if market else None
        price.market_old_price = market.old_price if market else None
        price.read_at = stamp
    if len(rows) == CHUNK:  # the next chunk, under the one dedupe key
        command.dedupe_key = None
        session.flush()
        queue(session, account, READ_KIND, delay=0, payload={"after": rows[-1][0].id})


def _pending_chunk(session: Session, account: MarketplaceAccount) -> list[tuple[Price, Listing]]:
    """Up to a chunk of the account's pending prices; on WB the sizes of one card (nmID)
    stay together, for WB prices a card, not a size."""
    query = (
        select(Price, Listing)
        .join(Listing, Listing.id == Price.listing_id)
        .where(Price.account_id == account.id, Price.push_status == "pending")
        .order_by(Listing.marketplace_id, Price.id)
        .limit(CHUNK + 1)
        .execution_options(populate_existing=True)
    )
    rows = [(price, listing) for price, listing in session.execute(query)]
    if len(rows) <= CHUNK:
        return rows
    following, rows = rows[CHUNK], rows[:CHUNK]
    last = rows[-1][1].marketplace_id
    if account.kind == "wb" and following[1].marketplace_id == last:
        # the last card's sizes run on into the next chunk: the card goes whole with it
        rows = [row for row in rows if row[1].marketplace_id != last] or rows
    return rows


def _rows(
    session: Session, account_id: int, status: str | None, after: int
) -> list[tuple[Price, Listing]]:
    query = (
        select(Price, Listing)
        .join(Listing, Listing.id == Price.listing_id)
        .where(Price.account_id == account_id, Price.id > after)
        .order_by(Price.id)
        .limit(CHUNK)
    )
    if status is not None:
        query = query.where(Price.push_status == status)
    return [(price, listing) for price, listing in session.execute(query)]


def _rows_by_id(session: Session, ids: Sequence[int]) -> list[tuple[Price, Listing]]:
    found: list[tuple[Price, Listing]] = []
    for start in range(0, len(ids), CHUNK):
        query = (
            select(Price, Listing)
            .join(Listing, Listing.id == Price.listing_id)
            .where(Price.id.in_(ids[start : start + CHUNK]))
            .order_by(Price.id)
        )
        found += [(price, listing) for price, listing in session.execute(query)]
    return found


def _item(price: Price, listing: Listing) -> PriceItem:
    return PriceItem(
        listing.sku, listing.marketplace_id, price.price, price.old_price, price.min_price
    )


def _settle(
    session: Session, answers: Sequence[tuple[int, PriceItem, str, str]], was: str = "pending"
) -> None:
    """Keep each answer on its price (id, what was sent, status, error), only where the
    price is still ``was`` and still the one sent: a compare-and-set, so a newer price
    stays pending. One statement for all (executemany)."""
    if not answers:
        return
    table = cast(Table, Price.__table__)
    stamp = utcnow()
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.push_status == was,
            table.c.price == bindparam("b_price"),
            table.c.old_price.is_not_distinct_from(bindparam("b_old")),
            table.c.min_price.is_not_distinct_from(bindparam("b_min")),
        )
        .values(
            push_status=bindparam("b_status"),
            push_error=bindparam("b_error"),
            sent_price=bindparam("b_price"),
            sent_old_price=bindparam("b_old"),
            sent_at=stamp,
        )
    )
    session.connection().execute(
        statement,
        [
            {
                "b_id": price_id,
                "b_price": item.price,
                "b_old": item.old_price,
                "b_min": item.min_price,
                "b_status": status,
                "b_error": error[:500],
            }
            for price_id, item, status, error in answers
        ],
    )
