"""A webhook receiver on a loopback port, as an integrator would write one: it checks
nothing itself (the tests check the signature), keeps every POST, and answers 500 to its
first ``fail_first`` deliveries."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    fail_first: int = 0
    received: list[Received] = field(default_factory=list)  # every POST, failed ones too
    answered: list[int] = field(default_factory=list)

    def start(self) -> WebhookReceiver:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}/hooks/warehouse"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def delivered(self) -> list[Received]:
        """The POSTs answered 2xx."""
        return [r for r, status in zip(self.received, self.answered, strict=True) if status < 300]

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.received.append(Received(dict(request.headers), request.get_data()))
        status = 500 if len(self.received) <= self.fail_first else 204
        self.answered.append(status)
        return Response(status=status)(environ, start_response)
