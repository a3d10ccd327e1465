"""The WB sandbox's own tables and engines (one engine per database URL, per process)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DatabaseError

logger = logging.getLogger(__name__)

metadata = MetaData()

# Integer on SQLite so the column is the rowid (autoincrement); BIGINT identity elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")

supplies = Table(
    "wb_sandbox_supplies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("created_ts", Float, nullable=False),
    Column("closed_ts", Float),
    Column("done", Boolean, nullable=False, default=False),
)

orders = Table(
    "wb_sandbox_orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_uid", String(80), nullable=False, index=True),
    Column("rid", String(80), nullable=False, unique=True),
    Column("article", String(100), nullable=False),
    Column("nm_id", BigInteger, nullable=False),
    Column("chrt_id", BigInteger, nullable=False),
    Column("skus", JSON, nullable=False),
    Column("price", Integer, nullable=False),
    Column("created_ts", Float, nullable=False, index=True),
    Column("supplier_status", String(20), nullable=False, default="new"),
    Column("wb_status", String(30), nullable=False, default="waiting"),
    Column("supply_id", Id, ForeignKey(supplies.c.id)),
    Column("required_meta", JSON, nullable=False, default=list),
    Column("sgtins", JSON, nullable=False, default=list),
)

stocks = Table(
    "wb_sandbox_stocks",
    metadata,
    Column("warehouse_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chrt_id", BigInteger, primary_key=True, autoincrement=False),
    Column("amount", Integer, nullable=False),
)

faults = Table(
    "wb_sandbox_faults",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("retry_after", Float, nullable=False, default=1.0),
)

clock = Table(
    "wb_sandbox_clock",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("ts", Float, nullable=False),
)

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """The engine for ``url``, created (with its tables) on first use in this process."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            _engines[url] = engine
        return engine


def reset(conn: Connection) -> None:
    """Forget everything: orders, supplies, stock, queued faults, the generation clock."""
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, parsed.database)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    try:
        metadata.create_all(engine)
    except DatabaseError:  # another process created the tables at the same moment
        logger.info("wb sandbox tables created concurrently; checking again")
        metadata.create_all(engine)
    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    """SQLite shared by several processes: wait for locks and take the write lock up front."""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below decide
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
