"""Tables read "since a cursor" by outside systems: nothing skipped, nothing twice.

The integration API pages orders, status changes and stock movements by id: a client
keeps the last id it saw and asks for the rows after it. That is only safe if no row
with a smaller id can still appear later — but a transaction that took id 101 may
commit after one that took 102, and a client that saw 102 would never see 101.

- SQLite has one writer at a time: ids are taken and committed in the same order, so the
  highest id is always safe.
- PostgreSQL runs writers side by side. Every transaction that inserts into a feed table
  first takes that table's advisory lock *shared* (an engine hook, so no writer can
  forget it); the reader takes it *exclusive* for one short transaction, which waits for
  the writers in flight to commit, and reads the highest id: the **horizon**. Every id
  up to it is committed; a page never reads past it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

# table → its advisory lock key (any constant unique to the table)
FEEDS = {"orders": 7_140_001, "order_events": 7_140_002, "stock_moves": 7_140_003}
LOCK_WAIT = "2s"  # longer than an import page's transaction; past it the reader gives up


class Busy(Exception):
    """Writers held the feed too long: the reader should try again shortly."""


def install(engine: Engine) -> None:
    """Make every INSERT into a feed table take its shared lock first (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "before_cursor_execute", _lock_before_insert)
    event.listen(engine, "commit", _forget_locks)
    event.listen(engine, "rollback", _forget_locks)


def horizon(session: Session, table: str) -> int:
    """The highest id of ``table`` below which every row is committed and visible."""
    key = FEEDS[table]
    if session.get_bind().dialect.name != "postgresql":
        return int(session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with engine.begin() as connection:
        connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
        try:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        except Exception as exc:  # lock_timeout: the transaction is rolled back on exit
            raise Busy(table) from exc
        return int(connection.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0)


def _lock_before_insert(
    connection: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    if not statement.startswith("INSERT INTO "):
        return
    table = statement[12:].split(" ", 1)[0].strip('"')
    key = FEEDS.get(table)
    if key is None:
        return
    locked: set[int] = connection.info.setdefault("feed_locks", set())
    if key not in locked:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", (key,))
        locked.add(key)


def _forget_locks(connection: Any) -> None:
    connection.info.pop("feed_locks", None)
