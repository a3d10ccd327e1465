"""A real Ozon sandbox server on a loopback port, emptied before every test.

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
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.sandbox import common, ozon

CLIENT_ID = API_KEY = "sandbox"
WAREHOUSE_ID = "1"


@dataclass
class OzonSandbox:
    """The running sandbox plus shortcuts to its control endpoints."""

    app: Flask
    base_url: str
    http: httpx.Client  # no credentials: add headers per call

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self.http.request(method, f"{self.base_url}/_control/{path}", json=json)
        response.raise_for_status()
        return response

    def add_cart(self, *items: tuple[str, int], marked: bool = False) -> str:
        """One posting with the given (article, qty) lines; returns its number."""
        lines = [{"article": a, "qty": q, "marked": marked} for a, q in items]
        [number] = self.control("POST", "orders", {"items": lines}).json()["ids"]
        return str(number)

    def faults(self, *kinds: str, retry_after: float = 1) -> None:
        self.control("POST", "faults", {"queue": list(kinds), "retry_after": retry_after})

    def state(self) -> dict[str, Any]:
        return self.control("GET", "state").json()

    def posting(self, number: str) -> dict[str, Any]:
        return next(p for p in self.state()["orders"] if p["posting_number"] == number)

    def call(self, path: str, body: Any, *, key: str = API_KEY) -> httpx.Response:
        """A raw Ozon call with the sandbox's credentials (or another key)."""
        headers = {"Client-Id": CLIENT_ID, "Api-Key": key}
        return self.http.post(f"{self.base_url}{path}", json=body, headers=headers)

    def backdate_generation(self, seconds: float) -> None:
        with self.app.app_context(), common.begin() as conn:
            clock = common.clock
            conn.execute(
                update(clock).where(clock.c.name == "ozon:orders").values(ts=time.time() - seconds)
            )


@pytest.fixture(scope="session")
def _ozon_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OzonSandbox]:
    """One server per run (starting one per test costs more than the tests)."""
    database = tmp_path_factory.mktemp("ozon-sandbox") / "sandbox" / "ozon.db"
    url = os.environ.get("WAREHOUSE_TEST_SANDBOX_DATABASE_URL") or f"sqlite:///{database}"
    with (
        serve_sandboxes(url, {"ozon": ozon.bp}) as (app, root),
        httpx.Client(timeout=5) as http,
    ):
        yield OzonSandbox(app, f"{root}/sandbox/ozon", http)


@pytest.fixture
def ozon_sandbox(_ozon_server: OzonSandbox) -> Iterator[OzonSandbox]:
    """The sandbox, emptied and with its default config, for one test."""
    _ozon_server.app.config.update(SANDBOX_CONFIG)
    _ozon_server.control("POST", "reset")
    yield _ozon_server
    for key in [k for k in _ozon_server.app.config if k.startswith("SANDBOX_OZON_")]:
        del _ozon_server.app.config[key]
    _ozon_server.app.config.update(SANDBOX_CONFIG)


@pytest.fixture
def ozon_client(ozon_sandbox: OzonSandbox) -> Iterator[OzonClient]:
    with OzonClient(ozon_sandbox.base_url, CLIENT_ID, API_KEY, timeout=2.0) as client:
        yield client
