"""The Ozon sandbox's assembly steps: marking codes (exemplars), ship, label readiness.

``exemplar/set`` only stores the codes and starts a check; ``exemplar/status`` tells
``validation_in_process`` until ``SANDBOX_OZON_MARK_CHECK_SECONDS`` have passed, then
``ship_available`` or ``ship_not_available``. ``ship`` refuses a posting whose required
codes did not pass, and splits the posting when several packages are given.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_db import postings

# Ozon's refusals. UNCONFIRMED: the exact texts; Ozon answers rpcStatus {code, message}.
ALREADY_SHIPPED = "POSTING_ALREADY_SHIPPED"
ALREADY_CANCELLED = "POSTING_ALREADY_CANCELLED"
WRONG_STATUS = "HAS_INCORRECT_STATUS"  # Ozon reference, /v4/posting/fbs/ship errors
WRONG_QUANTITY = "INVALID_PRODUCTS_QUANTITY"
MARKS_MISSING = "EXEMPLARS_NOT_VALIDATED"
WRONG_EXEMPLARS = "INVALID_EXEMPLARS"
NOT_READY = "The next postings aren't ready"
SHIPPED = (st.AWAITING_DELIVER, st.DELIVERING, st.DELIVERED)
# A Честный знак DataMatrix code: (01) GTIN-14, (21) serial, then the crypto tail.
MARK_PATTERN = re.compile(r"^01\d{14}21\S")

Package = list[tuple[int, int]]  # (sku, quantity)


# --- marking codes ------------------------------------------------------------------------


def create_or_get(row: Row[Any]) -> dict[str, Any]:
    return {
        "posting_number": row.posting_number,
        "multi_box_qty": 1,
        "products": [_exemplar_product(row, product) for product in row.products],
    }


def _exemplar_product(row: Row[Any], product: dict[str, Any]) -> dict[str, Any]:
    marked = product["sku"] in row.mark_skus
    return {
        "product_id": product["sku"],
        "quantity": product["quantity"],
        "is_mandatory_mark_needed": marked,
        "is_mandatory_mark_possible": marked,
        "is_gtd_needed": False,
        "is_rnpt_needed": False,
        "is_jw_uin_needed": False,
        "exemplars": row.exemplars.get(str(product["sku"]), []),
    }


def set_exemplars(conn: Connection, row: Row[Any], sent: dict[int, list[dict]], now: float) -> None:
    """Replace the posting's exemplars with the full set sent (sku → exemplars)."""
    if row.status != st.AWAITING_PACKAGING:
        raise st.OzonError(400, WRONG_STATUS, code=9)
    stored = {int(sku): units for sku, units in row.exemplars.items()}
    if set(sent) != set(stored):
        raise st.OzonError(400, f"{WRONG_EXEMPLARS}: send every product of the posting")
    updated: dict[str, list[dict]] = {}
    for sku, units in stored.items():
        given = {unit.get("exemplar_id"): unit for unit in sent[sku]}
        if set(given) != {unit["exemplar_id"] for unit in units}:
            raise st.OzonError(400, f"{WRONG_EXEMPLARS}: send every exemplar of sku {sku}")
        updated[str(sku)] = [_exemplar(unit, given[unit["exemplar_id"]]) for unit in units]
    conn.execute(
        update(postings)
        .where(postings.c.posting_number == row.posting_number)
        .values(exemplars=updated, exemplars_set_ts=now)
    )


