"""GET /healthz: 200 only when the database and Redis answer."""

from __future__ import annotations

from flask import Blueprint, jsonify

from warehouse import __version__, db, health, queue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    database = health.check_database(db.session())
    try:
        redis_state, worker = health.check_redis(queue.connection())
    except OSError:  # the embedded Redis could not even start
        redis_state, worker = "error", "unknown"
    body = {"db": database, "redis": redis_state, "worker": worker, "version": __version__}
    ok = database == "ok" and redis_state == "ok"
    return jsonify(body), (200 if ok else 503)
