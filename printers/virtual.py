"""A virtual Zebra on a TCP port: answers ``~HS``/``~HI``/``~HQES`` and the SGD odometer,
"prints" ``^XA…^XZ`` formats.

Like a real printer, it never acknowledges a format. While paper is out, the head is open,
the ribbon is out or it is paused, formats wait in its buffer (``held``) and ``~HS`` counts
them; clearing the last fault prints them, as pressing FEED or PAUSE would.

For tests of the unhappy paths it can also be slow (``read_delay``), reset a connection
after some bytes of a format (``reset_after_bytes``) and refuse connections (``refusing``).

Run it alone with ``python -m printers.virtual --port 9101 --spool instance/printed``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import signal
import socket
import socketserver
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, overload

from printers.errors_status import error_status_of, format_error_status
from printers.status import ETX, STX, HostStatus, format_host_status
from printers.virtual_connection import Handler
from printers.zpl import dots, dots_per_mm

logger = logging.getLogger(__name__)

FAULTS = ("paper_out", "paused", "head_open", "ribbon_out")
# Per the current ZPL guide, ~HS gets no answer in these states (pause is not among them).
SILENT_FAULTS = ("paper_out", "head_open", "ribbon_out")

_LABEL_LENGTH = re.compile(rb"\^LL(\d+)", re.IGNORECASE)
_SPOOL_NAME = re.compile(r"(\d+)\.zpl")
_GETVAR = re.compile(rb'! U1 getvar "([^"]+)"', re.IGNORECASE)


class _Fault:
    """A fault flag of the printer; setting it goes through the printer's lock."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> _Fault: ...
    @overload
    def __get__(self, obj: VirtualZebra, objtype: type | None = None) -> bool: ...
    def __get__(self, obj: VirtualZebra | None, objtype: type | None = None) -> bool | _Fault:
        if obj is None:
            return self
        return obj._faults[self.name]

    def __set__(self, obj: VirtualZebra, value: bool) -> None:
        obj._set_fault(self.name, bool(value))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], printer: VirtualZebra) -> None:
        self.printer = printer
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)


