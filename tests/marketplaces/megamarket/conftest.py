"""A real Megamarket sandbox server on a loopback port, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.sandbox_server import SandboxHandle, sandbox_fixtures
from warehouse.marketplaces.megamarket import MegamarketClient
from warehouse.marketplaces.sandbox import megamarket

TOKEN = "sandbox"
MERCHANT = "5401"  # the sandbox's merchant id (box codes are built from it)


class MmSandbox(SandboxHandle):
    """The running sandbox plus shortcuts to its control endpoints."""

    kind = "megamarket"
    blueprint = megamarket.bp

    def add_cart(self, *items: tuple[str, int], age: float = 0, marked: bool = False) -> str:
        lines = [{"article": a, "qty": q, "digitalMark": marked} for a, q in items]
        body = {"items": lines, "ageSeconds": age}
        [shipment_id] = self.control("POST", "orders", body).json()["ids"]
        return str(shipment_id)

    def shipment(self, shipment_id: str) -> dict[str, Any]:
        return next(s for s in self.state()["orders"] if s["shipmentId"] == shipment_id)

    def statuses(self, shipment_id: str) -> list[str]:
        return [item["status"] for item in self.shipment(shipment_id)["items"]]

    def set_status(self, shipment_id: str, status: str, **extra: Any) -> None:
        self.control("POST", f"orders/{shipment_id}/status", {"status": status, **extra})

    def call(self, method: str, data: dict[str, Any], token: str = TOKEN) -> httpx.Response:
        """A raw MM call: ``method`` like ``orderService/order/get``."""
        prefix = "merchantIntegration" if method.startswith("offerService") else "market"
        url = f"{self.base_url}/api/{prefix}/v1/{method}"
        return self.http.post(url, json={"meta": {}, "data": {**data, "token": token}})


_mm_server, mm_sandbox = sandbox_fixtures(MmSandbox, "mm")


@pytest.fixture
def mm_client(mm_sandbox: MmSandbox) -> Iterator[MegamarketClient]:
    with MegamarketClient(mm_sandbox.base_url, TOKEN, timeout=2.0, merchant_id=MERCHANT) as client:
        yield client
