"""A real Yandex Market sandbox server on a loopback port, emptied before every test.

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
from warehouse.marketplaces.sandbox import common, yandex
from warehouse.marketplaces.yandex import YandexClient

API_KEY = "sandbox"
BUSINESS_ID = 1
CAMPAIGN_ID = 1


@dataclass
class YmSandbox:
    """The running sandbox plus shortcuts to its control endpoints."""

    app: Flask
    base_url: str
    http: httpx.Client  # no key: add headers per call

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self.http.request(method, f"{self.base_url}/_control/{path}", json=json)
        response.raise_for_status()
        return response

    def add_order(self, *items: tuple[str, int]) -> str:
        body = {"items": [{"article": article, "qty": qty} for article, qty in items]}
        [order_id] = self.control("POST", "orders", body).json()["ids"]
        return str(order_id)

    def faults(self, *kinds: str, retry_after: float = 1) -> None:
        self.control("POST", "faults", {"queue": list(kinds), "retry_after": retry_after})

    def state(self) -> dict[str, Any]:
        return self.control("GET", "state").json()

    def order_state(self, order_id: str) -> dict[str, Any]:
        return next(o for o in self.state()["orders"] if str(o["orderId"]) == order_id)

    def call(self, method: str, path: str, key: str = API_KEY, **kwargs: Any) -> httpx.Response:
        """A raw API call with the given key."""
        headers = {"Api-Key": key}
        return self.http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)

    def backdate_generation(self, seconds: float) -> None:
        """Move the auto-generation clock back, as if ``seconds`` had passed."""
        with self.app.app_context(), common.begin() as conn:
            clock = common.clock
            conn.execute(
                update(clock)
                .where(clock.c.name == "yandex:orders")
                .values(ts=time.time() - seconds)
            )


@pytest.fixture(scope="session")
def _ym_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[YmSandbox]:
    """One server per run (starting one per test costs more than the tests)."""
    database = tmp_path_factory.mktemp("ym-sandbox") / "sandbox" / "ym.db"
    url = os.environ.get("WAREHOUSE_TEST_SANDBOX_DATABASE_URL") or f"sqlite:///{database}"
    with (
        serve_sandboxes(url, {"yandex": yandex.bp}) as (app, root),
        httpx.Client(timeout=5) as http,
    ):
        yield YmSandbox(app, f"{root}/sandbox/yandex", http)


@pytest.fixture
def ym_sandbox(_ym_server: YmSandbox) -> Iterator[YmSandbox]:
    """The sandbox, emptied and with its default config, for one test."""
    _ym_server.app.config.update(SANDBOX_CONFIG)
    _ym_server.control("POST", "reset")
    yield _ym_server
    _ym_server.app.config.update(SANDBOX_CONFIG)


@pytest.fixture
def ym_client(ym_sandbox: YmSandbox) -> Iterator[YandexClient]:
    with YandexClient(
        ym_sandbox.base_url, API_KEY, BUSINESS_ID, CAMPAIGN_ID, timeout=2.0
    ) as client:
        yield client
