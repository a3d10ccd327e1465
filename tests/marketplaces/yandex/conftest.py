"""A real Yandex Market sandbox server on a loopback port, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.sandbox_server import SandboxHandle, sandbox_fixtures
from warehouse.marketplaces.sandbox import yandex
from warehouse.marketplaces.yandex import YandexClient

API_KEY = "sandbox"
BUSINESS_ID = 1
CAMPAIGN_ID = 1


class YmSandbox(SandboxHandle):
    """The running sandbox plus shortcuts to its control endpoints."""

    kind = "yandex"
    blueprint = yandex.bp

    def add_order(self, *items: tuple[str, int]) -> str:
        body = {"items": [{"article": article, "qty": qty} for article, qty in items]}
        [order_id] = self.control("POST", "orders", body).json()["ids"]
        return str(order_id)

    def order_state(self, order_id: str) -> dict[str, Any]:
        return next(o for o in self.state()["orders"] if str(o["orderId"]) == order_id)

    def call(self, method: str, path: str, key: str = API_KEY, **kwargs: Any) -> httpx.Response:
        """A raw API call with the given key."""
        headers = {"Api-Key": key}
        return self.http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)


_ym_server, ym_sandbox = sandbox_fixtures(YmSandbox, "ym")


@pytest.fixture
def ym_client(ym_sandbox: YmSandbox) -> Iterator[YandexClient]:
    with YandexClient(
        ym_sandbox.base_url, API_KEY, BUSINESS_ID, CAMPAIGN_ID, timeout=2.0
    ) as client:
        yield client
