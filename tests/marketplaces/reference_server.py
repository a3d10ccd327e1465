"""A loopback HTTP server answering with a marketplace's own reference examples.

The sandbox is our imitation of a marketplace; the answers here are copied from the
marketplace's published reference (``reference/<kind>.json``, each entry naming its
source), so a connector test fed them shows that the connector reads what the
marketplace documents, whatever our sandbox happens to answer. Real HTTP, nothing of
ours replaced.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import make_server

REFERENCE = Path(__file__).parent / "reference"


def example(kind: str, name: str) -> Any:
    """Reference example ``name`` of marketplace ``kind``, without our ``_`` notes."""
    return _without_notes(json.loads((REFERENCE / f"{kind}.json").read_text())[name])


def _without_notes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_notes(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_without_notes(item) for item in value]
    return value


@dataclass
class Replay:
    """The server's root URL and the calls it received: (method, path, query, JSON body)."""

    url: str
    calls: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)


@contextmanager
def replaying(answers: dict[tuple[str, str], tuple[int, Any]]) -> Iterator[Replay]:
    """Serve ``{(method, path): (status, JSON body or None)}``; anything else is 404."""
    app = Flask(__name__)
    replay = Replay("")

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def answer(path: str) -> Response:
        body = request.get_json(silent=True)
        replay.calls.append((request.method, f"/{path}", dict(request.args), body))
        status, payload = answers.get((request.method, f"/{path}"), (404, {"message": "Not found"}))
        text = "" if payload is None else json.dumps(payload)
        return Response(text, status=status, mimetype="application/json")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    replay.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()
