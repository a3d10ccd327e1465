"""Ozon's posting lists and finance operations turned into ``SaleRow`` / ``RealizationRow``.

Pure functions for ``warehouse.marketplaces.ozon_reports`` (no HTTP here). Signs: Ozon
writes money as the seller's account sees it (what Ozon takes is negative); the rows
carry ``base``'s signs (charges positive when the marketplace takes). Which operation
types and services count as logistics follows the reference's own descriptions of them
(docs/REPORTS-APIS-OZON.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from warehouse.marketplaces import http, money
from warehouse.marketplaces.base import RealizationRow, SaleRow
from warehouse.marketplaces.ozon_shapes import parse_time

MOSCOW = timezone(timedelta(hours=3), "MSK")  # operation_date is Moscow time (UNCONFIRMED)

SALE_OPERATIONS = frozenset(
    {"OperationAgentDeliveredToCustomer", "OperationAgentDeliveredToCustomerCanceled"}
)
RETURN_OPERATIONS = frozenset(
    {"ClientReturnAgentOperation", "OperationAgentStornoDeliveredToCustomer"}
)
# Operations that are logistics as a whole (the reference's operation_type list).
LOGISTICS_OPERATIONS = frozenset(
    {
        "OperationItemReturn",
        "OperationMarketplaceCrossDockServiceWriteOff",
        "OperationReturnGoodsFBSofRMS",
        "MarketplaceServiceItemDeliveryKGT",
        "MarketplaceServiceItemDirectFlowLogistic",
        "MarketplaceServiceItemReturnFlowLogistic",
        "MarketplaceServiceItemDirectFlowLogisticVDC",
        "MarketplaceServiceItemDropoffPPZ",
    }
)
# Services (``services[].name``) that are delivery, processing and return logistics.
LOGISTICS_SERVICES = frozenset(
    {
        "MarketplaceNotDeliveredCostItem",
        "MarketplaceReturnAfterDeliveryCostItem",
        "MarketplaceDeliveryCostItem",
        "ItemAdvertisementForSupplierLogistic",
        "ItemAdvertisementForSupplierLogisticSeller",
        "MarketplaceServiceItemDelivToCustomer",
        "MarketplaceServiceItemDirectFlowTrans",
        "MarketplaceServiceItemDropoffFF",
        "MarketplaceServiceItemDropoffPVZ",
        "MarketplaceServiceItemDropoffSC",
        "MarketplaceServiceItemFulfillment",
        "MarketplaceServiceItemPickup",
        "MarketplaceServiceItemReturnAfterDelivToCustomer",
        "MarketplaceServiceItemReturnFlowTrans",
        "MarketplaceServiceItemReturnNotDelivToCustomer",
        "MarketplaceServiceItemReturnPartGoodsCustomer",
        "MarketplaceServiceItemDeliveryKGT",
        "MarketplaceServiceItemDirectFlowLogistic",
        "MarketplaceServiceItemReturnFlowLogistic",
        "MarketplaceServiceItemDropoffPPZ",
        "MarketplaceServiceItemRedistributionReturnsPVZ",
        "MarketplaceServiceItemDirectFlowLogisticVDC",
    }
)
CANCELLED = frozenset({"cancelled", "cancelled_from_split_pending"})
FBO_SCHEMAS = frozenset({"FBO", "FBOECONOMY", "FBP"})

T = TypeVar("T")


@dataclass(frozen=True)
class Card:
    """What ``/v3/product/info/list`` says of an Ozon SKU: its offer_id and a barcode."""

    offer_id: str
    barcode: str = ""


# --- rows of a posting ------------------------------------------------------------------


def posting_rows(raw: dict[str, Any], scheme: str) -> list[SaleRow]:
    """An order row per product (a cancel row too when the posting was cancelled)."""
    number = str(raw["posting_number"])
    at = parse_time(raw.get("in_process_at")) or parse_time(raw.get("created_at"))
    if at is None:
        raise ValueError("no in_process_at")
    kinds = ("order", "cancel") if str(raw.get("status") or "") in CANCELLED else ("order",)
    rows = []
    for product in objects(raw.get("products")):
        sku, offer = str(product["sku"]), str(product.get("offer_id") or "")
        quantity = int(product.get("quantity") or 0)
        price = money.kopecks(product.get("price") or 0)
        if price is None:
            raise ValueError(f"unreadable price {product.get('price')!r}")
        rows += [
            SaleRow(
                row_id=f"{number}:{sku}:{kind}",
                kind=kind,
                at=at.astimezone(UTC),
                order_number=number,
                scheme=scheme,
                sku=offer,
                article=offer,
                marketplace_id=sku,
                quantity=quantity,
                amount=max(price * quantity, 0),
            )
            for kind in kinds
        ]
    return rows


def product_amounts(raw: dict[str, Any]) -> dict[str, int]:
    """SKU → price × quantity of a posting's products (the weights of a shared sum)."""
    found: dict[str, int] = {}
    for product in objects(raw.get("products")):
        price = money.kopecks(product.get("price") or 0) or 0
        sku = str(product.get("sku") or "")
        found[sku] = found.get(sku, 0) + max(price, 0) * int(product.get("quantity") or 0)
    return found


# --- rows of a finance operation --------------------------------------------------------


def operation_kind(op: dict[str, Any]) -> str:
    kind = str(op.get("operation_type") or "")
    if kind in SALE_OPERATIONS:
        return "sale"
    return "return" if kind in RETURN_OPERATIONS else "charge"


