"""What /healthz reports: can we reach the database, Redis and a worker?"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


def check_database(session: Session) -> str:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("health: database unreachable: %s", exc.__class__.__name__)
        return "error"
    return "ok"


def check_redis(connection: Redis) -> tuple[str, str]:
    """Return (redis, worker) states."""
    try:
        connection.ping()
        workers = Worker.count(connection=connection)
    except (RedisError, OSError) as exc:
        logger.warning("health: redis unreachable: %s", exc.__class__.__name__)
        return "error", "unknown"
    return "ok", ("ok" if workers else "none")