def _exemplar(stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    marks = [
        {"mark": str(mark.get("mark", "")), "mark_type": str(mark.get("mark_type", ""))}
        for mark in given.get("marks") or []
        if isinstance(mark, dict)
    ]
    return {
        **stored,
        "marks": marks,
        "gtd": str(given.get("gtd") or ""),
        "is_gtd_absent": bool(given.get("is_gtd_absent", True)),
        "rnpt": str(given.get("rnpt") or ""),
        "is_rnpt_absent": bool(given.get("is_rnpt_absent", True)),
    }


def exemplar_status(row: Row[Any], now: float, check_seconds: float) -> dict[str, Any]:
    """Ozon's ``exemplar/status`` answer, with a check result per mark."""
    checking = row.exemplars_set_ts is not None and now < row.exemplars_set_ts + check_seconds
    products, ok = [], True
    for product in row.products:
        needed = product["sku"] in row.mark_skus
        units = []
        for unit in row.exemplars.get(str(product["sku"]), []):
            marks = [_checked(mark, checking) for mark in unit["marks"]]
            passed = [m for m in marks if m["check_status"] == "passed"]
            failed = [m for m in marks if m["check_status"] == "failed"]
            ok = ok and not failed and (bool(passed) or not needed)
            units.append({**unit, "marks": marks})
        products.append({"product_id": product["sku"], "exemplars": units})
    if checking:
        status = "validation_in_process"
    else:
        status = "ship_available" if ok else "ship_not_available"
    return {"posting_number": row.posting_number, "status": status, "products": products}


def _checked(mark: dict[str, str], checking: bool) -> dict[str, Any]:
    if checking:
        return {**mark, "check_status": "processing", "error_codes": []}
    if mark["mark_type"] == "mandatory_mark" and not MARK_PATTERN.match(mark["mark"]):
        return {**mark, "check_status": "failed", "error_codes": ["INVALID_MARK_FORMAT"]}
    return {**mark, "check_status": "passed", "error_codes": []}


# --- ship ---------------------------------------------------------------------------------


def ship(
    conn: Connection, posting_number: str, packages: Sequence[Package], now: float, checks: float
) -> list[str]:
    """``awaiting_packaging`` → ``awaiting_deliver``; one posting per package."""
    row = st.posting(conn, posting_number)
    if row.status in SHIPPED:
        raise st.OzonError(400, ALREADY_SHIPPED, code=9)
    if row.status != st.AWAITING_PACKAGING:
        raise st.OzonError(400, ALREADY_CANCELLED if row.status == st.CANCELLED else WRONG_STATUS)
    _check_quantities(row, packages)
    if row.mark_skus and exemplar_status(row, now, checks)["status"] != "ship_available":
        raise st.OzonError(400, MARKS_MISSING, code=9)
    pool = {int(sku): list(units) for sku, units in row.exemplars.items()}
    first, *others = [_split(row, package, pool) for package in packages]
    if not st.move(
        conn,
        posting_number,
        (st.AWAITING_PACKAGING,),
        st.AWAITING_DELIVER,
        now,
        shipped_ts=now,
        products=first[0],
        exemplars=first[1],
    ):
        raise st.OzonError(400, ALREADY_SHIPPED, code=9)
    numbers = [posting_number]
    seq = int(
        conn.scalar(select(func.max(postings.c.seq)).where(postings.c.order_id == row.order_id))
        or 1
    )
    for products, exemplars in others:
        seq += 1
        numbers.append(_insert_split(conn, row, seq, products, exemplars, now))
    return numbers


def _check_quantities(row: Row[Any], packages: Sequence[Package]) -> None:
    if not packages or any(not package for package in packages):
        raise st.OzonError(400, f"{WRONG_QUANTITY}: every package needs products")
    sent: Counter[int] = Counter()
    for package in packages:
        for sku, quantity in package:
            sent[sku] += quantity
    ordered = Counter({p["sku"]: p["quantity"] for p in row.products})
    if sent != ordered:
        raise st.OzonError(400, f"{WRONG_QUANTITY}: ship every unit of the posting exactly once")


def _split(
    row: Row[Any], package: Package, pool: dict[int, list[dict]]
) -> tuple[list[dict], dict[str, list[dict]]]:
    by_sku = {p["sku"]: p for p in row.products}
    quantities: Counter[int] = Counter()
    for sku, quantity in package:
        quantities[sku] += quantity
    products = [{**by_sku[sku], "quantity": qty} for sku, qty in quantities.items()]
    exemplars = {
        str(sku): [pool[sku].pop(0) for _ in range(qty)] for sku, qty in quantities.items()
    }
    return products, exemplars


def _insert_split(
    conn: Connection, row: Row[Any], seq: int, products: list[dict], exemplars: dict, now: float
) -> str:
    number = f"{row.order_number}-{seq}"
    conn.execute(
        postings.insert().values(
            posting_number=number,
            order_id=row.order_id,
            order_number=row.order_number,
            seq=seq,
            status=st.AWAITING_DELIVER,
            substatus=st.SUBSTATUS[st.AWAITING_DELIVER],
            products=products,
            mark_skus=row.mark_skus,
            exemplars=exemplars,
            exemplars_set_ts=row.exemplars_set_ts,
            created_ts=row.created_ts,
            shipment_ts=row.shipment_ts,
            shipped_ts=now,
            changed_ts=now,
            parent_posting_number=row.posting_number,
        )
    )
    return number


# --- labels -------------------------------------------------------------------------------


def label_rows(conn: Connection, numbers: Sequence[str], now: float, delay: float) -> list[Row]:
    """The postings to label; refused for all if any is not shipped for ``delay`` seconds."""
    rows = [st.posting(conn, number) for number in numbers]
    for row in rows:
        if row.status == st.CANCELLED:
            raise st.OzonError(400, WRONG_STATUS, code=9)
    waiting = [
        row.posting_number
        for row in rows
        if row.status not in SHIPPED or (row.shipped_ts or 0) + delay > now
    ]
    if waiting:
        raise st.OzonError(409, f"{NOT_READY}: {', '.join(waiting)}", code=9)
    return rows
