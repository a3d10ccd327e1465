"""Reading the WB sandbox's requests: query arguments and JSON bodies, checked as WB does.

Everything here raises ``SandboxError`` (400 ``IncorrectParameter`` / ``IncorrectRequestBody``).
"""

from __future__ import annotations

from typing import Any, TypeGuard

from flask import request

from warehouse.demo_catalogue import DemoProduct
from warehouse.marketplaces.sandbox import wb_state, wb_stickers
from warehouse.marketplaces.sandbox.wb_state import SandboxError


def sticker_args() -> tuple[str, int, int]:
    kind = request.args.get("type", "")
    if kind in ("png", "svg"):
        raise SandboxError(400, "IncorrectParameter", "the sandbox draws only zplv/zplh stickers")
    if kind not in wb_stickers.KINDS:
        raise SandboxError(400, "IncorrectParameter", "type must be svg, zplv, zplh or png")
    width, height = int_arg("width", 1, 1000), int_arg("height", 1, 1000)
    if (width, height) not in wb_stickers.SIZES:
        raise SandboxError(400, "IncorrectParameter", "size must be 58x40 or 40x30")
    return kind, width, height


def qr_kind() -> str:
    """``type`` of a supply QR: required, one of WB's four; the sandbox draws the ZPL ones."""
    kind = request.args.get("type", "")
    if kind not in ("svg", "zplv", "zplh", "png"):
        raise SandboxError(400, "IncorrectParameter", "Передан некорректный параметр")
    if kind not in wb_stickers.KINDS:
        raise SandboxError(400, "IncorrectParameter", "the sandbox draws only zplv/zplh QR codes")
    return kind


def has_body() -> bool:
    return bool(request.get_data())


def cart_lines(items: Any) -> list[tuple[DemoProduct, int, list[str]]]:
    if not isinstance(items, list) or not items:
        raise SandboxError(400, "IncorrectRequestBody", "items must be a non-empty list")
    lines = []
    for item in items:
        qty = item.get("qty", 1) if isinstance(item, dict) else None
        if not _is_int(qty) or not 1 <= qty <= 100:
            raise SandboxError(400, "IncorrectRequestBody", "each item is {article, qty 1..100}")
        product = wb_state.product_by_article(str(item.get("article")))
        meta = [str(key) for key in item.get("requiredMeta", [])]
        lines.append((product, qty, meta))
    return lines


def stock_amounts(data: dict[str, Any]) -> dict[int, int]:
    """chrtId → amount; entries without ``chrtId`` (old ``sku``) are ignored, as WB does."""
    entries = data.get("stocks")
    if not isinstance(entries, list) or not 1 <= len(entries) <= 1000:
        raise SandboxError(400, "IncorrectRequestBody", "stocks must list 1..1000 entries")
    amounts: dict[int, int] = {}
    for entry in entries:
        if not isinstance(entry, dict) or "chrtId" not in entry:
            continue
        chrt_id, amount = entry["chrtId"], entry.get("amount")
        if not _is_int(chrt_id) or not _is_int(amount) or not 0 <= amount <= 100_000:
            raise SandboxError(400, "IncorrectParameter", "chrtId and amount 0..100000 required")
        amounts[chrt_id] = amount
    return amounts


def body() -> dict[str, Any]:
    """The JSON object sent, or 400 ``IncorrectRequestBody``."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise SandboxError(400, "IncorrectRequestBody", "the body must be a JSON object")
    return data


def ids(data: dict[str, Any], key: str, most: int) -> list[int]:
    value = data.get(key)
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        raise SandboxError(400, "IncorrectRequestBody", f"{key} must list 1..{most} ids")
    if not all(_is_int(item) and 0 < item < 2**63 for item in value):
        raise SandboxError(400, "IncorrectParameter", f"{key} must hold positive integer ids")
    return value


def int_arg(name: str, low: int, high: int, default: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None and default is not None:
        return default
    try:
        value = int(raw or "")
    except ValueError:
        raise SandboxError(400, "IncorrectParameter", f"{name} must be an integer") from None
    if not low <= value <= high:
        raise SandboxError(400, "IncorrectParameter", f"{name} must be {low}..{high}")
    return value


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
