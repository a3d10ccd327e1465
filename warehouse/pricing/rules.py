"""Prices made by a rule: cost price × markup, rounded up to a price ending (…90, …99),
with a discount shown as a crossed-out price, for one product, a selection, a category or
the whole list's account. The rule drafts a document; nothing is applied without one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import Listing, PriceDocument, PriceList, Product, User
from warehouse.pricing import documents
from warehouse.pricing.documents import NewPrice

ENDINGS = ("", "0", "9", "00", "90", "99")  # "" = whole roubles, no ending


@dataclass(frozen=True)
class Rule:
    """``markup_percent`` over cost; ``ending``: the last digits of the price in roubles;
    ``discount_percent`` > 0 shows that discount (the old price is the one before it)."""

    markup_percent: int
    ending: str = ""
    discount_percent: int = 0
    category: str = ""  # "" = every category
    product_ids: tuple[int, ...] = ()  # () = every product of the category


def rounded(kopecks: int, ending: str) -> int:
    """The smallest price in whole roubles at or above ``kopecks`` ending in ``ending``."""
    if ending not in ENDINGS:
        raise DomainError("price_bad_ending", ending=ending)
    roubles = -(-kopecks // 100)
    if ending:
        step = 10 ** len(ending)
        roubles += (int(ending) - roubles) % step
    return roubles * 100


def price_for(cost: int, rule: Rule, before_ending: str | None = None) -> tuple[int, int | None]:
    """(price, old price) in kopecks by the rule, for a product of this cost; the old price
    ends as ``before_ending`` says (the rule's ending when None)."""
    price = rounded(cost * (100 + rule.markup_percent) // 100, rule.ending)
    if not rule.discount_percent:
        return price, None
    ending = rule.ending if before_ending is None else before_ending
    before = rounded(price * 100 // (100 - rule.discount_percent), ending)
    return price, before if before > price else None


def draft(
    session: Session, plist: PriceList, rule: Rule, user: User | None, reason: str = ""
) -> PriceDocument:
    """A draft document with the rule's price for every card of the chosen products in the
    list's account (products without a cost price are skipped: the rule has no base)."""
    if not 0 <= rule.markup_percent <= 10_000:
        raise DomainError("price_bad_markup")
    if not 0 <= rule.discount_percent <= 90:
        raise DomainError("price_bad_discount")
    query = (
        select(Listing.id, Product.cost_price)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.account_id == plist.account_id, Product.cost_price > 0)
        .order_by(Listing.id)
    )
    if rule.category:
        query = query.where(Product.category == rule.category)
    if rule.product_ids:
        query = query.where(Product.id.in_(rule.product_ids))
    # WB works the buyer's price out of the old price and a whole percent: an old price in
    # whole roubles keeps it nearest the rule's price (its ending would move the percent)
    before_ending = "" if plist.account.kind == "wb" else None
    rows: Sequence[NewPrice] = [
        NewPrice(listing_id, *price_for(cost, rule, before_ending))
        for listing_id, cost in session.execute(query)
    ]
    if not rows:
        raise DomainError("price_rule_no_cards")
    words = reason or _describe(rule)
    return documents.draft(session, plist, rows, source="rule", reason=words, user=user)


def _describe(rule: Rule) -> str:
    parts = [f"cost +{rule.markup_percent}%"]
    if rule.ending:
        parts.append(f"…{rule.ending}")
    if rule.discount_percent:
        parts.append(f"-{rule.discount_percent}%")
    if rule.category:
        parts.append(rule.category)
    return ", ".join(parts)


def products_by_article(session: Session, text: str) -> tuple[int, ...]:
    """The products a typed list of articles names (commas, spaces or new lines between);
    an article we do not know is refused, not skipped."""
    wanted = [word for word in re.split(r"[\s,;]+", text) if word][:10_000]
    if not wanted:
        return ()
    found = dict(
        session.execute(select(Product.article, Product.id).where(Product.article.in_(wanted)))
        .tuples()
        .all()
    )
    unknown = [article for article in wanted if article not in found]
    if unknown:
        raise DomainError("price_rule_unknown_articles", articles=", ".join(unknown[:10]))
    return tuple(found[article] for article in wanted)


def categories(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Product.category)
            .where(Product.category != "")
            .distinct()
            .order_by(Product.category)
        )
    )
