"""GET /healthz: 200 when the database and Redis answer; ``down`` names what does not."""

from __future__ import annotations

from flask import Blueprint, jsonify

from warehouse import __version__
from warehouse.infra import db, health, queue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    states = {"db": health.check_database(db.session())}
    try:
        states |= health.check_redis(queue.connection())
    except OSError:  # the embedded Redis could not even start
        states |= {"redis": "error", "worker": "unknown", "cron": "unknown"}
    ok = states["db"] == "ok" and states["redis"] == "ok"
    body = {**states, "down": health.down(states), "version": __version__}
    return jsonify(body), (200 if ok else 503)
