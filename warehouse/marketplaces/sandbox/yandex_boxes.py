"""Box layouts and marking codes in the Yandex Market sandbox, checked as YM checks them.

A layout is what ``PUT …/orders/{orderId}/boxes`` sends: boxes of items, each item either
whole units (``fullCount``) or one part of one unit (``partialCount{current, total}``, alone
in its box), with Честный знак codes in ``instances[].cis``. The stored form keeps the
request's shape plus ``boxId``. Codes are checked for count and shape when the seller asks
for ``READY_TO_SHIP`` (the real Market checks them in ГИС МТ).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, TypeGuard

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.sandbox.yandex_db import SandboxError

# Goods whose order items carry ``requiredInstanceTypes: ["CIS"]``: the first demo product.
MARKED_OFFERS = frozenset({PRODUCTS[0].article})
# 01 + GTIN-14, 21 + serial, then optionally GS (\x1d) and the crypto tail (91/92/93 …).
CIS_PATTERN = re.compile(r"01\d{14}21[!-~]{1,80}(\x1d[!-~\x1d]+)?")
MAX_BOXES = 100


def parse_layout(data: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The request's boxes as lists of ``{id, fullCount | partialCount, cis}``."""
    if not isinstance(data.get("allowRemove", False), bool):
        raise SandboxError(400, "BAD_REQUEST", "allowRemove must be a boolean")
    boxes = data.get("boxes")
    if not isinstance(boxes, list) or not 1 <= len(boxes) <= MAX_BOXES:
        raise SandboxError(400, "BAD_REQUEST", "Collection of field must not be empty: boxes")
    return [_parse_box(box) for box in boxes]


def _parse_box(box: Any) -> list[dict[str, Any]]:
    items = box.get("items") if isinstance(box, dict) else None
    if not isinstance(items, list) or not items:
        raise SandboxError(400, "BAD_REQUEST", "Collection of field must not be empty: items")
    parsed = [_parse_item(item) for item in items]
    if len(parsed) > 1 and any("partialCount" in item for item in parsed):
        raise SandboxError(400, "INVALID_ITEM", "A box with part of an item holds nothing else")
    return parsed


