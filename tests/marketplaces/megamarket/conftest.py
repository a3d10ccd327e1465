"""A real Megamarket sandbox server on a loopback port, emptied before every test.

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
from warehouse.marketplaces.megamarket import MegamarketClient
from warehouse.marketplaces.sandbox import common, megamarket

TOKEN = "sandbox"


@dataclass
class MmSandbox:
    """The running sandbox plus shortcuts to its control endpoints."""

    app: Flask
    base_url: str
    http: httpx.Client

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self.http.request(method, f"{self.base_url}/_control/{path}", json=json)
        response.raise_for_status()
        return response

    def add_cart(self, *items: tuple[str, int], age: float = 0, marked: bool = False) -> str:
        lines = [{"article": a, "qty": q, "digitalMark": marked} for a, q in items]
        body = {"items": lines, "ageSeconds": age}
        [shipment_id] = self.control("POST", "orders", body).json()["ids"]
        return str(shipment_id)

    def faults(self, *kinds: str, retry_after: float = 1) -> None:
        self.control("POST", "faults", {"queue": list(kinds), "retry_after": retry_after})

    def state(self) -> dict[str, Any]:
        return self.control("GET", "state").json()

    def shipment(self, shipment_id: str) -> dict[str, Any]:
        return next(s for s in self.state()["orders"] if s["shipmentId"] == shipment_id)

    def statuses(self, shipment_id: str) -> list[str]:
        return [item["status"] for item in self.shipment(shipment_id)["items"]]

    def call(self, method: str, data: dict[str, Any], token: str = TOKEN) -> httpx.Response:
        """A raw MM call: ``method`` like ``orderService/order/get``."""
        prefix = "merchantIntegration" if method.startswith("offerService") else "market"
        url = f"{self.base_url}/api/{prefix}/v1/{method}"
        return self.http.post(url, json={"meta": {}, "data": {**data, "token": token}})

    def backdate_generation(self, seconds: float) -> None:
        with self.app.app_context(), common.begin() as conn:
            clock = common.clock
            conn.execute(
                update(clock)
                .where(clock.c.name == "megamarket:orders")
                .values(ts=time.time() - seconds)
            )


@pytest.fixture(scope="session")
def _mm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MmSandbox]:
    database = tmp_path_factory.mktemp("mm-sandbox") / "sandbox" / "mm.db"
    url = os.environ.get("WAREHOUSE_TEST_SANDBOX_DATABASE_URL") or f"sqlite:///{database}"
    with (
        serve_sandboxes(url, {"megamarket": megamarket.bp}) as (app, root),
        httpx.Client(timeout=5) as http,
    ):
        yield MmSandbox(app, f"{root}/sandbox/megamarket", http)


@pytest.fixture
def mm_sandbox(_mm_server: MmSandbox) -> Iterator[MmSandbox]:
    """The sandbox, emptied and with its default config, for one test."""
    _mm_server.app.config.update(SANDBOX_CONFIG)
    _mm_server.control("POST", "reset")
    yield _mm_server
    _mm_server.app.config.update(SANDBOX_CONFIG)


@pytest.fixture
def mm_client(mm_sandbox: MmSandbox) -> Iterator[MegamarketClient]:
    with MegamarketClient(mm_sandbox.base_url, TOKEN, timeout=2.0) as client:
        yield client
