"""Telegram's Bot API, the one method alerts need: ``sendMessage``.

``POST {base}/bot<token>/sendMessage`` with ``{"chat_id", "text"}`` (text 1–4096
characters). Every answer is JSON: ``{"ok": true, "result": Message}``, or ``{"ok":
false, "error_code", "description"}`` with, for some errors, ``"parameters"``:
``retry_after`` (flood control: seconds to wait) or ``migrate_to_chat_id`` (the group
became a supergroup). The token is part of the URL's path, so it never goes into an
exception, a log line or a ``repr`` (httpx's own logger stays at WARNING).
"""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any, Self

import httpx

from warehouse.marketplaces.http import retry_after, tls_context

MAX_TEXT = 4096
_NUMERIC = re.compile(r"-?\d{1,20}")


class TelegramError(Exception):
    """A message did not reach the chat; the text is Telegram's description (or ours)."""


class Unavailable(TelegramError):
    """Worth trying again: 429 (``retry_after``: the seconds Telegram asked for), 5xx,
    timeouts, dropped connections, an answer that cannot be read."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BadToken(TelegramError):
    """401, or 404 (Telegram's answer to a token it cannot read): nothing can be sent
    until a person types the right token."""


class BadChat(TelegramError):
    """No such chat, or the bot may not write there (400 chat not found, 403 blocked,
    kicked, not a member): nothing can be sent until the chat is fixed."""


class ChatMigrated(TelegramError):
    """The group became a supergroup: the message goes to ``chat_id`` instead."""

    def __init__(self, message: str, chat_id: str) -> None:
        super().__init__(message)
        self.chat_id = chat_id


class Refused(TelegramError):
    """Telegram refused this one message (another 400); the next may go."""


class TelegramClient:
    """One bot's sender; use it as a context manager."""

    def __init__(self, base_url: str, token: str, *, timeout: float) -> None:
        self._token = token
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            verify=tls_context(),
            headers={"Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"TelegramClient({str(self._http.base_url)!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.close()

    def send_message(self, chat_id: str, text: str) -> int:
        """Send ``text`` (cut to 4096 characters) to the chat; Telegram's message id."""
        payload = {"chat_id": chat_value(chat_id), "text": text[:MAX_TEXT]}
        try:
            response = self._http.post(f"/bot{self._token}/sendMessage", json=payload)
        except httpx.TimeoutException as exc:
            raise Unavailable("Telegram did not answer in time") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise Unavailable(f"connection to Telegram failed: {type(exc).__name__}") from exc
        return message_id(response)


def chat_value(chat_id: str) -> int | str:
    """A numeric chat id as a number (the reference's «Integer or String»), a
    ``@channelusername`` as it is."""
    text = chat_id.strip()
    return int(text) if _NUMERIC.fullmatch(text) else text


def message_id(response: httpx.Response) -> int:
    """The sent message's id, or the error the answer means."""
    body = _json(response)
    if response.status_code < 300 and body.get("ok") is True:
        result = body.get("result")
        if isinstance(result, dict) and isinstance(result.get("message_id"), int):
            return int(result["message_id"])
        raise Unavailable("unexpected answer from Telegram (no message_id)")
    raise error_of(response, body)


def error_of(response: httpx.Response, body: dict[str, Any]) -> TelegramError:
    status = int(body.get("error_code") or response.status_code)
    description = str(body.get("description") or f"HTTP {response.status_code}")[:300]
    raw = body.get("parameters")
    parameters: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if status == 429:
        wait = _seconds(parameters.get("retry_after")) or retry_after(response.headers)
        return Unavailable(f"Telegram: {description}", retry_after=wait)
    if status >= 500 or response.status_code >= 500:
        return Unavailable(f"Telegram: {description}")
    if status in (401, 404):
        return BadToken(f"Telegram: {description}")
    if parameters.get("migrate_to_chat_id"):
        return ChatMigrated(f"Telegram: {description}", str(parameters["migrate_to_chat_id"]))
    if status == 403 or (status == 400 and "chat" in description.lower()):
        return BadChat(f"Telegram: {description}")
    if 400 <= status < 500:
        return Refused(f"Telegram: {description}")
    return Unavailable(f"unexpected answer from Telegram ({response.status_code})")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _seconds(value: Any) -> float | None:
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None
