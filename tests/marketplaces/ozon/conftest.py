"""A real Ozon sandbox server on a loopback port, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.marketplaces.ozon.reference_server import ozon_reference  # noqa: F401 (fixture)
from tests.sandbox_server import SandboxHandle, sandbox_fixtures
from warehouse.marketplaces.ozon import OzonClient
from warehouse.marketplaces.sandbox import ozon

CLIENT_ID = API_KEY = "sandbox"
WAREHOUSE_ID = "1"


class OzonSandbox(SandboxHandle):
    """The running sandbox plus shortcuts to its control endpoints."""

    kind = "ozon"
    blueprint = ozon.bp

    def add_cart(self, *items: tuple[str, int], marked: bool = False) -> str:
        """One posting with the given (article, qty) lines; returns its number."""
        lines = [{"article": a, "qty": q, "marked": marked} for a, q in items]
        [number] = self.control("POST", "orders", {"items": lines}).json()["ids"]
        return str(number)

    def posting(self, number: str) -> dict[str, Any]:
        return next(p for p in self.state()["orders"] if p["posting_number"] == number)

    def call(self, path: str, body: Any, *, key: str = API_KEY) -> httpx.Response:
        """A raw Ozon call with the sandbox's credentials (or another key)."""
        headers = {"Client-Id": CLIENT_ID, "Api-Key": key}
        return self.http.post(f"{self.base_url}{path}", json=body, headers=headers)


_ozon_server, ozon_sandbox = sandbox_fixtures(OzonSandbox, "ozon")


@pytest.fixture
def ozon_client(ozon_sandbox: OzonSandbox) -> Iterator[OzonClient]:
    with OzonClient(ozon_sandbox.base_url, CLIENT_ID, API_KEY, timeout=2.0) as client:
        yield client
