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
