"""What every marketplace connector raises and returns.

Connectors speak real HTTP (httpx) to the marketplace (or to its sandbox) and
translate the answers into these few shapes, so the outbox and the import jobs
never look at status codes themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class MarketplaceError(Exception):
    """A call to a marketplace did not succeed."""


class TransientError(MarketplaceError):
    """Worth retrying later: 429, 5xx, timeouts, dropped connections.

    ``retry_after`` is the number of seconds the marketplace asked us to wait,
    when it said so (WB ``X-Ratelimit-Retry``, ``Retry-After``).
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthError(MarketplaceError):
    """401/403: the account's credentials are wrong, expired or lack rights.

    Retrying will not help until a person fixes the account.
    """


class RejectedError(MarketplaceError):
    """The marketplace understood the call and refused it (4xx other than auth/limits)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class IncomingLine:
    """One product line of a marketplace order."""

    barcodes: tuple[str, ...]
    article: str
    quantity: int
    external_sku: str = ""
    price_kopecks: int = 0


@dataclass(frozen=True)
class IncomingOrder:
    """A new order as the marketplace reported it."""

    external_id: str
    status: str
    created_at: datetime
    lines: tuple[IncomingLine, ...]
    group_id: str = ""
    ship_by: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Label:
    """A marketplace's own sticker for an order."""

    content: bytes
    format: str  # "zpl" | "pdf" | "png"
    barcode: str = ""
    caption: str = ""


@dataclass(frozen=True)
class ProductCard:
    """A product card (listing) in a seller's cabinet, to link with our products."""

    sku: str  # the key stock is pushed by: WB chrtId, Ozon offer_id, YM offerId, MM offerId
    article: str
    name: str
    barcodes: tuple[str, ...] = ()
    marketplace_id: str = ""  # WB nmId, Ozon product_id / sku, YM marketSku


@dataclass(frozen=True)
class FboRow:
    """One product in one of the marketplace's own warehouses (FBO), as its report says.

    ``warehouse`` is blank for units on the way with no warehouse (WB's «в пути»). The
    keys tell which of our products it is: ``sku`` is the card key stock is pushed by
    (Ozon offer_id, YM offerId; blank for WB, whose report has no chrtId), ``article``
    the seller's article, ``barcode`` and ``marketplace_id`` (WB nmId, Ozon SKU).
    """

    warehouse: str
    sku: str = ""
    article: str = ""
    barcode: str = ""
    marketplace_id: str = ""
    available: int = 0  # free to sell in that warehouse
    reserved: int = 0  # held for buyers or on the way to them
    incoming: int = 0  # on the way in: confirmed supplies, returns


@dataclass(frozen=True)
class PriceItem:
    """One card's price as we send it, in kopecks.

    ``price`` is what the buyer pays; ``old_price`` the price before the discount (the
    crossed-out one; None = no discount); ``min_price`` the lowest price the marketplace's
    own promotions may take the card to (Ozon), None = not set. ``sku`` is the card's key
    (``ProductCard.sku``), ``marketplace_id`` its marketplace id (WB nmID, Ozon product_id).
    """

    sku: str
    marketplace_id: str
    price: int
    old_price: int | None = None
    min_price: int | None = None


@dataclass(frozen=True)
class PriceOutcome:
    """What the marketplace said of one card's price: taken, or refused and why."""

    sku: str
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class PriceUpload:
    """The answer to a price push: outcomes known now (Ozon answers per product; YM and
    Megamarket per call), and tasks whose outcomes are asked later (WB processes an upload
    in the background: ``price_task_outcomes``)."""

    outcomes: tuple[PriceOutcome, ...] = ()
    task_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarketPrice:
    """A card's price as the marketplace shows it now, in kopecks."""

    sku: str
    price: int  # what the buyer pays
    old_price: int | None = None  # before the discount; None = no discount


@dataclass(frozen=True)
class NewCard:
    """A Wildberries card made from one of our products (content API ``cards/upload``)."""

    subject_id: int
    vendor_code: str
    title: str
    description: str
    brand: str
    barcodes: tuple[str, ...]
    price: int  # kopecks (WB takes whole roubles)
    length_cm: int = 0
    width_cm: int = 0
    height_cm: int = 0
    weight_kg: float = 0.0


@dataclass(frozen=True)
class SaleRow:
    """One order or sale as the marketplace's sales statistics count it (FBS and FBO).

    ``row_id`` is the marketplace's own key of the row (WB ``srid`` + kind, Ozon posting
    number + SKU, ...): a row read again replaces itself. ``order_number`` is the number
    our FBS orders carry (``orders.external_id`` or one of ``order_numbers``). The card
    keys are those of ``FboRow``. Money in kopecks.
    """

    row_id: str
    kind: str  # "order" (a buyer ordered), "sale" (bought out), "return", "cancel"
    at: datetime  # aware, UTC
    order_number: str = ""
    scheme: str = "fbs"  # "fbs" | "fbo"
    sku: str = ""
    article: str = ""
    barcode: str = ""
    marketplace_id: str = ""
    quantity: int = 1
    amount: int = 0  # what the buyer pays for the row, kopecks (>= 0)


@dataclass(frozen=True)
class RealizationRow:
    """One line of the marketplace's realization / finance report («отчёт комиссионера»).

    Signs are the seller's: ``amount`` is the retail price of units sold (negative for a
    return), the charges (``commission``, ``logistics``, ``other``) are positive when the
    marketplace takes money, and ``payout`` is what the marketplace owes the seller for the
    line (negative when it takes). ``kind`` is "sale", "return" or "charge" (a line not
    tied to a unit sold: storage, fines, acceptance, a logistics-only line). ``note`` keeps
    the marketplace's own words for the line (WB ``supplier_oper_name``, Ozon
    ``operation_type_name``...).
    """

    row_id: str
    kind: str
    at: datetime  # aware, UTC: when the sale / return / charge happened
    order_number: str = ""
    scheme: str = "fbs"
    sku: str = ""
    article: str = ""
    barcode: str = ""
    marketplace_id: str = ""
    quantity: int = 0
    amount: int = 0
    commission: int = 0
    logistics: int = 0
    other: int = 0
    payout: int = 0
    note: str = ""
