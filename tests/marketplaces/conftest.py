"""A real WB sandbox server on a loopback port, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sandbox_server import SandboxHandle, sandbox_fixtures
from warehouse.marketplaces.sandbox import wb
from warehouse.marketplaces.wildberries import WildberriesClient

TOKEN = "sandbox"


class WbSandbox(SandboxHandle):
    """The running sandbox plus shortcuts to its control endpoints."""

    kind = "wb"
    blueprint = wb.bp

    def add_cart(self, *items: tuple[str, int]) -> list[str]:
        body = {"items": [{"article": article, "qty": qty} for article, qty in items]}
        return [str(order_id) for order_id in self.control("POST", "orders", body).json()["ids"]]

    def order_state(self, order_id: str) -> dict[str, Any]:
        return next(o for o in self.state()["orders"] if str(o["id"]) == order_id)


_wb_server, wb_sandbox = sandbox_fixtures(WbSandbox, "wb")


@pytest.fixture
def wb_client(wb_sandbox: WbSandbox) -> Iterator[WildberriesClient]:
    with WildberriesClient(
        wb_sandbox.base_url,
        TOKEN,
        timeout=2.0,
        content_url=f"{wb_sandbox.base_url}/content-api",
        prices_url=f"{wb_sandbox.base_url}/prices-api",
    ) as client:
        yield client
