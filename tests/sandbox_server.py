"""A real HTTP server on a loopback port for sandbox blueprints (tests of connectors)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Flask
from werkzeug.serving import make_server

SANDBOX_CONFIG: dict[str, Any] = {
    "SANDBOX_ENABLED": True,
    "SANDBOX_SLOW_SECONDS": 0.6,
    "SANDBOX_ORDERS_PER_MINUTE": 0,
}


@contextmanager
def serve_sandboxes(
    database_url: str, blueprints: dict[str, Blueprint]
) -> Iterator[tuple[Flask, str]]:
    """Serve ``{kind: blueprint}`` at ``/sandbox/<kind>``; yields (app, root URL)."""
    app = Flask(__name__)
    app.config.update(SANDBOX_CONFIG, SANDBOX_DATABASE_URL=database_url)
    for kind, blueprint in blueprints.items():
        app.register_blueprint(blueprint, url_prefix=f"/sandbox/{kind}")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
