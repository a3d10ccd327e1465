"""Raw TCP (port 9100) to a Zebra printer: a status query, then one job per connection.

Port 9100 never acknowledges a label. So the only safe automatic retry is when the connection
was never made: once bytes may have reached the printer, a resend can print the label twice.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from contextlib import closing
from dataclasses import dataclass

from printers.errors_status import ErrorStatus, parse_error_status
from printers.status import ETX, HostStatus, parse_host_status

logger = logging.getLogger(__name__)

ODOMETER = b'! U1 getvar "odometer.total_label_count"\r\n'
QUOTE = ord('"')

_locks: dict[tuple[str, int], threading.Lock] = {}
_locks_guard = threading.Lock()


class PrinterError(Exception):
    """Base of printer failures; ``str(exc)`` is meant for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PrinterUnreachable(PrinterError):
    """No connection (refused, timed out, no route): nothing was sent, safe to retry."""


class PrinterNotReady(PrinterError):
    """The printer reported a fault or did not answer ``~HS``: nothing was sent."""

    def __init__(self, message: str, status: HostStatus | None = None) -> None:
        super().__init__(message)
        self.status = status


class PrinterSendFailed(PrinterError):
    """The connection broke while sending: the label may have printed, do not auto-retry."""


@dataclass(frozen=True)
class Probe:
    """What one status connection learnt: ``~HS`` and, if asked, the odometer."""

    status: HostStatus
    odometer: int | None = None


def query_status(
    host: str,
    port: int = 9100,
    *,
    connect_timeout: float = 4.0,
    reply_timeout: float = 3.0,
) -> HostStatus:
    """Ask ``~HS`` on a connection of its own and parse the reply."""
    return probe(host, port, connect_timeout=connect_timeout, reply_timeout=reply_timeout).status


def probe(
    host: str,
    port: int = 9100,
    *,
    odometer: bool = False,
    connect_timeout: float = 4.0,
    reply_timeout: float = 3.0,
) -> Probe:
    """``~HS`` (``~HQES`` if it stays silent), then the odometer when asked, on one connection.

    Raises ``PrinterUnreachable`` (no connection) or ``PrinterNotReady`` (no usable answer;
    ``status`` then holds the faults ``~HQES`` reported, if it did).
    """
    with _printer_lock(host, port), closing(_connect(host, port, connect_timeout)) as sock:
        status = _query_status(sock, f"{host}:{port}", reply_timeout)
        count = _read_odometer(sock, reply_timeout) if odometer else None
    return Probe(status, count)


def send_zpl(
    host: str,
    port: int,
    data: bytes,
    *,
    check_status: bool = True,
    connect_timeout: float = 4.0,
    reply_timeout: float = 3.0,
    send_timeout: float = 20.0,
) -> HostStatus | None:
    """Send one job; returns the status seen before sending (None if not checked).

    A printer that is not ready (``status.ready`` false) gets nothing: ``PrinterNotReady``.
    """
    if not data:
        raise ValueError("nothing to send")
    with _printer_lock(host, port):
        status = None
        if check_status:
            with closing(_connect(host, port, connect_timeout)) as sock:
                status = _query_status(sock, f"{host}:{port}", reply_timeout)
            if not status.ready:
                raise PrinterNotReady(
                    f"printer {host}:{port} is not ready: {describe(status.problems)}", status
                )
        _send(host, port, data, connect_timeout, send_timeout, min(reply_timeout, 1.0))
        logger.info("sent %d bytes to printer %s:%s", len(data), host, port)
        return status


def describe(problems: list[str]) -> str:
    return ", ".join(code.replace("_", " ") for code in problems)


def _printer_lock(host: str, port: int) -> threading.Lock:
    """One lock per printer, so this process never interleaves two jobs to it."""
    key = (host.lower(), port)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        reason = _reason(exc)
        raise PrinterUnreachable(f"cannot connect to printer {host}:{port}: {reason}") from exc


