"""A real WB sandbox server on a loopback port, emptied before every test.

Its database is an SQLite file, or ``WAREHOUSE_TEST_SANDBOX_DATABASE_URL`` (e.g. PostgreSQL).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import update

from tests.sandbox_server import SANDBOX_CONFIG, serve_sandboxes
from warehouse.marketplaces.sandbox import common, wb
from warehouse.marketplaces.wildberries import WildberriesClient

TOKEN = "sandbox"


@dataclass
class WbSandbox:
    """The running sandbox plus shortcuts to its control endpoints."""

    app: Flask
    base_url: str
    http: httpx.Client  # no token: add headers per call

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self.http.request(method, f"{self.base_url}/_control/{path}", json=json)
        response.raise_for_status()
        return response

    def add_cart(self, *items: tuple[str, int]) -> list[str]:
        body = {"items": [{"article": article, "qty": qty} for article, qty in items]}
        return [str(order_id) for order_id in self.control("POST", "orders", body).json()["ids"]]

    def faults(self, *kinds: str, retry_after: float = 1) -> None:
        self.control("POST", "faults", {"queue": list(kinds), "retry_after": retry_after})

    def state(self) -> dict[str, Any]:
        return self.control("GET", "state").json()

    def order_state(self, order_id: str) -> dict[str, Any]:
        return next(o for o in self.state()["orders"] if str(o["id"]) == order_id)

    def backdate_generation(self, seconds: float) -> None:
        """Move the auto-generation clock back, as if ``seconds`` had passed."""
        with self.app.app_context(), common.begin() as conn:
            clock = common.clock
            conn.execute(
                update(clock).where(clock.c.name == "wb:orders").values(ts=time.time() - seconds)
            )


@pytest.fixture(scope="session")
def _wb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WbSandbox]:
    """One server per run (starting one per test costs more than the tests)."""
    database = tmp_path_factory.mktemp("wb-sandbox") / "sandbox" / "wb.db"
    url = os.environ.get("WAREHOUSE_TEST_SANDBOX_DATABASE_URL") or f"sqlite:///{database}"
    with serve_sandboxes(url, {"wb": wb.bp}) as (app, root), httpx.Client(timeout=5) as http:
        yield WbSandbox(app, f"{root}/sandbox/wb", http)


@pytest.fixture
def wb_sandbox(_wb_server: WbSandbox) -> Iterator[WbSandbox]:
    """The sandbox, emptied and with its default config, for one test."""
    _wb_server.app.config.update(SANDBOX_CONFIG)
    _wb_server.control("POST", "reset")
    yield _wb_server
    _wb_server.app.config.update(SANDBOX_CONFIG)


@pytest.fixture
def wb_client(wb_sandbox: WbSandbox) -> Iterator[WildberriesClient]:
    with WildberriesClient(wb_sandbox.base_url, TOKEN, timeout=2.0) as client:
        yield client
