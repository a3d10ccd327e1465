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


_moysklad_server, moysklad_sandbox = sandbox_fixtures(MoySkladSandbox, "moysklad")