def _query_status(sock: socket.socket, name: str, reply_timeout: float) -> HostStatus:
    raw = _ask_or_fail(sock, b"~HS", 3, reply_timeout, name)
    if raw.count(ETX) < 3:
        logger.warning("no complete ~HS reply from %s: %r", name, raw)
        raise _silent(sock, name, reply_timeout)
    try:
        status = parse_host_status(raw)
    except ValueError as exc:
        raise PrinterNotReady(f"printer {name} sent an unreadable ~HS reply: {exc}") from exc
    logger.debug("printer %s status %s", name, status)
    return status


def _silent(sock: socket.socket, name: str, reply_timeout: float) -> PrinterNotReady:
    """~HS unanswered (printers stay silent when out of media or with the head open): ~HQES."""
    try:
        raw = _ask(sock, b"~HQES", 1, reply_timeout)
        errors = parse_error_status(raw)
    except (OSError, ValueError) as exc:
        logger.info("no ~HQES answer from %s either: %s", name, exc)
        errors = ErrorStatus()
    if errors.problems:
        return PrinterNotReady(
            f"printer {name} is not ready: {describe(errors.problems)} (~HQES)",
            errors.host_status(),
        )
    return PrinterNotReady(
        f"printer {name} did not answer ~HS within {reply_timeout:g} s "
        "(printers stay silent when out of media, out of ribbon or with the head open)"
    )


def _read_odometer(sock: socket.socket, reply_timeout: float) -> int | None:
    """SGD ``odometer.total_label_count``: labels printed ever; None if not answered."""
    try:
        raw = _ask(sock, ODOMETER, 2, reply_timeout, terminator=QUOTE)
    except OSError:
        return None
    value = raw.strip().strip(b'"')
    return int(value) if value.isdigit() else None


def _ask_or_fail(
    sock: socket.socket, command: bytes, blocks: int, timeout: float, name: str
) -> bytes:
    try:
        return _ask(sock, command, blocks, timeout)
    except OSError as exc:
        raise PrinterNotReady(
            f"printer {name} dropped the connection during {command.decode()}: {_reason(exc)}"
        ) from exc


def _ask(
    sock: socket.socket, command: bytes, blocks: int, timeout: float, terminator: int = ETX
) -> bytes:
    """Send a query; read until ``blocks`` terminators, EOF or the deadline, whichever first."""
    deadline = time.monotonic() + timeout
    sock.settimeout(timeout)
    sock.sendall(command)
    reply = bytearray()
    while reply.count(terminator) < blocks:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            break
        if not chunk:
            break
        reply += chunk
    return bytes(reply)


def _send(
    host: str,
    port: int,
    data: bytes,
    connect_timeout: float,
    send_timeout: float,
    close_timeout: float,
) -> None:
    """Connect, send everything, half-close, wait briefly for the printer's close.

    Errors are classed by whether a byte went out. A reset instead of a close means the
    printer dropped the connection while it still had our bytes.
    """
    sent = [0]
    with closing(_connect(host, port, connect_timeout)) as sock:
        try:
            _send_all(sock, data, send_timeout, sent)
            sock.shutdown(socket.SHUT_WR)
            _wait_for_close(sock, close_timeout)
        except OSError as exc:
            if sent[0] == 0:
                raise PrinterUnreachable(
                    f"connection to printer {host}:{port} broke before anything was sent: "
                    f"{_reason(exc)}"
                ) from exc
            raise PrinterSendFailed(
                f"connection to printer {host}:{port} broke after {sent[0]} of {len(data)} bytes; "
                f"the label may have printed, check before resending: {_reason(exc)}"
            ) from exc


def _send_all(sock: socket.socket, data: bytes, timeout: float, sent: list[int]) -> None:
    """``sendall`` with an overall deadline, counting in ``sent[0]`` what went out."""
    deadline = time.monotonic() + timeout
    view = memoryview(data)
    while sent[0] < len(data):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"sending took longer than {timeout:g} s")
        sock.settimeout(remaining)
        sent[0] += sock.send(view[sent[0] :])


def _wait_for_close(sock: socket.socket, timeout: float) -> None:
    """Read until the printer closes; a printer that keeps the connection open is fine."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        sock.settimeout(remaining)
        try:
            if not sock.recv(4096):
                return
        except TimeoutError:
            return


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return str(exc) or "timed out"
    return exc.strerror or str(exc) or type(exc).__name__
