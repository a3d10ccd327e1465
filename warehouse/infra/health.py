"""What /healthz reports: can we reach the database, Redis, a worker and RQ cron?"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.cron import CronScheduler
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


def check_redis(connection: Redis) -> dict[str, str]:
    """States of Redis, the workers and RQ cron (both known only through Redis)."""
    try:
        connection.ping()
        workers = Worker.count(connection=connection)
        crons = CronScheduler.all(connection)
    except (RedisError, OSError) as exc:
        logger.warning("health: redis unreachable: %s", exc.__class__.__name__)
        return {"redis": "error", "worker": "unknown", "cron": "unknown"}
    return {
        "redis": "ok",
        "worker": "ok" if workers else "none",
        "cron": "ok" if crons else "none",
    }


def down(states: dict[str, str]) -> list[str]:
    """The parts that are not working, named (``unknown`` ones depend on a part that is down)."""
    return [name for name, state in states.items() if state in ("error", "none")]