class VirtualZebra:
    """A threaded loopback server imitating a networked Zebra (ZD420) at 203 or 300 dpi."""

    paper_out = _Fault()
    paused = _Fault()
    head_open = _Fault()
    ribbon_out = _Fault()

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        spool_dir: Path | None = None,
        dpi: int = 203,
        *,
        silent_when_faulted: bool = False,
        sgd: bool = True,
        odometer: int = 0,
    ) -> None:
        self.spool_dir = Path(spool_dir) if spool_dir is not None else None
        self.dpi = dpi
        self.silent_when_faulted = silent_when_faulted
        self.sgd = sgd  # answers ``! U1 getvar``; False imitates firmware without SGD
        self.read_delay = 0.0  # seconds before each read: a slow printer
        self.reset_after_bytes: int | None = None  # reset connections after this many
        self._odometer_start = odometer
        self._refusing = False
        self._max_connections = 0
        self._senders = 0
        self._max_senders = 0
        self._bind = (host, port)
        self._faults = dict.fromkeys(FAULTS, False)
        self._lock = threading.Condition()
        self._printed: list[bytes] = []
        self._held: list[bytes] = []
        self._label_length = dots(40, dpi)
        self._next_spool = 1
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> VirtualZebra:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("virtual printer already started")
        if self.spool_dir is not None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            self._next_spool = _next_spool_number(self.spool_dir)
        self._server = _Server(self._bind, self)
        host, port = self._server.server_address[:2]
        self._bind = (str(host), int(port))  # a restart keeps the port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="virtual-zebra",
            daemon=True,
        )
        self._thread.start()
        logger.info("virtual Zebra (%d dpi) listening on %s:%s", self.dpi, *self.address)
        return self

    def stop(self) -> None:
        """Stop accepting, drop open connections; safe to call twice."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()
        thread.join()

    def __enter__(self) -> VirtualZebra:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` actually bound."""
        if self._server is None and not self._refusing:
            raise RuntimeError("virtual printer is not running")
        if self._server is None:
            return self._bind
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def refusing(self) -> bool:
        """True while connections are refused (nothing listens on the port)."""
        return self._refusing

    @refusing.setter
    def refusing(self, value: bool) -> None:
        if value == self._refusing:
            return
        if value:
            self.stop()
        else:
            self.start()
        self._refusing = value

    @property
    def odometer(self) -> int:
        """``odometer.total_label_count``: labels printed, never counting held ones."""
        with self._lock:
            return self._odometer_start + len(self._printed)

    @property
    def max_connections(self) -> int:
        """The most connections that were ever open at the same time."""
        with self._lock:
            return self._max_connections

    @property
    def max_senders(self) -> int:
        """The most connections carrying formats that were ever open at the same time:
        above 1, two jobs were sent at once and their bytes could have interleaved."""
        with self._lock:
            return self._max_senders

    @property
    def printed(self) -> list[bytes]:
        """Every format printed so far, in order."""
        with self._lock:
            return list(self._printed)

    @property
    def held(self) -> list[bytes]:
        """Formats received while faulted, waiting in the buffer."""
        with self._lock:
            return list(self._held)

    @property
    def status(self) -> HostStatus:
        """What ``~HS`` reports right now."""
        with self._lock:
            return HostStatus(
                **self._faults,
                formats_in_buffer=len(self._held),
                label_length_dots=self._label_length,
            )

    @property
    def identification(self) -> bytes:
        """The ``~HI`` reply."""
        model = f"ZD420-{self.dpi}dpi ZPL,V84.20.21Z,{dots_per_mm(self.dpi)},8192KB"
        return bytes([STX]) + model.encode("ascii") + bytes([ETX])

    def wait_for_labels(self, n: int, timeout: float = 5.0) -> list[bytes]:
        """Block until ``n`` formats are printed; raise ``TimeoutError`` otherwise."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._printed) >= n, timeout):
                raise TimeoutError(
                    f"{len(self._printed)} of {n} labels printed within {timeout:g} s"
                )
            return list(self._printed)

    def _receive(self, kind: str, payload: bytes) -> bytes | None:
        """Handle one parsed event; returns the reply to send, if any."""
        if kind == "format":
            self._receive_format(payload)
            return None
        if kind == "sgd":
            return self._sgd(payload)
        if payload == b"~HS":
            if self.silent_when_faulted and any(self._faults[f] for f in SILENT_FAULTS):
                logger.info("~HS ignored: printer faulted and silent")
                return None
            return format_host_status(self.status)
        if payload == b"~HQES":
            return format_error_status(error_status_of(self.status))
        if payload == b"~HI":
            return self.identification
        if payload == b"~JA":
            with self._lock:
                logger.info("~JA: %d held formats cancelled", len(self._held))
                self._held.clear()
        return None

    def _sgd(self, line: bytes) -> bytes | None:
        """``! U1 getvar "name"``: the value in double quotes, ``"?"`` for unknown names."""
        match = _GETVAR.match(line)
        if not self.sgd or match is None:
            return None
        name = match.group(1).lower()
        values = {
            b"odometer.total_label_count": str(self.odometer),
            b"device.friendly_name": "VIRTUAL-ZEBRA",
            b"device.languages": "zpl",
        }
        return f'"{values.get(name, "?")}"'.encode("ascii")

    def _receive_format(self, data: bytes) -> None:
        with self._lock:
            length = _LABEL_LENGTH.search(data)
            if length:
                self._label_length = int(length.group(1))
            faults = [name for name in FAULTS if self._faults[name]]
            if faults:
                self._held.append(data)
                logger.info("format held (%s): %s", ", ".join(faults), _describe(data))
                return
            self._print(data)

    def _print(self, data: bytes) -> None:
        """Record one printed format; the caller holds the lock."""
        self._printed.append(data)
        number = len(self._printed)
        if self.spool_dir is not None:
            self._spool(data)
        logger.info("label %d printed: %s", number, _describe(data))

    def _spool(self, data: bytes) -> None:
        """Keep the label as the next ``NNNNNN.zpl``; two virtual printers may share one
        spool, so a number is claimed with a hard link, which fails if it is taken."""
        assert self.spool_dir is not None
        temporary = self.spool_dir / f".{os.getpid()}-{id(self)}.tmp"
        temporary.write_bytes(data)
        try:
            while True:
                path = self.spool_dir / f"{self._next_spool:06d}.zpl"
                self._next_spool += 1
                try:
                    os.link(temporary, path)
                    return
                except FileExistsError:
                    continue
        finally:
            temporary.unlink()
        self._lock.notify_all()

    def _set_fault(self, name: str, value: bool) -> None:
        with self._lock:
            self._faults[name] = value
            if any(self._faults.values()) or not self._held:
                return
            held, self._held = self._held, []
            logger.info("faults cleared: printing %d held formats", len(held))
            for data in held:
                self._print(data)

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.add(sock)
            self._max_connections = max(self._max_connections, len(self._connections))

    def _sender(self, change: int) -> None:
        with self._lock:
            self._senders += change
            self._max_senders = max(self._max_senders, self._senders)

    def _closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.discard(sock)


def _describe(data: bytes) -> str:
    first_line = data.split(b"\n", 1)[0][:80].decode("utf-8", "replace")
    return f"{len(data)} bytes, {first_line}"


def _next_spool_number(spool_dir: Path) -> int:
    numbers = [
        int(match.group(1))
        for path in spool_dir.iterdir()
        if (match := _SPOOL_NAME.fullmatch(path.name))
    ]
    return max(numbers, default=0) + 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m printers.virtual", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 picks a free port")
    parser.add_argument("--spool", type=Path, help="write each printed label here")
    parser.add_argument("--dpi", type=int, choices=(203, 300), default=203)
    parser.add_argument("--silent-when-faulted", action="store_true")
    parser.add_argument("--odometer", type=int, default=0, help="labels counted before start")
    parser.add_argument("--no-sgd", action="store_true", help="ignore '! U1 getvar' queries")
    parser.add_argument("--read-delay", type=float, default=0.0, help="a slow printer: s/read")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a virtual printer until SIGINT or SIGTERM."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    stopping = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        logger.info("signal %d: stopping", signum)
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    printer = VirtualZebra(
        args.host,
        args.port,
        args.spool,
        args.dpi,
        silent_when_faulted=args.silent_when_faulted,
        sgd=not args.no_sgd,
        odometer=args.odometer,
    )
    printer.read_delay = args.read_delay
    try:
        printer.start()
    except OSError as exc:
        logger.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 1
    try:
        while not stopping.wait(0.2):
            pass
    finally:
        printer.stop()
    logger.info("virtual Zebra stopped, %d labels printed", len(printer.printed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
