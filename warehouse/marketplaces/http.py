"""The HTTP plumbing every marketplace client shares.

``SellerApi`` holds one ``httpx.Client`` (with the process-wide verified TLS context) and
turns transport failures into ``base``'s errors; the module functions read ``Retry-After``
style headers, map the status codes every marketplace uses the same way, and read JSON
answers. Each client keeps only what is its own: how it authenticates, how its error
bodies look and the codes only it sends. Credentials go into headers or bodies, never
into messages, logs or ``repr``.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import certifi
import httpx

from warehouse.marketplaces.base import (
    AuthError,
    MarketplaceError,
    RejectedError,
    TransientError,
)

logger = logging.getLogger(__name__)

AUTH_STATUSES = frozenset({401, 403})
THROTTLED = frozenset({429})
TRANSIENT = frozenset({408})

T = TypeVar("T")
# (code, message) picked from an error answer's JSON object; None when it has neither.
ErrorFields = Callable[[dict[str, Any]], tuple[Any, Any] | None]
WaitReader = Callable[[httpx.Headers], float | None]


class SellerApi:
    """A synchronous client for one seller account; use it as a context manager.

    Subclasses name the marketplace in ``service`` (as messages say it) and send through
    ``_request``, which raises ``TransientError`` / ``MarketplaceError`` for transport
    failures and returns every HTTP answer, whatever its status.
    """

    service: ClassVar[str]

    def __init__(
        self, base_url: str, *, timeout: float, headers: Mapping[str, str] | None = None
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={**(headers or {}), "Accept": "application/json"},
            timeout=timeout,
            verify=tls_context(),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._http.base_url)!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, url: str, *, where: str = "", **kwargs: Any) -> httpx.Response:
        """Send one call; ``where`` names it in messages (default ``"METHOD url"``)."""
        where = where or f"{method} {url}"
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"{self.service} did not answer in time ({where})") from exc
        except httpx.UnsupportedProtocol as exc:
            raise MarketplaceError(f"the {self.service} address is not an http(s) URL") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise TransientError(
                f"connection to {self.service} failed ({where}): {type(exc).__name__}"
            ) from exc


# --- status codes ------------------------------------------------------------------------


def raise_for_status(
    response: httpx.Response,
    service: str,
    where: str,
    *,
    auth_message: Callable[[int, str | None, str], str],
    fields: ErrorFields,
    throttled: Collection[int] = THROTTLED,
    transient: Collection[int] = TRANSIENT,
    wait: WaitReader | None = None,
    later: Sequence[str] = (),
) -> None:
    """The common mapping of a non-2xx answer onto ``base``'s errors.

    Throttling, 5xx and ``transient`` codes → TransientError; 401/403 → AuthError with
    ``auth_message(status, code, message)``; a refusal whose message holds one of the
    ``later`` fragments → TransientError; other 4xx → RejectedError; anything else →
    MarketplaceError. ``fields`` picks (code, message) out of the error body.
    """
    status = response.status_code
    if status < 300:
        return
    raise_for_transient(
        response, service, where, throttled=throttled, transient=transient, wait=wait
    )
    code, message = read_error(response, fields)
    if status in AUTH_STATUSES:
        raise AuthError(auth_message(status, code, message))
    if any(hint in message.lower() for hint in later):
        raise TransientError(f"{service} asks to retry {where} ({status}): {message}")
    if 400 <= status < 500:
        raise RejectedError(f"{service} refused {where} ({status} {code}): {message}", code=code)
    raise MarketplaceError(f"unexpected answer from {service} ({status}) on {where}")


def raise_for_transient(
    response: httpx.Response,
    service: str,
    where: str,
    *,
    throttled: Collection[int] = THROTTLED,
    transient: Collection[int] = TRANSIENT,
    wait: WaitReader | None = None,
) -> None:
    """TransientError for throttling (with the wait asked for), 5xx and ``transient`` codes."""
    status = response.status_code
    if status in throttled:
        seconds = (wait or retry_after)(response.headers)
        logger.warning("%s rate limited %s retry_after=%s", service, where, seconds)
        raise TransientError(f"{service} rate limit ({status}) on {where}", retry_after=seconds)
    if status >= 500 or status in transient:
        raise TransientError(f"{service} server error ({status}) on {where}")


def retry_after(headers: httpx.Headers, *names: str) -> float | None:
    """Seconds to wait from the first readable of ``names`` (default ``Retry-After``).

    Each header may hold seconds or an HTTP date (a date without a zone counts as UTC).
    """
    for name in names or ("Retry-After",):
        raw = headers.get(name)
        if raw is None:
            continue
        seconds = _seconds(raw)
        if seconds is not None:
            return seconds
    return None


def _seconds(raw: str) -> float | None:
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


# --- answers -------------------------------------------------------------------------------


def read_error(response: httpx.Response, fields: ErrorFields) -> tuple[str | None, str]:
    """(code, message) of an error answer; the start of its text when it is not JSON."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    return error_of(body, fields)


