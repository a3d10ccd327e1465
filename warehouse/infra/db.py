"""Database engine and the session of the current request or job.

Plain SQLAlchemy 2.0: one engine per app, one Session per app context, committed
once by the boundary (view or job). Callbacks registered with ``after_commit``
run only once the transaction is durable (e.g. enqueueing RQ jobs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from warehouse.infra import feeds

SessionFactory = sessionmaker[Session]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    feeds.install(engine)  # writers of the API's feeds take their shared locks
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite as a server's database: foreign keys on, readers beside one writer (WAL),
    waiting for the writer rather than failing, and every commit synced to disk
    (``synchronous=FULL``). ``NORMAL`` would sync the log only at checkpoints and save a
    scan 7 % of its CPU, but a power cut could then erase commits whose consequences have
    already left: a «confirm» delivered to the marketplace, a label printed, a scan the
    ТСД has dropped from its queue. Work that has gone out must not be forgotten here."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> SessionFactory:
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "after_commit", _run_after_commit)
    event.listen(factory, "after_rollback", _drop_after_commit)
    return factory


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the session's current transaction commits (never if it rolls back)."""
    session.info.setdefault("after_commit", []).append(callback)


def gather(
    session: Session, key: str, values: Iterable[Any], then: Callable[[set[Any]], None]
) -> None:
    """Collect ``values`` under ``key`` for the current transaction; once it commits,
    ``then`` gets them all in one call (many stock movements of one scan: one check)."""
    gathered: dict[str, set[Any]] = session.info.setdefault("gathered", {})
    if key not in gathered:
        collected = gathered[key] = set()
        after_commit(session, lambda: then(collected))
    gathered[key].update(values)


def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (SQLAlchemy says "commit" for it too): not durable yet
    callbacks = session.info.pop("after_commit", [])
    session.info.pop("gathered", None)
    for callback in callbacks:
        callback()


def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
    session.info.pop("gathered", None)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db.engine"] = engine
    app.extensions["db.sessions"] = make_session_factory(engine)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db.engine"]


def session() -> Session:
    """The session of the current app context (request or job)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db.sessions"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
