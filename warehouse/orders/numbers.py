"""Every number an order goes by, kept in ``order_numbers`` for the desk's search.

A person at the desk holds whatever number the marketplace showed them: WB's assembly
order id, its ``rid`` or the buyer's cart (``orderUid``); Ozon's posting number or the
order number and id above it; a Yandex order or its shipment; a Megamarket shipment or
its order code. The order keeps its marketplace JSON, but a search through JSON at
50,000 orders is a full scan, so the numbers are taken out once, at import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# the marketplace's other numbers, by key of its order JSON
RAW_KEYS: dict[str, tuple[str, ...]] = {
    "wb": ("id", "rid", "srid", "orderUid"),
    "ozon": ("posting_number", "order_number", "order_id"),
    "yandex": ("orderId", "id"),
    "megamarket": ("shipmentId", "orderCode", "deliveryId"),
}
MAX_LENGTH = 100


def of(kind: str, external_id: str, group_id: str, raw: Mapping[str, Any]) -> list[str]:
    """The order's numbers, its own first; blanks, duplicates and oddly long ones left out."""
    found = [external_id, group_id, *(raw.get(key) for key in RAW_KEYS.get(kind, ()))]
    if kind == "yandex":  # the first-mile shipment (отгрузка) the order travels in
        shipments = ((raw.get("delivery") or {}).get("shipments")) or ()
        found += [shipment.get("id") for shipment in shipments if isinstance(shipment, dict)]
    return _clean(found)


def _clean(values: Iterable[Any]) -> list[str]:
    numbers: list[str] = []
    for value in values:
        if value is None or isinstance(value, (dict, list, bool)):
            continue
        number = str(value).strip()
        if number and len(number) <= MAX_LENGTH and number not in numbers:
            numbers.append(number)
    return numbers
