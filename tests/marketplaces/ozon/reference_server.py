"""Ozon's own example answers, served over loopback HTTP to the real connector.

Connector tests read payloads shaped as Ozon's reference shows them (the JSON files in
``reference/``, copied or adapted from the examples of the Ozon Seller API swagger,
salacoste/ozon-daytona-seller-api ``ozon-swagger-docs/swagger.json``, 2025-09), not as our
sandbox happens to answer. Each answer is queued per path and served once; every request
is kept so a test can check what the connector sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request
from werkzeug.serving import make_server

from warehouse.marketplaces.ozon import OzonClient

REFERENCE = Path(__file__).with_name("reference")


def example(name: str) -> Any:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


@dataclass
class ReferenceServer:
    base_url: str
    answers: dict[str, list[Response]] = field(default_factory=dict)
    requests: list[tuple[str, Any]] = field(default_factory=list)

    def answer(
        self,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        raw: bytes = b"",
        content_type: str = "application/json",
    ) -> None:
        data = raw or json.dumps(body, ensure_ascii=False).encode()
        response = Response(data, status=status, content_type=content_type)
        self.answers.setdefault(path, []).append(response)

    def sent(self, path: str) -> list[Any]:
        return [body for sent_path, body in self.requests if sent_path == path]

    def client(self, **kwargs: Any) -> OzonClient:
        return OzonClient(self.base_url, "reference", "reference", timeout=2.0, **kwargs)


def _app(server: ReferenceServer) -> Flask:
    app = Flask(__name__)

    @app.post("/<path:path>")
    def answer(path: str) -> Response:
        server.requests.append((f"/{path}", request.get_json(silent=True)))
        queued = server.answers.get(f"/{path}") or []
        if not queued:
            return Response(b'{"code": 5, "message": "not queued in the test"}', status=404)
        return queued.pop(0)

    return app


@pytest.fixture
def ozon_reference() -> Iterator[ReferenceServer]:
    server = ReferenceServer(base_url="")
    http = make_server("127.0.0.1", 0, _app(server), threaded=True)
    server.base_url = f"http://127.0.0.1:{http.server_port}"
    thread = threading.Thread(target=http.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
