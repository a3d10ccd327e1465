"""The sandboxes' price books: a card's price as a marketplace holds it now and every price
it was sent; and the showcases: the cards taken off it.

Each sandbox keeps its own book (tables prefixed ``<kind>_sandbox_``, so its reset clears
them); the price is stored in the marketplace's own fields (JSON), keyed by what the
marketplace keys prices by (WB nmID, Ozon offer_id, YM offerId, Megamarket offerId).
A card never sent a price has none here: each sandbox falls back to its catalogue's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Float, String, Table, delete, func, select, update
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox.common import Id, metadata


@dataclass(frozen=True)
class PriceBook:
    prices: Table  # key → the marketplace's price fields now
    log: Table  # every price sent, oldest first

    def current(self, conn: Connection, key: str) -> dict[str, Any] | None:
        return conn.scalar(select(self.prices.c.value).where(self.prices.c.key == key))

    def set(self, conn: Connection, key: str, value: dict[str, Any], now: float) -> None:
        changed = conn.execute(
            update(self.prices).where(self.prices.c.key == key).values(value=value, ts=now)
        )
        if changed.rowcount == 0:
            conn.execute(self.prices.insert().values(key=key, value=value, ts=now))

    def record(self, conn: Connection, key: str, entry: dict[str, Any], now: float) -> None:
        """One price as it arrived (and what became of it), for the control dump."""
        conn.execute(self.log.insert().values(key=key, entry=entry, ts=now))

    def arrived(self, conn: Connection, since: float, key: str) -> list[dict]:
        """The key's entries recorded since ``since``, oldest first."""
        query = select(self.log.c.entry).where(self.log.c.ts >= since, self.log.c.key == key)
        return list(conn.scalars(query.order_by(self.log.c.id)))

    def count_since(self, conn: Connection, since: float) -> int:
        """How many prices arrived since ``since`` (every key)."""
        query = select(func.count()).select_from(self.log).where(self.log.c.ts >= since)
        return int(conn.scalar(query) or 0)

    def dump(self, conn: Connection) -> dict[str, dict[str, Any]]:
        """key → its price now (when it has one) and ``history``: what arrived, oldest first."""
        found: dict[str, dict[str, Any]] = {
            row.key: {**row.value, "history": []}
            for row in conn.execute(select(self.prices).order_by(self.prices.c.key))
        }
        for row in conn.execute(select(self.log).order_by(self.log.c.id)):
            entry = {**row.entry, "at": iso(row.ts)}
            found.setdefault(row.key, {"history": []})["history"].append(entry)
        return found


def price_book(kind: str) -> PriceBook:
    """The tables of one sandbox's book, on the sandboxes' shared metadata."""
    return PriceBook(
        prices=Table(
            f"{kind}_sandbox_prices",
            metadata,
            Column("key", String(255), primary_key=True),
            Column("value", JSON, nullable=False),
            Column("ts", Float, nullable=False),
        ),
        log=Table(
            f"{kind}_sandbox_price_log",
            metadata,
            Column("id", Id, primary_key=True, autoincrement=True),
            Column("key", String(255), nullable=False, index=True),
            Column("entry", JSON, nullable=False),
            Column("ts", Float, nullable=False, index=True),
        ),
    )


@dataclass(frozen=True)
class Showcase:
    """The cards a seller took off a marketplace's showcase (YM hidden offers, Ozon archive)."""

    hidden: Table

    def hide(self, conn: Connection, keys: list[str], now: float) -> None:
        known = set(self.keys(conn))
        for key in dict.fromkeys(keys):
            if key not in known:
                conn.execute(self.hidden.insert().values(key=key, ts=now))

    def show(self, conn: Connection, keys: list[str]) -> None:
        conn.execute(delete(self.hidden).where(self.hidden.c.key.in_(keys)))

    def keys(self, conn: Connection) -> list[str]:
        return list(conn.scalars(select(self.hidden.c.key).order_by(self.hidden.c.key)))


def showcase(kind: str) -> Showcase:
    hidden = Table(
        f"{kind}_sandbox_hidden",
        metadata,
        Column("key", String(255), primary_key=True),
        Column("ts", Float, nullable=False),
    )
    return Showcase(hidden)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
