"""People and their work: users, pick tasks and items, and every scan."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.catalog import Location, Product
from warehouse.models.orders import Order, OrderLine

if TYPE_CHECKING:
    from warehouse.models.staff import UserRole

# Who works on the ТСД (a badge, a PIN) and who at the desk (a login, a password); what each
# role may do is the one table in warehouse/staff/access.py
TSD_ROLES = ("picker", "packer", "loader")
DESK_ROLES = ("supervisor", "admin")
ROLES = TSD_ROLES + DESK_ROLES
_TSD_LIST = ", ".join(f"'{role}'" for role in TSD_ROLES)
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
# pick: take goods for an order; putback: return the goods of a cancelled order to bins
TASK_KINDS = ("pick", "putback")
# open: a cart a wave made, not started yet (a picker starts all its orders at once);
# cancelled: its wave was cancelled before it started and its orders went back to the queue
BATCH_STATUSES = ("open", "in_progress", "done", "cancelled")
WAVE_STATUSES = ("open", "cancelled")
TOTE_IN_PROGRESS = "status = 'in_progress' AND tote IS NOT NULL"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        # the ТСД's people log in with a badge (the PIN is a second factor), the desk with a login
        CheckConstraint(
            f"role NOT IN ({_TSD_LIST}) OR badge IS NOT NULL", name="tsd_user_has_badge"
        ),
        CheckConstraint(f"role IN ({_TSD_LIST}) OR login IS NOT NULL", name="desk_user_has_login"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="picker")
    login: Mapped[str | None] = mapped_column(String(100), unique=True)
    badge: Mapped[str | None] = mapped_column(String(100), unique=True)
    # HMAC of the picker's PIN, typed after the badge (a second factor: not unique)
    pin_digest: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    # a session remembers the number it was opened under; raising it (the desk ends the
    # person's sessions, resets the PIN, deactivates) makes every open session stale
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # further ТСД roles beside ``role`` (a picker who also packs): warehouse.models.staff
    extra_roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by="UserRole.role"
    )

    @property
    def roles(self) -> frozenset[str]:
        """Every role of the person: the main one and the further ТСД ones."""
        return frozenset({self.role, *(extra.role for extra in self.extra_roles)})


class Someone(Protocol):
    """A person as the floor's work reads them: a ``User``, or the request's person as
    every request checks them (``warehouse.web.auth.Person``, read without the ORM)."""

    @property
    def id(self) -> int: ...

    @property
    def roles(self) -> frozenset[str]: ...


class Wave(Base):
    """Pick work the desk handed out at once: who built it, when, by which rules (kept as
    they were typed, so the live view can say why these orders go together). Its tasks and
    carts point at it; whether it is done is read from them, never stored."""

    __tablename__ = "waves"
    __table_args__ = (CheckConstraint(one_of("status", WAVE_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    orders: Mapped[int] = mapped_column(default=0)  # how many orders it was built with
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    tasks: Mapped[list[PickTask]] = relationship(back_populates="wave", order_by="PickTask.id")
    batches: Mapped[list[PickBatch]] = relationship(back_populates="wave", order_by="PickBatch.id")


class PickBatch(Base):
    """Several pick tasks collected on one cart by one picker, one tote per order.

    A picker's «Пакетная сборка» makes one in progress; a wave makes them ``open`` (maybe
    assigned to a picker) until someone starts one of its orders, which starts them all."""

    __tablename__ = "pick_batches"
    __table_args__ = (CheckConstraint(one_of("status", BATCH_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    picker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"), index=True)

    picker: Mapped[User | None] = relationship()
    wave: Mapped[Wave | None] = relationship(back_populates="batches")
    tasks: Mapped[list[PickTask]] = relationship(back_populates="batch", order_by="PickTask.id")


class PickTask(Base):
    __tablename__ = "pick_tasks"
    __table_args__ = (
        CheckConstraint(one_of("status", TASK_STATUSES), name="status"),
        CheckConstraint(one_of("kind", TASK_KINDS), name="kind"),
        # one order per tote while it is being picked (on any cart)
        Index(
            "uq_pick_tasks_tote_in_progress",
            "tote",
            unique=True,
            sqlite_where=text(TOTE_IN_PROGRESS),
            postgresql_where=text(TOTE_IN_PROGRESS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="pick", server_default="pick")
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    picker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ship_by: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("pick_batches.id"), index=True)
    tote: Mapped[str | None] = mapped_column(String(64))  # the tote's barcode (batch picking)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"), index=True)

    order: Mapped[Order] = relationship()
    batch: Mapped[PickBatch | None] = relationship(back_populates="tasks")
    wave: Mapped[Wave | None] = relationship(back_populates="tasks")
    picker: Mapped[User | None] = relationship()
    items: Mapped[list[PickItem]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        order_by="(PickItem.walk_order, PickItem.id)",
    )

    @property
    def open_batch(self) -> PickBatch | None:
        """The batch this task is being picked in, while that batch is in progress."""
        batch = self.batch
        return batch if batch is not None and batch.status == "in_progress" else None


class PickItem(Base):
    """Take ``quantity`` of a product from a bin for an order line; visited in walk order."""

    __tablename__ = "pick_items"
    __table_args__ = (
        CheckConstraint("picked >= 0 AND picked <= quantity", name="picked_within_quantity"),
        CheckConstraint("short >= 0 AND picked + short <= quantity", name="short_within_quantity"),
        CheckConstraint(
            "in_hand >= 0 AND picked + short + in_hand <= quantity", name="in_hand_within_quantity"
        ),
        CheckConstraint("verified >= 0 AND verified <= picked", name="verified_within_picked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("pick_tasks.id", ondelete="CASCADE"))
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int]
    picked: Mapped[int] = mapped_column(default=0)
    short: Mapped[int] = mapped_column(default=0, server_default="0")  # reported missing
    verified: Mapped[int] = mapped_column(default=0, server_default="0")  # re-scanned at pack
    walk_order: Mapped[int] = mapped_column(default=0)
    bin_confirmed: Mapped[bool] = mapped_column(default=False)
    # batch picking: scanned, not yet put into the order's tote
    in_hand: Mapped[int] = mapped_column(default=0, server_default="0")

    task: Mapped[PickTask] = relationship(back_populates="items")
    line: Mapped[OrderLine] = relationship()
    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()

    @property
    def remaining(self) -> int:
        return self.quantity - self.picked - self.short


SCAN_ID_LENGTH = 64


class ScanEvent(Base):
    """Every scan, keyed by the client's scan id so a resent scan is answered, not recounted.

    The id is the client's, so it is only unique within its ``scope`` (the user and the
    task, batch or pack check it was sent to): another picker's id is never their answer.
    """

    __tablename__ = "scan_events"
    __table_args__ = (
        UniqueConstraint("scope", "scan_id"),
        # the live shift reads each picker's scans of the day (warehouse.shift.live)
        Index("ix_scan_events_user_time", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), server_default="")
    scan_id: Mapped[str] = mapped_column(String(SCAN_ID_LENGTH))
    # indexed: an order's timeline reads the scans of its tasks
    task_id: Mapped[int | None] = mapped_column(ForeignKey("pick_tasks.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("pick_items.id"))
    barcode: Mapped[str] = mapped_column(String(300))
    ok: Mapped[bool]
    code: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MarkingCode(Base):
    """A unit's Честный знак code captured at pick; a code is used once, on any order."""

    __tablename__ = "marking_codes"
    __table_args__ = (UniqueConstraint("gtin", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("pick_items.id", ondelete="SET NULL"))
    gtin: Mapped[str] = mapped_column(String(14))
    serial: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


SHORTAGE_REASONS = ("not_in_bin", "damaged", "not_found")
# lines_cancelled: the missing units were taken off the order at the marketplace
SHORTAGE_STATUSES = ("open", "picked_elsewhere", "cancelled", "lines_cancelled")


class Shortage(Base):
    """A picker found fewer goods than the task asked for; a supervisor decides what next."""

    __tablename__ = "shortages"
    __table_args__ = (
        CheckConstraint(one_of("reason", SHORTAGE_REASONS), name="reason"),
        CheckConstraint(one_of("status", SHORTAGE_STATUSES), name="status"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("pick_items.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    quantity: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[PickItem] = relationship()
    order: Mapped[Order] = relationship()
    reporter: Mapped[User | None] = relationship()
    moves: Mapped[list[StockMove]] = relationship(order_by="StockMove.id", viewonly=True)


# Why a bin's on-hand changed (the stock ledger, warehouse/stock/ledger.py):
# opening: the first stock of a bin (demo, catalogue file, a database from before the
# ledger); receipt / put_away: goods in; pick: taken for an order; put_back: a cancelled
# order's goods back on the shelf; packing_write_off: written off at the pack station;
# move: bin to bin; count: what a count found; return: a parcel the marketplace returned;
# return_defect: a returned unit graded defect, into the defect area; write_off: goods
# written off (out of the defect area, from the desk); suspected_shortage: a picker found
# the bin without the goods, its free stock is taken out until a count confirms or
# corrects it; damaged: units found not sellable at pick; correction: an accounting
# system's inventory document sent through the API (warehouse.integrations.corrections)
STOCK_MOVE_REASONS = (
    "opening",
    "receipt",
    "put_away",
    "pick",
    "put_back",
    "packing_write_off",
    "move",
    "count",
    "return",
    "return_defect",
    "write_off",
    "suspected_shortage",
    "damaged",
    "correction",
)


class StockMove(Base):
    """One change of a bin's on-hand (the stock ledger): product, bin, signed quantity,
    why, under which document, who, when. A bin's on-hand is the sum of its rows; only
    ``ledger.move`` writes them, in the same transaction as the on-hand UPDATE."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint(one_of("reason", STOCK_MOVE_REASONS), name="reason"),
        CheckConstraint("quantity <> 0", name="not_zero"),
        CheckConstraint("document <> ''", name="has_document"),
        Index("ix_stock_moves_product_history", "product_id", "id"),
        Index("ix_stock_moves_location_history", "location_id", "id"),
        # an order's timeline reads the movements of its tasks, shortages and return
        Index("ix_stock_moves_document", "document"),
        # stock on a past day: today's less every movement after it (reports.stock_report)
        Index("ix_stock_moves_created_at", "created_at"),
        # a move is one row out of a bin and one into another under its document: a
        # repeated final scan cannot write it twice
        Index(
            "uq_stock_moves_move_document",
            "document",
            "location_id",
            unique=True,
            sqlite_where=text("reason = 'move'"),
            postgresql_where=text("reason = 'move'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int]  # signed: below zero the units left the bin
    reason: Mapped[str] = mapped_column(String(20))
    # what the change belongs to: "task:12", "shortage:3", "demo", "catalogue", "move:<uuid>"
    document: Mapped[str] = mapped_column(String(64))
    shortage_id: Mapped[int | None] = mapped_column(
        ForeignKey("shortages.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()
    user: Mapped[User | None] = relationship()
