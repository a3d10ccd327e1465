"""How each marketplace's own statuses read as our unified status.

The marketplace status of an order is one string; a compound one ("confirm/sold"
for WB supplier/WB status, "PROCESSING/STARTED" for Yandex status/substatus) is
looked up whole and part by part, and the strongest meaning wins (cancelled over
returned over delivered over shipped over still-to-do). A supervisor's StatusMap rows override
these defaults. Only the marketplace can say an order is cancelled, shipped or
delivered; the statuses in between (reserved … labelled) are ours.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import MARKETPLACES, ORDER_STATUSES, StatusMap

NEW, SHIPPED, DELIVERED, CANCELLED = "new", "shipped", "delivered", "cancelled"
RETURNED = "returned"  # the buyer sent it back after delivery: goods come back, not a cancel
_STRENGTH = {NEW: 0, SHIPPED: 1, DELIVERED: 2, RETURNED: 3, CANCELLED: 4}


def _all(status: str, *externals: str) -> dict[str, str]:
    return dict.fromkeys(externals, status)


DEFAULTS: dict[str, dict[str, str]] = {
    "wb": {
        **_all(NEW, "new", "confirm", "waiting"),
        # the supply is in delivery (our deliver call) but WB has not received it yet:
        # still «передан, ждём маркетплейс», shipped once WB has sorted it
        "complete/waiting": NEW,
        **_all(SHIPPED, "complete", "sorted", "ready_for_pickup", "postponed_delivery"),
        **_all(SHIPPED, "accepted_by_carrier", "sent_to_carrier"),
        **_all(DELIVERED, "sold"),
        **_all(CANCELLED, "cancel", "cancel_carrier", "canceled", "canceled_by_client"),
        **_all(CANCELLED, "declined_by_client", "defect", "canceled_by_carrier"),
    },
    # Every FBS posting status of Ozon's reference (/v3/posting/fbs/get ``status``,
    # Seller API swagger 2025-09), none other.
    "ozon": {
        **_all(NEW, "awaiting_verification", "awaiting_approve", "awaiting_registration"),
        **_all(NEW, "acceptance_in_progress", "awaiting_packaging", "awaiting_deliver"),
        **_all(NEW, "arbitration", "client_arbitration", "not_accepted"),
        **_all(SHIPPED, "delivering", "driver_pickup", "sent_by_seller"),
        **_all(DELIVERED, "delivered"),
        **_all(CANCELLED, "cancelled", "cancelled_from_split_pending"),
    },
    "yandex": {
        **_all(NEW, "PROCESSING", "STARTED", "READY_TO_SHIP", "UNPAID", "PENDING"),
        **_all(SHIPPED, "SHIPPED", "DELIVERY", "PICKUP"),
        **_all(DELIVERED, "DELIVERED"),
        **_all(CANCELLED, "CANCELLED"),
        **_all(RETURNED, "RETURNED", "PARTIALLY_RETURNED"),
    },
    "megamarket": {  # lot statuses and sub-statuses (fact sheet §4.3); expiries end a lot
        **_all(NEW, "NEW", "CONFIRMED", "PACKED"),
        **_all(NEW, "PENDING_CONFIRMATION", "PENDING_PACKING", "PENDING_SHIPPING"),
        **_all(SHIPPED, "SHIPPED"),
        **_all(DELIVERED, "DELIVERED"),
        **_all(CANCELLED, "MERCHANT_CANCELED", "CUSTOMER_CANCELED"),
        **_all(CANCELLED, "PACKING_EXPIRED", "SHIPPING_EXPIRED"),
        **_all(CANCELLED, "LATE_REJECT", "CONFIRMATION_REJECT", "CONFIRMATION_EXPIRED"),
    },
}


def mapping(session: Session, marketplace: str) -> dict[str, str]:
    """Defaults for the marketplace, with the supervisor's overrides applied."""
    rows = session.execute(
        select(StatusMap.external_status, StatusMap.status).where(
            StatusMap.marketplace == marketplace
        )
    )
    overrides = {external: status for external, status in rows}
    return {**DEFAULTS.get(marketplace, {}), **overrides}


def unified(table: dict[str, str], external: str) -> str | None:
    """Our status for ``external`` (None when nothing in it is known)."""
    if external in table:
        return table[external]
    found = [table[part] for part in external.split("/") if part in table]
    return max(found, key=lambda status: _STRENGTH.get(status, 0)) if found else None


def set_override(session: Session, marketplace: str, external: str, status: str) -> None:
    if marketplace not in MARKETPLACES or status not in ORDER_STATUSES or not external.strip():
        raise DomainError("bad_status_map", status=status)
    external = external.strip()
    row = session.scalar(
        select(StatusMap).where(
            StatusMap.marketplace == marketplace, StatusMap.external_status == external
        )
    )
    if row is None:
        session.add(StatusMap(marketplace=marketplace, external_status=external, status=status))
    else:
        row.status = status
    session.flush()
