"""Kopecks as each marketplace writes money, and back.

We keep every amount in kopecks; WB and Megamarket take whole roubles, Ozon strings with
two decimals, Yandex Market JSON numbers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def whole_roubles(kopecks: int) -> int | None:
    """``kopecks`` in roubles when they make whole roubles; None otherwise."""
    return kopecks // 100 if kopecks % 100 == 0 else None


def roubles_text(kopecks: int) -> str:
    """``"1234.50"``: Ozon's strings."""
    return f"{Decimal(kopecks) / 100:.2f}"


def roubles_number(kopecks: int) -> int | float:
    """A JSON number of roubles: an int when whole (``990``), else two decimals (``990.5``)."""
    whole = whole_roubles(kopecks)
    return whole if whole is not None else float(Decimal(kopecks) / 100)


def kopecks(roubles: Any) -> int | None:
    """A marketplace's amount in roubles (number or string) in kopecks; None if unreadable."""
    try:
        return int((Decimal(str(roubles)) * 100).to_integral_value())
    except (InvalidOperation, ValueError, OverflowError):
        return None
