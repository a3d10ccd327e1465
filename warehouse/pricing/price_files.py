"""A price list as a table (XLSX or CSV): exported for a manager to edit, imported back as
a draft document.

A row names a card by its marketplace SKU, or a product by its article (then every card of
that product in the account gets the price). Prices in roubles (``1 290``, ``1290,50``);
the old price («цена до скидки») or a discount in percent; a minimum price. The columns are
known by their Russian headings (the export's) or their English names. A file with a bad
row is refused whole, each bad row named: half a price list applied is worse than none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.catalog import catalogue_files
from warehouse.errors import DomainError
from warehouse.models import Listing, Price, PriceDocument, PriceList, Product, User
from warehouse.pricing import documents, guards
from warehouse.pricing.documents import MAX_PRICE, NewPrice

# column → its heading in our export; either is understood on import
HEADINGS = {
    "article": "Артикул",
    "sku": "SKU",
    "name": "Наименование",
    "cost": "Себестоимость",
    "floor": "Безубыточная цена",
    "price": "Цена",
    "old_price": "Цена до скидки",
    "discount": "Скидка, %",
    "min_price": "Мин. цена",
    "market_price": "Цена на маркетплейсе",
}
KNOWN = {name.casefold(): column for column, name in HEADINGS.items()} | {
    column: column for column in HEADINGS
}
MAX_REFUSALS = 50  # named in the answer; the rest counted
CENT = Decimal("0.01")


@dataclass
class Refusals:
    """Bad rows: (line, code, params) of the first ``MAX_REFUSALS``, and how many in all."""

    rows: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, code: str, **params: Any) -> None:
        self.count += 1
        if len(self.rows) < MAX_REFUSALS:
            self.rows.append((line, code, params))


class _Bad(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


class FileRefused(DomainError):
    """Rows of the file that cannot be read; nothing of it was kept."""

    def __init__(self, refusals: Refusals) -> None:
        super().__init__("price_file_refused", count=refusals.count)
        self.refusals = refusals


def export(session: Session, plist: PriceList, fmt: str) -> bytes:
    """Every card of the list's account: its product, cost, break-even, the list's price
    and what the marketplace last showed."""
    rows = session.execute(
        select(Listing, Product, Price)
        .outerjoin(Product, Product.id == Listing.product_id)
        .outerjoin(
            Price,
            (Price.listing_id == Listing.id) & (Price.account_id == Listing.account_id),
        )
        .where(Listing.account_id == plist.account_id)
        .order_by(Product.article, Listing.sku)
    )
    body = []
    for listing, product, price in rows:
        if price is not None and price.price_list_id != plist.id:
            continue  # the card's price is another list's
        cost = product.cost_price if product else None
        body.append(
            [
                product.article if product else "",
                listing.sku,
                (product.name if product else listing.name)[:300],
                _roubles(cost),
                _roubles(guards.floor(cost, plist)),
                _roubles(price.price if price else None),
                _roubles(price.old_price if price else None),
                _discount(price),
                _roubles(price.min_price if price else None),
                _roubles(price.market_price if price else None),
            ]
        )
    return catalogue_files.write(fmt, list(HEADINGS.values()), body)


def draft_from_file(
    session: Session, plist: PriceList, filename: str, data: bytes, user: User | None
) -> PriceDocument:
    """The file's prices as a draft document of the list (refused whole if a row is bad)."""
    table = catalogue_files.read(filename, data)
    columns = {KNOWN.get(name.strip().casefold(), ""): name for name in table.header}
    if "price" not in columns or not ({"sku", "article"} & set(columns)):
        raise DomainError("price_file_columns")
    cards, by_product = _cards(session, plist.account_id)
    refused = Refusals()
    rows: list[NewPrice] = []
    seen: dict[int, int] = {}
    for line, cells in table.rows:
        values = {column: cells.get(name, "").strip() for column, name in columns.items()}
        if not values.get("price") and not values.get("old_price"):
            continue  # a card left without a price is left as it is
        ids = _which(values, cards, by_product)
        if not ids:
            refused.add(
                line, "price_row_no_card", card=values.get("sku") or values.get("article", "")
            )
            continue
        try:
            price, old, least = _prices(values)
        except _Bad as bad:
            refused.add(line, bad.code, **bad.params)
            continue
        for listing_id in ids:
            if listing_id in seen:
                refused.add(line, "price_row_twice", first=seen[listing_id])
                continue
            seen[listing_id] = line
            rows.append(NewPrice(listing_id, price, old, least))
    if refused.count:
        raise FileRefused(refused)
    if not rows:
        raise DomainError("price_file_empty")
    return documents.draft(session, plist, rows, source="xlsx", reason=filename[:300], user=user)


