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

from printers.status import ETX, HostStatus, parse_host_status

logger = logging.getLogger(__name__)

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


def query_status(
    host: str,
    port: int = 9100,
    *,
    connect_timeout: float = 4.0,
    reply_timeout: float = 3.0,
) -> HostStatus:
    """Ask ``~HS`` on a connection of its own and parse the reply."""
    with _printer_lock(host, port):
        return _query_status(host, port, connect_timeout, reply_timeout)


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
    """Send one job; returns the status seen before sending (None if not checked)."""
    if not data:
        raise ValueError("nothing to send")
    with _printer_lock(host, port):
        status = None
        if check_status:
            status = _query_status(host, port, connect_timeout, reply_timeout)
            if not status.ready:
                problems = ", ".join(code.replace("_", " ") for code in status.problems)
                raise PrinterNotReady(f"printer {host}:{port} is not ready: {problems}", status)
        _send(host, port, data, connect_timeout, send_timeout)
        logger.info("sent %d bytes to printer %s:%s", len(data), host, port)
        return status


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


def _query_status(host: str, port: int, connect_timeout: float, reply_timeout: float) -> HostStatus:
    with closing(_connect(host, port, connect_timeout)) as sock:
        try:
            raw = _ask(sock, b"~HS", 3, reply_timeout)
        except OSError as exc:
            raise PrinterNotReady(
                f"printer {host}:{port} dropped the connection during ~HS: {_reason(exc)}"
            ) from exc
    if raw.count(ETX) < 3:
        logger.warning("no complete ~HS reply from %s:%s: %r", host, port, raw)
        raise PrinterNotReady(
            f"printer {host}:{port} did not answer ~HS within {reply_timeout:g} s "
            "(printers stay silent when out of media, out of ribbon or with the head open)"
        )
    try:
        status = parse_host_status(raw)
    except ValueError as exc:
        raise PrinterNotReady(f"printer {host}:{port} sent an unreadable ~HS reply: {exc}") from exc
    logger.debug("printer %s:%s status %s", host, port, status)
    return status


def _ask(sock: socket.socket, command: bytes, blocks: int, timeout: float) -> bytes:
    """Send a query; read until ``blocks`` ETX bytes, EOF or the deadline, whichever is first."""
    deadline = time.monotonic() + timeout
    sock.settimeout(timeout)
    sock.sendall(command)
    reply = bytearray()
    while reply.count(ETX) < blocks:
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


def _send(host: str, port: int, data: bytes, connect_timeout: float, send_timeout: float) -> None:
    """Connect, send everything, half-close; errors are classed by whether a byte went out."""
    sent = 0
    with closing(_connect(host, port, connect_timeout)) as sock:
        deadline = time.monotonic() + send_timeout
        view = memoryview(data)
        try:
            while sent < len(data):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"sending took longer than {send_timeout:g} s")
                sock.settimeout(remaining)
                sent += sock.send(view[sent:])
            sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            if sent == 0:
                raise PrinterUnreachable(
                    f"connection to printer {host}:{port} broke before anything was sent: "
                    f"{_reason(exc)}"
                ) from exc
            raise PrinterSendFailed(
                f"connection to printer {host}:{port} broke after {sent} of {len(data)} bytes; "
                f"the label may have printed, check before resending: {_reason(exc)}"
            ) from exc


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return str(exc) or "timed out"
    return exc.strerror or str(exc) or type(exc).__name__