def sale_rows(
    op: dict[str, Any], cards: Mapping[str, Card], weights: Mapping[str, int] | None
) -> list[SaleRow]:
    """A sale or return row per product of a sale / return operation; none for charges."""
    kind = operation_kind(op)
    if kind == "charge":
        return []
    at, number, scheme = _operation_time(op), posting_number(op), _scheme(op)
    parts = _parts(op, weights)
    amounts = _shares(money_of(op).accruals, [weight for _sku, _units, weight in parts])
    return [
        SaleRow(
            row_id=f"{number}:{sku}:{kind}:{op['operation_id']}",
            kind=kind,
            at=at,
            order_number=number,
            scheme=scheme,
            sku=_card(cards, sku).offer_id,
            article=_card(cards, sku).offer_id,
            barcode=_card(cards, sku).barcode,
            marketplace_id=sku,
            quantity=units,
            amount=abs(amount),
        )
        for (sku, units, _weight), amount in zip(parts, amounts, strict=True)
    ]


def realization_rows(
    op: dict[str, Any], cards: Mapping[str, Card], weights: Mapping[str, int] | None
) -> list[RealizationRow]:
    """The operation as report lines: one, or one per product when it names several."""
    kind, total = operation_kind(op), money_of(op)
    parts = _parts(op, weights)
    shares = [weight for _sku, _units, weight in parts]
    columns = [
        _shares(value, shares)
        for value in (total.accruals, total.commission, total.logistics, total.other, total.payout)
    ]
    operation_id = str(op["operation_id"])
    return [
        RealizationRow(
            row_id=operation_id if len(parts) == 1 else f"{operation_id}:{sku}",
            kind=kind,
            at=_operation_time(op),
            order_number=posting_number(op),
            scheme=_scheme(op),
            sku=_card(cards, sku).offer_id,
            article=_card(cards, sku).offer_id,
            barcode=_card(cards, sku).barcode,
            marketplace_id=sku,
            quantity=units if kind != "charge" else 0,
            amount=amount,
            commission=commission,
            logistics=logistics,
            other=other,
            payout=payout,
            note=str(op.get("operation_type_name") or op.get("operation_type") or ""),
        )
        for (sku, units, _weight), amount, commission, logistics, other, payout in zip(
            parts, *columns, strict=True
        )
    ]


@dataclass(frozen=True)
class Money:
    """An operation's money in kopecks with RealizationRow's signs (charges positive)."""

    accruals: int
    commission: int
    logistics: int
    other: int
    payout: int


def money_of(op: dict[str, Any]) -> Money:
    """Ozon signs money as the seller's account sees it (a charge is negative). Logistics
    are the old-tariff delivery charges and the logistics services (or the whole operation
    when its type is logistics); ``other`` is whatever ``amount`` holds beyond sale,
    commission and logistics, so amount − commission − logistics − other = payout."""
    accruals = _kopecks(op.get("accruals_for_sale"))
    commission = _kopecks(op.get("sale_commission"))
    payout = _kopecks(op.get("amount"))
    logistics = _kopecks(op.get("delivery_charge")) + _kopecks(op.get("return_delivery_charge"))
    for service in objects(op.get("services")):
        if str(service.get("name") or "") in LOGISTICS_SERVICES:
            logistics += _kopecks(service.get("price"))
    rest = payout - accruals - commission - logistics
    if str(op.get("operation_type") or "") in LOGISTICS_OPERATIONS:
        logistics, rest = logistics + rest, 0
    return Money(accruals, -commission, -logistics, -rest, payout)


def _parts(op: dict[str, Any], weights: Mapping[str, int] | None) -> list[tuple[str, int, int]]:
    """(SKU, units, weight) per product the operation names, in order; one ("", 0, 1)
    when it names none. The weight is the posting's price × quantity when known (and
    positive for every product), else the units."""
    units: dict[str, int] = {}
    for sku in item_skus(op):
        units[sku] = units.get(sku, 0) + 1
    if not units:
        return [("", 0, 1)]
    known = weights or {}
    priced = all(known.get(sku, 0) > 0 for sku in units)
    return [(sku, n, known[sku] if priced else n) for sku, n in units.items()]


def _shares(value: int, weights: Sequence[int]) -> list[int]:
    """``value`` split in proportion to ``weights``, rounded so the parts sum to it."""
    total = sum(weights)
    if len(weights) == 1 or total <= 0:
        return [value] + [0] * (len(weights) - 1)
    parts, before, running = [], 0, 0
    for weight in weights:
        running += weight
        upto = _rounded(value * running, total)
        parts.append(upto - before)
        before = upto
    return parts


def _rounded(numerator: int, denominator: int) -> int:
    half_up = (2 * abs(numerator) + denominator) // (2 * denominator)
    return half_up if numerator >= 0 else -half_up


# --- small readers ----------------------------------------------------------------------


def _operation_time(op: dict[str, Any]) -> datetime:
    moment = http.iso_time(op["operation_date"], MOSCOW)
    if moment is None:
        raise ValueError(f"unreadable operation_date {op['operation_date']!r}")
    return moment.astimezone(UTC)


def posting_number(op: dict[str, Any]) -> str:
    return str((op.get("posting") or {}).get("posting_number") or "")


def _scheme(op: dict[str, Any]) -> str:
    schema = str((op.get("posting") or {}).get("delivery_schema") or "").upper()
    return "fbo" if schema in FBO_SCHEMAS else "fbs"


def item_skus(op: dict[str, Any]) -> list[str]:
    return [str(item.get("sku") or "") for item in objects(op.get("items")) if item.get("sku")]


def _card(cards: Mapping[str, Card], sku: str) -> Card:
    return cards.get(sku) or Card("")


def _kopecks(value: Any) -> int:
    found = money.kopecks(value or 0)
    if found is None:
        raise ValueError(f"unreadable amount {value!r}")
    return found


def objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value or () if isinstance(item, dict)]


def flat(lists: Iterable[list[T]]) -> list[T]:
    return [item for found in lists for item in found]