def error_of(body: Any, fields: ErrorFields) -> tuple[str | None, str]:
    """(code, message) that ``fields`` finds in a JSON object; else the start of ``body``."""
    found = fields(body) if isinstance(body, dict) else None
    if found is None:
        return None, str(body)[:200]
    code, message = found
    return (str(code) if code is not None else None), str(message)[:300]


def listed_errors(key: str) -> ErrorFields:
    """``fields`` for bodies that list ``{code, message}`` under ``key`` (YM's ``errors``):
    the first code, and every message."""

    def fields(body: dict[str, Any]) -> tuple[Any, str] | None:
        errors = body.get(key)
        if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
            return None
        messages = (str(error.get("message", "")) for error in errors if isinstance(error, dict))
        return errors[0].get("code"), "; ".join(messages)

    return fields


def json_body(response: httpx.Response, service: str, where: str) -> Any:
    """The answer's JSON; TransientError when it is not JSON."""
    try:
        return response.json()
    except ValueError as exc:
        raise TransientError(f"unreadable answer from {service} ({where})") from exc


def json_object(response: httpx.Response, service: str, where: str) -> dict[str, Any]:
    """The answer's JSON object; TransientError when it is not one."""
    body = json_body(response, service, where)
    if not isinstance(body, dict):
        raise TransientError(f"unexpected answer from {service} ({where})")
    return body


@dataclass(frozen=True)
class Answer:
    """A successful response whose JSON is read (and checked) only when asked for."""

    response: httpx.Response
    service: str
    where: str

    def json(self) -> Any:
        return json_body(self.response, self.service, self.where)

    def object(self) -> dict[str, Any]:
        return json_object(self.response, self.service, self.where)

    @property
    def content(self) -> bytes:
        return self.response.content


# --- small shared pieces -----------------------------------------------------------------

# what reading a marketplace's item can raise when a field is missing or of another type
UNREADABLE = (KeyError, IndexError, TypeError, ValueError, AttributeError, MarketplaceError)
IDENTITY_KEYS = ("id", "posting_number", "shipmentId", "orderId", "rid")


def readable(items: Any, read: Callable[[Any], T], service: str, what: str) -> list[T]:
    """``read`` of each item of a list answer; an item it cannot read (a field missing, of
    another type, an unexpected shape) is logged with what identifies it and skipped, so
    one odd order never stops an import (the next import tries it again)."""
    found: list[T] = []
    for item in items or ():
        try:
            found.append(read(item))
        except UNREADABLE as exc:
            named = (
                next((item[key] for key in IDENTITY_KEYS if key in item), "?")
                if isinstance(item, dict)
                else type(item).__name__
            )
            logger.warning(
                "%s %s %s skipped, not readable: %s: %s",
                service,
                what,
                named,
                type(exc).__name__,
                str(exc)[:200],
            )
    return found


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verified TLS context per process; loading the CA bundle per client is slow."""
    return ssl.create_default_context(cafile=certifi.where())


def iso_time(value: Any, tz: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 ``value`` as an aware datetime (a naive one is in ``tz``); None if unreadable."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def whole_number(value: str | int, what: str, code: str) -> int:
    """``value`` as an int for a request; else RejectedError(``code``) saying it is not ``what``."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RejectedError(f"{value!r} is not {what}", code=code) from None


def batches(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    return [items[start : start + size] for start in range(0, len(items), size)]
