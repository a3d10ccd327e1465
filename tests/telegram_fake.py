"""A fake Telegram Bot API on a loopback port: it records what is sent and answers the way
the Bot API reference (core.telegram.org/bots/api) describes.

Every answer is JSON with ``ok``: a sent message is ``{"ok": true, "result": Message}``; a
refusal ``{"ok": false, "error_code", "description"}``, for flood control with
``"parameters": {"retry_after": N}``. A token it does not know gets 401 Unauthorized, a
chat it does not know 400 «chat not found». ``fail`` queues the next answers (429 with
``retry_after``, 500, 401, …) whatever the request; ``delay`` makes it slow (timeouts).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmn"
CHAT = "-1001234567890"

DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was kicked from the supergroup chat",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Message:
    chat_id: str
    text: str
    at: float


@dataclass
class FakeTelegram:
    tokens: set[str] = field(default_factory=lambda: {TOKEN})
    chats: set[str] = field(default_factory=lambda: {CHAT})
    messages: list[Message] = field(default_factory=list)
    calls: list[float] = field(default_factory=list)  # monotonic time of every request
    delay: float = 0.0
    url: str = ""
    _answers: deque[tuple[int, dict[str, Any]]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        migrate_to: str | None = None,
    ) -> None:
        """The next ``times`` requests are answered ``status`` (the message is not kept)."""
        if status == 429:
            description = description or f"Too Many Requests: retry after {retry_after}"
        body: dict[str, Any] = {
            "ok": False,
            "error_code": status,
            "description": description or DESCRIPTIONS.get(status, "Error"),
        }
        parameters = {"retry_after": retry_after, "migrate_to_chat_id": migrate_to}
        if any(value is not None for value in parameters.values()):
            body["parameters"] = {k: v for k, v in parameters.items() if v is not None}
        with self._lock:
            self._answers.extend([(status, body)] * times)

    def texts(self) -> list[str]:
        return [message.text for message in self.messages]

    def app(self) -> Flask:
        app = Flask(__name__)

        @app.post("/bot<token>/<method>")
        def call(token: str, method: str):  # type: ignore[no-untyped-def]
            with self._lock:
                self.calls.append(time.monotonic())
                queued = self._answers.popleft() if self._answers else None
            if self.delay:
                time.sleep(self.delay)
            if queued is not None:
                return jsonify(queued[1]), queued[0]
            if token not in self.tokens:
                return _refusal(401)
            if method != "sendMessage":
                return _refusal(404)
            return self._send(request.get_json(silent=True) or request.form.to_dict())

        return app

    def _send(self, payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        chat_id, text = str(payload.get("chat_id", "")), str(payload.get("text", ""))
        if not chat_id:
            return _refusal(400, "Bad Request: chat_id is empty")
        if chat_id not in self.chats:
            return _refusal(400)
        if not text:
            return _refusal(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _refusal(400, "Bad Request: message is too long")
        with self._lock:
            self.messages.append(Message(chat_id, text, time.monotonic()))
            number = len(self.messages)
        chat = {"id": int(chat_id), "title": "Склад", "type": "supergroup"}
        bot = {"id": 123456789, "is_bot": True, "first_name": "Склад", "username": "sklad_bot"}
        message = {
            "message_id": number,
            "from": bot,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        return jsonify({"ok": True, "result": message})


def _refusal(status: int, description: str | None = None):  # type: ignore[no-untyped-def]
    body = {"ok": False, "error_code": status, "description": description or DESCRIPTIONS[status]}
    return jsonify(body), status


class QuietHandler(WSGIRequestHandler):
    """Telegram's own access log is not ours (and holds the token in every line): the
    fake keeps none, so that the tests' captured logs are the app's alone."""

    def log_request(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        pass


class FakeTelegramServer:
    """The fake served on 127.0.0.1 (a free port) in a thread."""

    def __init__(self) -> None:
        self.fake = FakeTelegram()
        self.server = make_server(
            "127.0.0.1", 0, self.fake.app(), threaded=True, request_handler=QuietHandler
        )
        self.fake.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> FakeTelegram:
        self.thread.start()
        return self.fake

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
