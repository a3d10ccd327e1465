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
