"""What a report's row is about: one of our products, or — a line the marketplace sent
about a card we have no product for — its article alone. Never the two mixed up: an
article made of digits is not a product's id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import Product

Item = tuple[int, str]  # (our product's id, "") or (0, the marketplace's article)


def item(product_id: int | None, article: str) -> Item:
    return (product_id, "") if product_id else (0, article)


def names(session: Session, keys: Iterable[Item]) -> dict[Item, tuple[str, str]]:
    """(article, name) of each item: ours from the catalogue, the others as the
    marketplace wrote them (no name)."""
    ids = sorted({product_id for product_id, _article in keys if product_id})
    found: dict[Item, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        for product_id, article, name in session.execute(
            select(Product.id, Product.article, Product.name).where(
                Product.id.in_(ids[start : start + 500])
            )
        ):
            found[(product_id, "")] = (article, name)
    for key in keys:
        found.setdefault(key, (key[1], ""))
    return found
