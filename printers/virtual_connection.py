"""One connection to the virtual Zebra: its input cut into formats, control commands and
SGD lines, each answered by the printer."""

from __future__ import annotations

import logging
import re
import socket
import socketserver
import struct
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from printers.virtual import VirtualZebra

logger = logging.getLogger("printers.virtual")
IDLE_TIMEOUT = 300.0  # internal_wired.ip.timeout.value default

_START = re.compile(
    rb"\^XA|~HQES|~H[SI]|~JA|! U1 [^\r\n]*\r?\n",
    re.IGNORECASE,
)
_END = re.compile(rb"\^XZ", re.IGNORECASE)
_PREFIXES = frozenset(b"^~!")
_KEEP = 300  # a command split across reads is never longer than this


class ZplStream:
    """Cuts a byte stream into formats and the control commands the printer answers."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._in_format = False
        self._scan_from = 0
        self._format_bytes = 0

    @property
    def pending(self) -> int:
        """Bytes of a format that has started but not ended."""
        return len(self._buffer) if self._in_format else 0

    @property
    def format_bytes(self) -> int:
        """Bytes of formats received so far, finished or not."""
        return self._format_bytes + self.pending

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        """Events completed by ``data``: ``("format", b"^XA…^XZ")``, ``("command", b"~HS")``
        or ``("sgd", b'! U1 getvar "name"')``."""
        self._buffer += data
        events: list[tuple[str, bytes]] = []
        while self._step(events):
            pass
        return events

    def _step(self, events: list[tuple[str, bytes]]) -> bool:
        if self._in_format:
            return self._end_format(events)
        match = _START.search(self._buffer)
        if match is None:
            self._keep_possible_start()
            return False
        token = match.group()
        del self._buffer[: match.start()]
        if token.upper() == b"^XA":
            self._in_format = True
            self._scan_from = len(token)
        elif token.startswith(b"!"):
            del self._buffer[: len(token)]
            events.append(("sgd", token.strip()))
        else:
            del self._buffer[: len(token)]
            events.append(("command", token.upper()))
        return True

    def _keep_possible_start(self) -> None:
        """Drop noise but keep a command that may continue in the next read."""
        tail = self._buffer[-_KEEP:]
        starts = [i for i, byte in enumerate(tail) if byte in _PREFIXES]
        keep = len(tail) - starts[-1] if starts else 0
        if starts and tail[starts[-1]] != ord("!"):
            keep = min(keep, 5)  # "~HQES" is the longest control command
        del self._buffer[: len(self._buffer) - keep]

    def _end_format(self, events: list[tuple[str, bytes]]) -> bool:
        match = _END.search(self._buffer, self._scan_from)
        if match is None:
            self._scan_from = max(3, len(self._buffer) - 2)
            return False
        events.append(("format", bytes(self._buffer[: match.end()])))
        self._format_bytes += match.end()
        del self._buffer[: match.end()]
        self._in_format = False
        return True


class Handler(socketserver.BaseRequestHandler):
    printer: VirtualZebra

    def setup(self) -> None:
        self.printer = self.server.printer  # type: ignore[attr-defined]

    def handle(self) -> None:
        printer = self.printer
        sock: socket.socket = self.request
        sock.settimeout(IDLE_TIMEOUT)
        stream = ZplStream()
        printer._opened(sock)
        sending = False  # this connection carries a format
        try:
            while True:
                if printer.read_delay:
                    time.sleep(printer.read_delay)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                keep = self._feed(stream, chunk)
                if stream.format_bytes and not sending:
                    sending = True
                    printer._sender(+1)
                if not keep:
                    _reset(sock, stream.format_bytes)
                    break
        except OSError as exc:
            logger.debug("connection from %s ended: %s", self.client_address, exc)
        finally:
            if sending:
                printer._sender(-1)
            printer._closed(sock)
            if stream.pending:
                logger.warning("connection closed mid-format: %d bytes dropped", stream.pending)

    def _feed(self, stream: ZplStream, chunk: bytes) -> bool:
        """Handle ``chunk``; False once ``reset_after_bytes`` of formats have arrived."""
        limit = self.printer.reset_after_bytes
        if limit is None:
            self._answer(stream.feed(chunk))
            return True
        for i in range(len(chunk)):
            self._answer(stream.feed(chunk[i : i + 1]))
            if stream.format_bytes >= limit:
                return False
        return True

    def _answer(self, events: list[tuple[str, bytes]]) -> None:
        for kind, payload in events:
            reply = self.printer._receive(kind, payload)
            if reply:
                self.request.sendall(reply)


def _reset(sock: socket.socket, received: int) -> None:
    """Close with RST (SO_LINGER 0), as a printer losing the connection mid-job would."""
    logger.info("resetting the connection after %d bytes of a format", received)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
