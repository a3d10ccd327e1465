"""A real МойСклад sandbox server on a loopback port, emptied before every test."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox_server import SandboxHandle, sandbox_fixtures
from warehouse.accounting import sandbox

TOKEN = "sandbox"
API = "/api/remap/1.2"


class MoySkladSandbox(SandboxHandle):
    kind = "moysklad"
    blueprint = sandbox.bp

    @property
    def api_url(self) -> str:
        return f"{self.base_url}{API}"

    def generate(self, count: int) -> None:
        self.control("POST", "generate", {"count": count})

    def add_rows(self, *rows: dict[str, Any]) -> None:
        self.control("POST", "products", {"rows": list(rows)})

    def get(self, path: str, token: str = TOKEN, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
        return self.http.get(f"{self.api_url}{path}", params=params, headers=headers)

    def post(self, path: str, body: Any, token: str = TOKEN) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
        return self.http.post(f"{self.api_url}{path}", json=body, headers=headers)

    def ids(self, entity: str) -> dict[str, str]:
        """A directory (organization, store, counterparty) as name → id."""
        rows = self.get(f"/entity/{entity}").json()["rows"]
        return {row["name"]: row["id"] for row in rows}

    def meta(self, entity: str, entity_id: str) -> dict[str, Any]:
        """A reference by meta, as the reference's examples write one."""
        return {
            "meta": {
                "href": f"{self.api_url}/entity/{entity}/{entity_id}",
                "type": entity,
                "mediaType": "application/json",
            }
        }

    def documents(self, kind: str) -> list[dict[str, Any]]:
        return self.state()["documents"][kind]

    def purchase_order(self, agent: str, *lines: tuple[str, float, float], **extra: Any) -> str:
        """A purchase order from ``agent`` (a counterparty's name) of (item id, quantity,
        price in kopecks) lines, made through the control endpoint; its id."""
        positions = [{"product": p, "quantity": q, "price": price} for p, q, price in lines]
        row = {"agent": agent, "positions": positions, **extra}
        return self.control("POST", "purchaseorders", {"rows": [row]}).json()["ids"][0]

    def set_stock(self, *rows: dict[str, Any]) -> None:
        self.control("POST", "stock", {"rows": list(rows)})


_moysklad_server, moysklad_sandbox = sandbox_fixtures(MoySkladSandbox, "moysklad")
