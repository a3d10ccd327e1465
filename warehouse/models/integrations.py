"""Outside systems that use the integration API: service accounts, their tokens and calls.

An accounting system (МойСклад, 1C) or an analytics service gets an account of its own,
made on the desk like a person's: a name and the scopes it may use. It calls with a
bearer token; a token is shown once when issued and only its SHA-256 is kept (tokens are
long random strings, so a plain hash is enough: nothing to guess, nothing to salt). An
account may hold several tokens (a new one issued before the old is revoked); each has
its own rate limit, last-used time and request log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Location, Product
from warehouse.models.work import User

# What a service account may be allowed (docs/ARCHITECTURE.md, Integration API).
API_SCOPES = (
    "orders:read",
    "stock:read",
    "stock:write",
    "products:read",
    "products:write",
    "handovers:read",
    "webhooks",
)


class ServiceAccount(Base):
    """An outside system allowed into the API, with what it may do."""

    __tablename__ = "service_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    scope_rows: Mapped[list[ServiceAccountScope]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceAccountScope.scope"
    )
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="account", order_by="ApiToken.id")
    created_by: Mapped[User | None] = relationship()

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(row.scope for row in self.scope_rows)


class ServiceAccountScope(Base):
    """One scope a service account holds; the database keeps it one of ``API_SCOPES``."""

    __tablename__ = "service_account_scopes"
    __table_args__ = (CheckConstraint(one_of("scope", API_SCOPES), name="known_scope"),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("service_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)


class ApiToken(Base):
    """A bearer token of a service account: ``wh_<prefix>_<secret>``. The prefix finds the
    row (and names the token on the desk); the whole token's SHA-256 proves it."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("per_minute BETWEEN 1 AND 100000", name="per_minute"),
        CheckConstraint("length(secret_hash) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("service_accounts.id"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="", server_default="")
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    per_minute: Mapped[int] = mapped_column(default=120, server_default="120")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    account: Mapped[ServiceAccount] = relationship(back_populates="tokens")


class ApiRequest(Base):
    """One call made with a token: what was asked and how it was answered (the desk's
    request log; kept ``API_LOG_DAYS``)."""

    __tablename__ = "api_requests"
    __table_args__ = (
        Index("ix_api_requests_token_log", "token_id", "id"),
        Index("ix_api_requests_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int]
    ms: Mapped[int] = mapped_column(default=0)


class IdempotentCall(Base):
    """The answer given to a POST / PUT under its ``Idempotency-Key``: the same key sent
    again by the same account gets this answer back, and nothing is done twice. Stored in
    the same transaction as the call's changes (kept ``API_LOG_DAYS``)."""

    __tablename__ = "api_idempotent_calls"
    __table_args__ = (
        UniqueConstraint("account_id", "key"),
        CheckConstraint("length(request_hash) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("service_accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StockCorrection(Base):
    """Stock counted by an accounting system, written as an inventory document: each line
    says how many units a bin holds; the difference goes to the ledger as a ``correction``
    movement under ``correction:<id>``. Never a silent overwrite: the document keeps what
    the bin held before, who sent it and under which of their numbers."""

    __tablename__ = "stock_corrections"
    __table_args__ = (UniqueConstraint("account_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("service_accounts.id"), index=True)
    number: Mapped[str] = mapped_column(String(100))  # the sender's document number
    reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[ServiceAccount] = relationship()
    lines: Mapped[list[StockCorrectionLine]] = relationship(
        cascade="all, delete-orphan", order_by="StockCorrectionLine.id"
    )


class StockCorrectionLine(Base):
    __tablename__ = "stock_correction_lines"
    __table_args__ = (
        CheckConstraint("counted >= 0 AND before >= 0", name="not_negative"),
        CheckConstraint("counted - before = change", name="change_is_the_difference"),
        UniqueConstraint("correction_id", "product_id", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    correction_id: Mapped[int] = mapped_column(
        ForeignKey("stock_corrections.id", ondelete="CASCADE")
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    counted: Mapped[int]
    before: Mapped[int]
    change: Mapped[int]

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()


# What a service account may be told of (warehouse.integrations.webhooks)
WEBHOOK_EVENTS = ("order.status_changed", "stock.below_minimum", "handover.closed", "pick.short")
# pending: to be sent (again at next_attempt_at); delivered: the receiver answered 2xx;
# failed: gave up after the last backoff step (a person may send it again from the desk)
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookSubscription(Base):
    """A receiver of a service account: its URL, the events it wants, the secret its
    bodies are signed with (sealed like a marketplace key: it must be read to sign)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("service_accounts.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[ServiceAccount] = relationship()
    event_rows: Mapped[list[WebhookEvent]] = relationship(
        cascade="all, delete-orphan", order_by="WebhookEvent.event"
    )

    @property
    def events(self) -> frozenset[str]:
        return frozenset(row.event for row in self.event_rows)


class WebhookEvent(Base):
    """One event a subscription wants; the database keeps it one of ``WEBHOOK_EVENTS``."""

    __tablename__ = "webhook_subscription_events"
    __table_args__ = (CheckConstraint(one_of("event", WEBHOOK_EVENTS), name="known_event"),)

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    event: Mapped[str] = mapped_column(String(32), primary_key=True)


class WebhookDelivery(Base):
    """One event owed to one receiver: written in the transaction of the change it tells
    of (an outbox), sent by RQ with backoff until the receiver answers 2xx."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(one_of("event", WEBHOOK_EVENTS), name="known_event"),
        CheckConstraint(one_of("status", DELIVERY_STATUSES), name="status"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_log", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, the same bytes every attempt
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None]  # the receiver's HTTP status, None: no answer
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship()
