"""Megamarket's envelope for the sandbox: reading ``{meta, data}`` and answering like MM.

MM answers HTTP 200 even when it refuses: ``{"success": 0, "meta": {}, "data": null,
"error": [{code, message, shipmentId, itemIndex, boxCode, description}]}``. The error codes
are UNCONFIRMED (no official list was found); they are all named here, in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

# The sandbox's error codes (UNCONFIRMED guesses; the client maps them in one place too).
CODE_AUTH = "UNAUTHORIZED"
CODE_THROTTLED = "TOO_MANY_REQUESTS"
CODE_INTERNAL = "INTERNAL_ERROR"
CODE_INVALID = "VALIDATION_ERROR"
CODE_NOT_FOUND = "SHIPMENT_NOT_FOUND"
CODE_ITEM_NOT_FOUND = "ITEM_NOT_FOUND"
CODE_STATUS = "INVALID_STATUS"
CODE_ITEMS_MISSING = "ITEMS_MISSING"
CODE_MARK_REQUIRED = "DIGITAL_MARK_REQUIRED"
CODE_BOX = "INVALID_BOX_CODE"

REJECT_REASONS = frozenset(
    {
        "OUT_OF_STOCK",
        "INCORRECT_PRICE",
        "INCORRECT_PRODUCT",
        "INCORRECT_SPEC",
        "TWICE_ORDER",
        "NOT_TIME_FOR_SHIPPING",
        "FRAUD_ORDER",
    }
)


class Refusal(Exception):
    """MM refuses: ``success: 0`` with one error entry (HTTP 200 unless said otherwise)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        shipment_id: str | None = None,
        item_index: int | None = None,
        http_status: int = 200,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.shipment_id = shipment_id
        self.item_index = item_index
        self.http_status = http_status


def ok(data: dict[str, Any] | None = None) -> Response:
    return jsonify({"success": 1, "meta": {}, "data": {"result": 1} if data is None else data})


def refused(exc: Refusal) -> Response:
    error = {
        "code": exc.code,
        "message": exc.message,
        "shipmentId": exc.shipment_id,
        "itemIndex": exc.item_index,
        "boxCode": None,
        "description": exc.message,
    }
    response = jsonify({"success": 0, "meta": {}, "data": None, "error": [error]})
    response.status_code = exc.http_status
    return response


def data() -> dict[str, Any]:
    """The request's ``data`` object (the token is checked by the gate)."""
    body = request.get_json(silent=True)
    found = body.get("data") if isinstance(body, dict) else None
    if not isinstance(found, dict):
        raise Refusal(CODE_INVALID, "the body must be {meta: {}, data: {...}}")
    return found


def token() -> str:
    body = request.get_json(silent=True)
    found = body.get("data") if isinstance(body, dict) else None
    value = found.get("token") if isinstance(found, dict) else None
    return value if isinstance(value, str) else ""


def shipments(payload: dict[str, Any], most: int = 100) -> list[dict[str, Any]]:
    """``shipments: [{shipmentId, items: [...]}, ...]`` as dicts."""
    value = payload.get("shipments")
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        raise Refusal(CODE_INVALID, f"shipments must list 1..{most} shipments")
    if not all(isinstance(entry, dict) and entry.get("shipmentId") for entry in value):
        raise Refusal(CODE_INVALID, "each shipment needs a shipmentId")
    return value


def shipment_ids(payload: dict[str, Any], most: int = 100) -> list[str]:
    value = payload.get("shipments")
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        raise Refusal(CODE_INVALID, f"shipments must list 1..{most} shipment ids")
    return [str(entry) for entry in value]


def entry_items(entry: dict[str, Any]) -> list[dict[str, Any]]:
    value = entry.get("items")
    if not isinstance(value, list) or not value or not all(isinstance(i, dict) for i in value):
        raise Refusal(CODE_INVALID, "items must be a non-empty list", shipment_id=_id(entry))
    return value


def item_index(item: dict[str, Any], shipment_id: str) -> int:
    raw = item.get("itemIndex")
    if isinstance(raw, str) and raw.isdecimal():
        return int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise Refusal(CODE_INVALID, "itemIndex must be a number", shipment_id=shipment_id)


def moment(payload: dict[str, Any], key: str) -> float:
    """An ISO 8601 date with its offset (``2024-06-01T10:00:00+03:00``) as a timestamp."""
    raw = payload.get(key)
    try:
        parsed = datetime.fromisoformat(str(raw))
    except ValueError:
        raise Refusal(CODE_INVALID, f"{key} must be an ISO 8601 date") from None
    if parsed.tzinfo is None:
        raise Refusal(CODE_INVALID, f"{key} must carry a UTC offset")
    return parsed.timestamp()


def count(payload: dict[str, Any], most: int) -> int:
    raw = payload.get("count", most)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= most:
        raise Refusal(CODE_INVALID, f"count must be 1..{most}")
    return raw


def _id(entry: dict[str, Any]) -> str:
    return str(entry.get("shipmentId", ""))
