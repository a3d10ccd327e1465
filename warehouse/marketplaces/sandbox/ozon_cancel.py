"""The Ozon sandbox's cancellations: reasons per posting, a whole posting, single units.

Shapes and refusals from Ozon's Seller API reference (swagger of 2025-09):
``/v1/posting/fbs/cancel-reason`` answers ``result[{posting_number, reasons[{id, title,
type_id}]}]``; ``/v2/posting/fbs/cancel`` needs ``cancel_reason_message`` with reason 402
and refuses a reason not offered (``HAS_INCORRECT_CANCEL_REASON``) or a posting past
cancelling (``HAS_INCORRECT_STATUS``); ``/v2/posting/fbs/product/cancel`` takes
``items[{sku, quantity}]`` and answers ``{result: posting_number}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.ozon_db import postings

# (id, title, type_id) as the reference lists them; 501 is this sandbox's buyer cancel.
OUT_OF_STOCK, DEFECT_ONLY, OTHER = 352, 400, 402
SELLER_REASONS = (
    (OUT_OF_STOCK, "Товар закончился на складе продавца", "seller"),
    (DEFECT_ONLY, "Остался только бракованный товар", "seller"),
    (OTHER, "Другое (вина продавца)", "seller"),
)
BUYER_REASON = (501, "Покупатель отменил заказ", "buyer")
CANCEL_REASONS = (*SELLER_REASONS, BUYER_REASON)
WRONG_STATUS = "HAS_INCORRECT_STATUS"
WRONG_REASON = "HAS_INCORRECT_CANCEL_REASON"
WRONG_QUANTITY = "HAS_INCORRECT_PRODUCT_QUANTITY"


def reasons_for(row: Any) -> list[dict[str, Any]]:
    """The seller's reasons for one posting: none once it left the seller."""
    if row.status not in st.UNFULFILLED:
        return []
    return [{"id": rid, "title": title, "type_id": kind} for rid, title, kind in SELLER_REASONS]


def check_reason(row: Any, reason_id: Any, message: str) -> None:
    if row.status not in st.UNFULFILLED:
        raise st.OzonError(400, WRONG_STATUS, code=9)
    if reason_id not in {reason["id"] for reason in reasons_for(row)}:
        raise st.OzonError(400, WRONG_REASON)
    if reason_id == OTHER and not message.strip():
        raise st.OzonError(400, "cancel_reason_message is required for cancel_reason_id 402")


def cancel(
    conn: Connection,
    posting_number: str,
    reason_id: int,
    message: str,
    now: float,
    *,
    by_buyer: bool = False,
) -> None:
    """The whole posting → ``cancelled`` (refused past ``awaiting_deliver``)."""
    row = st.posting(conn, posting_number)
    if not by_buyer:
        check_reason(row, reason_id, message)
    titles = {rid: title for rid, title, _type in CANCEL_REASONS}
    cancellation = {
        "cancel_reason_id": reason_id,
        "cancel_reason": titles.get(reason_id, ""),
        "cancellation_type": "client" if by_buyer else "seller",
        "cancelled_after_ship": row.status == st.AWAITING_DELIVER,
        "affect_cancellation_rating": not by_buyer,
        "cancellation_initiator": "Клиент" if by_buyer else "Продавец",
    }
    if not st.move(
        conn, posting_number, st.UNFULFILLED, st.CANCELLED, now, cancellation=cancellation
    ):
        raise st.OzonError(400, WRONG_STATUS, code=9)


def cancel_products(
    conn: Connection,
    posting_number: str,
    reason_id: int,
    message: str,
    items: Sequence[tuple[int, int]],
    now: float,
) -> None:
    """Take ``(sku, quantity)`` units off a posting still being assembled.

    Cancelling every unit cancels the posting, as the whole-posting call would.
    """
    row = st.posting(conn, posting_number)
    if row.status != st.AWAITING_PACKAGING:
        raise st.OzonError(400, WRONG_STATUS, code=9)
    check_reason(row, reason_id, message)
    left = {p["sku"]: p["quantity"] for p in row.products}
    for sku, quantity in items:
        if left.get(sku, 0) < quantity:
            raise st.OzonError(400, f"{WRONG_QUANTITY}: sku {sku}")
        left[sku] -= quantity
    products = [{**p, "quantity": left[p["sku"]]} for p in row.products if left[p["sku"]]]
    if not products:
        cancel(conn, posting_number, reason_id, message, now)
        return
    exemplars = {sku: units[: left.get(int(sku), 0)] for sku, units in row.exemplars.items()}
    conn.execute(
        update(postings)
        .where(postings.c.posting_number == posting_number)
        .values(products=products, exemplars=exemplars, changed_ts=now)
    )
