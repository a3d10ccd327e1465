"""A real HTTP server on a loopback port for sandbox blueprints (tests of connectors).

``SandboxHandle`` is one running sandbox with shortcuts to its control endpoints;
``sandbox_fixtures`` makes a conftest's pair of fixtures for it: one server per run,
emptied (and its config restored) around every test. The database is an SQLite file, or
``WAREHOUSE_TEST_SANDBOX_DATABASE_URL`` (e.g. PostgreSQL).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import httpx
import pytest
from flask import Blueprint, Flask
from sqlalchemy import update
from werkzeug.serving import make_server

from warehouse.marketplaces.sandbox import common

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


@dataclass
class SandboxHandle:
    """A running sandbox plus shortcuts to its control endpoints.

    Subclasses name the sandbox's ``kind`` (its URL segment and clock prefix) and its
    ``blueprint``, and add their own shortcuts.
    """

    kind: ClassVar[str]
    blueprint: ClassVar[Blueprint]

    app: Flask
    base_url: str
    http: httpx.Client  # no credentials: add headers per call
    _config: dict[str, Any] = field(default_factory=dict, repr=False)

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self.http.request(method, f"{self.base_url}/_control/{path}", json=json)
        response.raise_for_status()
        return response

    def faults(self, *kinds: str, retry_after: float = 1) -> None:
        self.control("POST", "faults", {"queue": list(kinds), "retry_after": retry_after})

    def state(self) -> dict[str, Any]:
        return self.control("GET", "state").json()

    def backdate_generation(self, seconds: float) -> None:
        """Move the auto-generation clock back, as if ``seconds`` had passed."""
        name = f"{self.kind}:orders"
        with self.app.app_context(), common.begin() as conn:
            clock = common.clock
            conn.execute(update(clock).where(clock.c.name == name).values(ts=time.time() - seconds))

    def reset(self) -> None:
        """Empty the sandbox and put its config back as the server started."""
        self.restore_config()
        self.control("POST", "reset")

    def restore_config(self) -> None:
        for key in set(self.app.config) - set(self._config):
            del self.app.config[key]
        self.app.config.update(self._config)


H = TypeVar("H", bound=SandboxHandle)


@contextmanager
def running(handle: type[H], tmp_path_factory: pytest.TempPathFactory) -> Iterator[H]:
    """A server of ``handle``'s blueprint for as long as the block lasts."""
    database = tmp_path_factory.mktemp(f"{handle.kind}-sandbox") / "sandbox" / "sandbox.db"
    url = os.environ.get("WAREHOUSE_TEST_SANDBOX_DATABASE_URL") or f"sqlite:///{database}"
    blueprints = {handle.kind: handle.blueprint}
    with serve_sandboxes(url, blueprints) as (app, root), httpx.Client(timeout=5) as http:
        yield handle(app, f"{root}/sandbox/{handle.kind}", http, dict(app.config))


def sandbox_fixtures(handle: type[H], name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The fixtures ``_<name>_server`` (one per run) and ``<name>_sandbox`` (emptied per test)."""
    server_name = f"_{name}_server"

    @pytest.fixture(scope="session", name=server_name)
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[H]:
        """One server per run (starting one per test costs more than the tests)."""
        with running(handle, tmp_path_factory) as sandbox:
            yield sandbox

    @pytest.fixture(name=f"{name}_sandbox")
    def sandbox(request: pytest.FixtureRequest) -> Iterator[H]:
        """The sandbox, emptied and with its default config, for one test."""
        started: H = request.getfixturevalue(server_name)
        started.reset()
        yield started
        started.restore_config()

    return server, sandbox
