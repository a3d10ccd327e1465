"""What holds a new price for a supervisor: a price below break-even (cost price plus
the marketplace's commission on the price plus logistics), below the card's own minimum
price, a change larger than the price list allows, or a first price of a product with no
cost price (nothing to check it against). A held price is never sent until a person
confirms it."""

from __future__ import annotations

from warehouse.models import PriceList


def floor(cost: int | None, price_list: PriceList) -> int | None:
    """The lowest price that loses nothing on a sale (kopecks): ``p - p·c - logistics ≥
    cost``, so ``p ≥ (cost + logistics) / (1 - c)``; None when the cost is not known."""
    if cost is None:
        return None
    keep = 10_000 - price_list.commission_bp
    return -(-(cost + price_list.logistics) * 10_000 // keep)  # rounded up


def change_percent(was: int | None, price: int) -> float | None:
    """How much a price moves, in percent of the price it had (None: it had none)."""
    if not was:
        return None
    return (price - was) * 100 / was


def hold_reason(
    price: int,
    *,
    floor_price: int | None,
    min_price: int | None,
    was: int | None,
    max_change_percent: int,
    restoring: bool = False,
) -> str | None:
    """Why this price must wait for a supervisor, or None. A price going back to what a
    list already had (a timed discount's end) is not a big change: the discount was."""
    if floor_price is not None and price < floor_price:
        return "below_cost"
    if min_price is not None and price < min_price:
        return "below_minimum"
    moved = change_percent(was, price)
    if not restoring and moved is not None and abs(moved) > max_change_percent:
        return "big_change"
    if floor_price is None and was is None:
        return "no_basis"  # no cost and no price before: nothing says 1 ₽ is a typo
    return None
