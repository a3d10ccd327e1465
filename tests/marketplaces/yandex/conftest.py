"""A real Yandex Market sandbox server on a loopback port, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from flask import Blueprint, Response, jsonify, request

from tests.sandbox_server import SandboxHandle, sandbox_fixtures, serve_sandboxes
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


@dataclass
class Replay:
    """A loopback "Yandex Market" that answers queued reference-shaped payloads in order.

    It imitates the marketplace, not our code: the connector under test speaks real HTTP
    to it. Every request is kept (method, path, query, JSON body) for the test to read.
    """

    base_url: str
    answers: list[tuple[int, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, body: Any, status: int = 200) -> None:
        self.answers.append((status, body))


def _replay_blueprint(replay: list[Replay]) -> Blueprint:
    bp = Blueprint("ym_replay", __name__)

    @bp.route("/<path:path>", methods=["GET", "POST", "PUT"])
    def anything(path: str) -> Response:
        handle = replay[0]
        handle.requests.append(
            {
                "method": request.method,
                "path": f"/{path}",
                "args": request.args.to_dict(),
                "json": request.get_json(silent=True),
            }
        )
        status, body = handle.answers.pop(0) if handle.answers else (500, {"status": "ERROR"})
        if isinstance(body, bytes):
            return Response(body, status=status, mimetype="application/pdf")
        response = jsonify(body)
        response.status_code = status
        return response

    return bp


_replays: list[Replay] = []


@pytest.fixture(scope="session")
def _ym_replay_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('ym-replay') / 'unused.db'}"
    with serve_sandboxes(url, {"replay": _replay_blueprint(_replays)}) as (_app, root):
        yield f"{root}/sandbox/replay"


@pytest.fixture
def ym_replay(_ym_replay_server: str) -> Iterator[tuple[Replay, YandexClient]]:
    """A fresh replay server and a client pointed at it."""
    _replays[:] = [Replay(_ym_replay_server)]
    with YandexClient(_ym_replay_server, API_KEY, BUSINESS_ID, CAMPAIGN_ID, timeout=2.0) as client:
        yield _replays[0], client