def draft_one(
    session: Session, plist: PriceList, values: dict[str, str], user: User | None, reason: str
) -> PriceDocument:
    """A draft for one card (by SKU) or one product's cards (by article) from the desk's
    form, read as a file's row is (``HEADINGS``' columns)."""
    cards, by_product = _cards(session, plist.account_id)
    ids = _which(values, cards, by_product)
    if not ids:
        raise DomainError("price_row_no_card", card=values.get("sku") or values.get("article"))
    try:
        price, old, least = _prices(values)
    except _Bad as bad:
        raise DomainError(bad.code, **bad.params) from None
    rows = [NewPrice(listing_id, price, old, least) for listing_id in ids]
    return documents.draft(session, plist, rows, source="manual", reason=reason, user=user)


def _cards(session: Session, account_id: int) -> tuple[dict[str, int], dict[str, list[int]]]:
    cards: dict[str, int] = {}
    by_product: dict[str, list[int]] = {}
    query = (
        select(Listing.id, Listing.sku, Product.article)
        .outerjoin(Product, Product.id == Listing.product_id)
        .where(Listing.account_id == account_id)
    )
    for listing_id, sku, article in session.execute(query):
        cards[sku] = listing_id
        if article:
            by_product.setdefault(article, []).append(listing_id)
    return cards, by_product


def _which(
    values: dict[str, str], cards: dict[str, int], by_product: dict[str, list[int]]
) -> list[int]:
    sku = values.get("sku", "")
    if sku:
        return [cards[sku]] if sku in cards else []
    return by_product.get(values.get("article", ""), [])


def _prices(values: dict[str, str]) -> tuple[int, int | None, int | None]:
    price = _kopecks(values.get("price", ""), HEADINGS["price"])
    old = _kopecks(values.get("old_price", ""), HEADINGS["old_price"])
    discount = values.get("discount", "").replace(",", ".").rstrip("%").strip()
    if discount:
        try:
            percent = Decimal(discount)
        except InvalidOperation:
            raise _Bad("price_row_bad_discount", value=discount) from None
        if not percent.is_finite() or not 0 <= percent < 100:
            raise _Bad("price_row_bad_discount", value=discount)
        if price is None and old is not None:
            price = int(old * (100 - percent) / 100)
        elif old is None and price is not None and percent:
            # the price before the discount in whole roubles, as the marketplaces show it
            old = math.ceil(price / (100 - percent)) * 100
    if price is None:
        raise _Bad("price_row_no_price")
    if old is not None and old <= price:
        raise _Bad("price_row_old_not_higher")
    return price, old, _kopecks(values.get("min_price", ""), HEADINGS["min_price"])


def _kopecks(raw: str, column: str) -> int | None:
    text = raw.replace(" ", "").replace("\u00a0", "").replace(",", ".").removesuffix("₽")
    if not text:
        return None
    try:
        amount = Decimal(text)
        whole = amount.is_finite() and abs(amount) < MAX_PRICE and amount == amount.quantize(CENT)
    except InvalidOperation:  # not a number, or one no price is
        whole = False
    if not whole:
        raise _Bad("price_row_not_a_sum", column=column, value=raw[:40])
    kopecks = int(amount * 100)
    if not 0 < kopecks <= MAX_PRICE:
        raise _Bad("price_row_not_a_sum", column=column, value=raw)
    return kopecks


def _roubles(kopecks: int | None) -> str:
    if kopecks is None:
        return ""
    return f"{kopecks // 100}" if kopecks % 100 == 0 else f"{kopecks // 100}.{kopecks % 100:02d}"


def _discount(price: Price | None) -> str:
    if price is None or not price.old_price:
        return ""
    return str(round(100 - price.price * 100 / price.old_price))


def kopecks(raw: str, column: str, zero: bool = False) -> int | None:
    """A sum in roubles typed on the desk, as kopecks (blank: None); ``zero`` allows 0
    (logistics may cost nothing)."""
    text = raw.strip()
    if zero and text.replace(",", ".").strip("0.") == "" and text:
        return 0
    try:
        return _kopecks(text, column)
    except _Bad as bad:
        raise DomainError(bad.code, **bad.params) from None
