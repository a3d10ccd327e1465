"""Tables read "since a cursor" by outside systems: nothing skipped, nothing twice.

The integration API pages orders, status changes and stock movements by id: a client
keeps the last id it saw and asks for the rows after it. That is only safe if no row
with a smaller id can still appear later — but a transaction that took id 101 may
commit after one that took 102, and a client that saw 102 would never see 101.

- SQLite has one writer at a time: ids are taken and committed in the same order, so the
  highest id is always safe.
- PostgreSQL runs writers side by side. Every transaction that inserts into a feed table
  first takes that table's advisory lock *shared* (an engine hook, so no writer can
  forget it); the reader takes it *exclusive* for one short transaction once the writers
  in flight have committed, and reads the highest id: the **horizon**. Every id up to it
  is committed; a page never reads past it. The reader only *tries* the lock (again every
  20 ms): a reader waiting in PostgreSQL's lock queue would hold back every new writer
  behind it (a scan's movement), and never waiting, readers cannot deadlock writers.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

# table → its advisory lock key (any constant unique to the table)
FEEDS = {
    "orders": 7_140_001,
    "order_events": 7_140_002,
    "stock_moves": 7_140_003,
    "webhook_deliveries": 7_140_004,
}
LOCK_WAIT = 2.0  # seconds: longer than an import page's transaction; then the reader gives up
LOCK_POLL = 0.02


class Busy(Exception):
    """Writers held the feed too long: the reader should try again shortly."""


def install(engine: Engine) -> None:
    """Make every INSERT into a feed table take its shared lock first (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "before_cursor_execute", _lock_before_insert)
    event.listen(engine, "commit", _forget_locks)
    event.listen(engine, "rollback", _forget_locks)
    # a savepoint rolled back releases the locks taken after it: take them again
    event.listen(engine, "rollback_savepoint", _forget_locks)


def horizon(session: Session, table: str) -> int:
    """The highest id of ``table`` below which every row is committed and visible."""
    key = FEEDS[table]
    if session.get_bind().dialect.name != "postgresql":
        return int(session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        with engine.begin() as connection:
            taken = connection.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key})
            if taken:
                top = connection.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
                return int(top or 0)
        if time.monotonic() > deadline:
            raise Busy(table)
        time.sleep(LOCK_POLL)


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


def _forget_locks(connection: Any, *_args: Any) -> None:
    connection.info.pop("feed_locks", None)
