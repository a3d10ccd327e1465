"""The WB sandbox's sales book: statistics rows and realization lines (its own tables),
the control request that makes a month of them (``wb_sales_month``), and its own sums.

Money is kept in kopecks, each line's figures as WB shows them (unsigned, the kind says
the direction); ``totals`` sums them with ``RealizationRow``'s signs: a return's amount and
commission negative, charges positive when WB takes, payout what WB owes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Float, Integer, String, Table, delete, insert
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox.common import Id, metadata

MSK = timezone(timedelta(hours=3), "MSK")  # WB's statistics speak Moscow time
MAX_DAYS = 92
RRD_BASE = {"weekly": 1_000_000_000, "daily": 2_000_000_000}

stat_rows = Table(
    "wb_sandbox_stat_rows",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("report", String(10), nullable=False),  # "orders" | "sales"
    Column("changed_ts", Float, nullable=False, index=True),  # lastChangeDate
    Column("day", String(10), nullable=False),  # the Moscow date of ``date`` (flag=1)
    Column("body", JSON, nullable=False),
)

lines = Table(
    "wb_sandbox_realization",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),  # rrdId less its base
    Column("rr_date", String(10), nullable=False, index=True),  # the operation's Moscow date
    Column("kind", String(10), nullable=False),  # "sale" | "return" | "charge"
    Column("amount", Integer, nullable=False),  # retailAmount
    Column("for_pay", Integer, nullable=False),
    Column("delivery", Integer, nullable=False),  # deliveryService
    Column("penalty", Integer, nullable=False),
    Column("storage", Integer, nullable=False),  # paidStorage
    Column("acceptance", Integer, nullable=False),  # paidAcceptance
    Column("deduction", Integer, nullable=False),
    Column("body", JSON, nullable=False),  # the line's other fields, as WB names them
)


class PlanError(ValueError):
    """The control request cannot be read."""


@dataclass(frozen=True)
class Ordered:
    """One of our FBS orders as the test lists it."""

    number: str
    sku: str
    article: str
    price: int
    quantity: int
    at: datetime


@dataclass(frozen=True)
class Plan:
    start: date
    days: int
    seed: int
    fbo_per_day: int
    orders: tuple[Ordered, ...]
    returns: frozenset[str]
    difference: str

    @property
    def last(self) -> date:
        return self.start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Item:
    """A card as the statistics rows name it."""

    nm_id: int
    article: str
    barcode: str
    name: str = "Товар"


def plan_of(body: Any) -> Plan:
    """The control request ``{start, days, seed, fbo_per_day, orders, returns, difference}``."""
    if not isinstance(body, dict):
        raise PlanError("expected a JSON object")
    try:
        start = date.fromisoformat(str(body.get("start")))
        days, seed, fbo = (
            int(body.get(k, d)) for k, d in (("days", 30), ("seed", 1), ("fbo_per_day", 3))
        )
        orders = tuple(_ordered(item) for item in body.get("orders") or ())
        returns = frozenset(str(number) for number in body.get("returns") or ())
    except (TypeError, ValueError, KeyError) as exc:
        raise PlanError(f"unreadable request: {exc}") from exc
    difference = str(body.get("difference") or "")
    if not 1 <= days <= MAX_DAYS or not 0 <= fbo <= 50:
        raise PlanError(f"days must be 1..{MAX_DAYS}, fbo_per_day 0..50")
    if difference not in ("", "amount", "unknown"):
        raise PlanError('difference must be "amount", "unknown" or ""')
    if difference == "amount" and not orders:
        raise PlanError('difference "amount" needs a listed order')
    return Plan(start, days, seed, fbo, orders, returns, difference)


def _ordered(item: Mapping[str, Any]) -> Ordered:
    at = datetime.fromisoformat(str(item["at"]))
    quantity = int(item.get("quantity") or 1)
    if quantity < 1 or int(item["price"]) < 0:
        raise ValueError("quantity must be 1 or more, price 0 or more")
    return Ordered(
        number=str(item["number"]),
        sku=str(item.get("sku") or ""),
        article=str(item.get("article") or ""),
        price=int(item["price"]),
        quantity=quantity,
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
    )


# --- storing and summing ----------------------------------------------------------------------


def store(conn: Connection, stats: list[dict[str, Any]], made: list[dict[str, Any]]) -> int:
    """Replace the sales book with ``stats`` (statistics rows) and ``made`` (realization
    lines, numbered here by operation date); the number of lines."""
    conn.execute(delete(stat_rows))
    conn.execute(delete(lines))
    ordered = sorted(stats, key=lambda row: row["changed_ts"])
    if ordered:
        conn.execute(insert(stat_rows), ordered)
    numbered = [
        {**line, "seq": seq}
        for seq, line in enumerate(sorted(made, key=lambda line: line["rr_date"]), start=1)
    ]
    if numbered:
        conn.execute(insert(lines), numbered)
    return len(numbered)


def totals(found: Iterable[Any]) -> dict[str, int]:
    """The lines' sums with ``RealizationRow``'s signs: a return's amount and commission are
    negative, charges are positive when WB takes, payout is what WB owes for the lines."""
    sums = dict.fromkeys(
        ("rows", "sale_amount", "return_amount", "commission", "logistics", "other", "payout"), 0
    )
    for line in found:
        sign = -1 if line.kind == "return" else 1
        other = line.penalty + line.storage + line.acceptance + line.deduction
        sums["rows"] += 1
        if line.kind == "sale":
            sums["sale_amount"] += line.amount
        if line.kind == "return":
            sums["return_amount"] -= line.amount
        sums["commission"] += sign * (line.amount - line.for_pay)
        sums["logistics"] += line.delivery
        sums["other"] += other
        sums["payout"] += sign * line.for_pay - line.delivery - other
    return sums