def _parse_item(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not _is_int(item.get("id")):
        raise SandboxError(400, "BAD_REQUEST", "Missing field: items[].id")
    parsed: dict[str, Any] = {"id": item["id"], "cis": _codes(item.get("instances") or [])}
    full, partial = item.get("fullCount"), item.get("partialCount")
    if _is_int(full) and full >= 1 and partial is None:
        parsed["fullCount"] = full
    elif full is None and isinstance(partial, dict) and _valid_part(partial):
        parsed["partialCount"] = {"current": partial["current"], "total": partial["total"]}
    else:
        raise SandboxError(400, "INVALID_ITEM", "Give either fullCount ≥ 1 or partialCount")
    return parsed


def _valid_part(partial: dict[str, Any]) -> bool:
    current, total = partial.get("current"), partial.get("total")
    return _is_int(current) and _is_int(total) and total >= 2 and 1 <= current <= total


def _codes(instances: Any) -> list[str]:
    if not isinstance(instances, list):
        raise SandboxError(400, "BAD_REQUEST", "instances must be a list")
    codes = []
    for instance in instances:
        cis = instance.get("cis") if isinstance(instance, dict) else None
        if not isinstance(cis, str) or not cis:
            raise SandboxError(400, "INVALID_CIS", "Each instance needs a cis code")
        codes.append(cis)
    return codes


def check_layout(
    order_id: int, items: list[dict[str, Any]], boxes: list[list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The layout as stored (with box ids), or the error YM gives for it."""
    by_id = {item["id"]: item for item in items}
    for box in boxes:
        for entry in box:
            if entry["id"] not in by_id:
                raise SandboxError(400, "ITEM_NOT_FOUND", f"Item {entry['id']} not in the order")
    for item in items:
        _check_item(item, boxes)
    return stored_layout(order_id, boxes)


def stored_layout(order_id: int, boxes: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {"boxId": order_id * 100 + number, "items": box}
        for number, box in enumerate(boxes, start=1)
    ]


def _check_item(item: dict[str, Any], boxes: list[list[dict[str, Any]]]) -> None:
    entries = [entry for box in boxes for entry in box if entry["id"] == item["id"]]
    units = sum(_units(entry) for entry in entries)
    if units > item["count"]:
        raise SandboxError(
            400, "ITEMS_ADDITION_NOT_SUPPORTED", f"Item {item['id']}: {units} > {item['count']}"
        )
    if units < item["count"]:
        raise SandboxError(
            400,
            "BAD_REQUEST",
            f"Item {item['id']}: {units} of {item['count']} units in boxes; removing items "
            "needs allowRemove",
        )
    codes = [code for entry in entries if _units(entry) for code in entry["cis"]]
    if len(codes) > item["count"]:
        raise SandboxError(400, "TOO_MANY_CISES_FOR_ITEM", f"Item {item['id']}: too many codes")
    if len(set(codes)) != len(codes):
        raise SandboxError(400, "DUPLICATE_CIS", f"Item {item['id']}: a code is repeated")


def items_after_removal(
    items: list[dict[str, Any]], boxes: list[list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The order's items once the units missing from ``boxes`` are removed (``allowRemove``).

    As ``setOrderBoxLayout`` says: the only item of an order, or one worth 99% of it,
    cannot be removed or reduced (cancel the order instead).
    """
    units = {item["id"]: 0 for item in items}
    for box in boxes:
        for entry in box:
            units[entry["id"]] = units.get(entry["id"], 0) + _units(entry)
    reduced = [item for item in items if units.get(item["id"], 0) < item["count"]]
    if reduced and len(items) == 1:
        raise SandboxError(400, "CANNOT_REMOVE_LAST_ITEM", "The only item cannot be removed")
    total = sum(item["price"] * item["count"] for item in items)
    for item in reduced:
        if item["price"] * item["count"] >= 0.99 * total:
            raise SandboxError(
                400, "OTHER_REMOVE_ITEM_ERROR", f"Item {item['id']} is 99% of the order's value"
            )
    return [
        {**item, "count": min(units[item["id"]], item["count"])}
        for item in items
        if units.get(item["id"])
    ]


def _units(entry: dict[str, Any]) -> int:
    """Units an entry holds: a whole count, or one unit counted on its first part."""
    if "fullCount" in entry:
        return int(entry["fullCount"])
    return 1 if entry["partialCount"]["current"] == 1 else 0


def check_ready(items: list[dict[str, Any]], boxes: list[dict[str, Any]]) -> None:
    """READY_TO_SHIP needs a layout and, for marked goods, one valid code per unit."""
    if not boxes:
        raise SandboxError(400, "NO_BOXES", "Set the boxes of the order first")
    for item in items:
        if not item["marked"]:
            continue
        codes = codes_of(boxes, item["id"])
        if len(codes) < item["count"]:
            raise SandboxError(
                400,
                "TOO_FEW_CISES_FOR_ITEM",
                f"Item {item['id']}: {len(codes)} of {item['count']} marking codes given",
            )
        if not all(CIS_PATTERN.fullmatch(code) for code in codes):
            raise SandboxError(400, "INVALID_CIS", f"Item {item['id']}: a code is not valid")


def codes_of(boxes: list[dict[str, Any]], item_id: int) -> list[str]:
    return [code for entry in _entries(boxes, item_id) if _units(entry) for code in entry["cis"]]


def _entries(boxes: list[dict[str, Any]], item_id: int) -> Iterator[dict[str, Any]]:
    for box in boxes:
        yield from (entry for entry in box["items"] if entry["id"] == item_id)


def layout_json(
    order_id: int, boxes: list[dict[str, Any]], *, with_codes: bool = False
) -> list[dict[str, Any]]:
    return [
        {
            "boxId": box["boxId"],
            "barcode": f"{order_id}-{number}",
            "items": [_entry_json(entry, with_codes) for entry in box["items"]],
        }
        for number, box in enumerate(boxes, start=1)
    ]


def _entry_json(entry: dict[str, Any], with_codes: bool) -> dict[str, Any]:
    data = {key: value for key, value in entry.items() if key != "cis"}
    if with_codes and entry["cis"]:
        data["instances"] = [{"cis": code} for code in entry["cis"]]
    return data


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
