"""Alerts to the seller's Telegram chat: the bot they go out through, and each crossing.

An ``Alert`` is one crossing of a line: a product's free stock fell below its minimum, a
cabinet keeps failing, a printer is down, a pickup's cutoff is near with parcels not
loaded. While it lasts (``resolved_at`` empty) a partial unique index keeps it the only
one of its kind for its subject, so a check repeated every minute (or two at once)
never makes a second message; once it is over, the next crossing is a new row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.models.base import Base, one_of, utcnow

ALERT_KINDS = ("low_stock", "account", "printer", "handover")
# pending: to be sent; sent: Telegram has it; skipped: over before it could be sent (the
# desk still lists it); failed: Telegram refused this message itself (not the bot or chat)
ALERT_STATUSES = ("pending", "sent", "skipped", "failed")
# why the bot sends nothing: "token" (Telegram refused the token), "chat" (no such chat,
# or the bot is not in it / was blocked) — both wait for a person; "unavailable" (429,
# 5xx, timeouts: sending goes on after the pause)
BOT_PROBLEMS = ("token", "chat", "unavailable")
OPEN = "resolved_at IS NULL"


class AlertBot(Base):
    """The one Telegram bot and chat alerts go to; the token sealed like a marketplace key."""

    __tablename__ = "alert_bots"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_bot"),
        CheckConstraint(one_of("problem", BOT_PROBLEMS), name="problem"),
        CheckConstraint("failures >= 0", name="failures_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    chat_id: Mapped[str] = mapped_column(String(64))
    problem: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(String(1000))  # Telegram's description
    # transient failures in a row (the backoff's step) and no sending before this moment
    failures: Mapped[int] = mapped_column(default=0)
    paused_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def stopped(self) -> bool:
        """A refused token or chat: nothing is sent until a person fixes the settings."""
        return self.problem in ("token", "chat")


class Alert(Base):
    """One crossing of one subject (a product, cabinet, printer or hand-over by its id)."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(one_of("kind", ALERT_KINDS), name="kind"),
        CheckConstraint(one_of("status", ALERT_STATUSES), name="status"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_when"),
        # one crossing at a time per subject: a repeated check finds it and sends nothing
        Index(
            "uq_alerts_open",
            "kind",
            "subject_id",
            unique=True,
            sqlite_where=text(OPEN),
            postgresql_where=text(OPEN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    # what the check saw at the crossing (levels, the problem, the cutoff), for the words
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    message_id: Mapped[int | None]  # Telegram's, once sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
