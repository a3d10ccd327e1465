"""The virtual Zebra itself: stream parsing, replies, spool, and the command line."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import printers
from printers import VirtualZebra, parse_host_status, send_zpl
from printers.virtual_connection import ZplStream

PROJECT = Path(printers.__file__).resolve().parents[1]


def exchange(address: tuple[str, int], *chunks: bytes, replies: int = 0) -> bytes:
    """Send ``chunks`` as separate TCP segments, read until ``replies`` ETX bytes, close."""
    with socket.create_connection(address, timeout=2) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for chunk in chunks:
            sock.sendall(chunk)
            time.sleep(0.005)
        received = b""
        while received.count(b"\x03") < replies:
            data = sock.recv(4096)
            if not data:
                break
            received += data
        return received


def test_stream_split_at_every_byte() -> None:
    stream = ZplStream()
    data = b"\r\nnoise~HS^xa^FDone^FS^xz\n~HI ~JA^XA^FDtwo^FS^XZ^XA^FDpart"
    events = [event for byte in data for event in stream.feed(bytes([byte]))]
    assert events == [
        ("command", b"~HS"),
        ("format", b"^xa^FDone^FS^xz"),
        ("command", b"~HI"),
        ("command", b"~JA"),
        ("format", b"^XA^FDtwo^FS^XZ"),
    ]
    assert stream.pending == len(b"^XA^FDpart")


def test_formats_split_across_sends(printer: VirtualZebra) -> None:
    reply = exchange(
        printer.address,
        b"junk ^X",
        b"A^FO10,10^FDone^FS^",
        b"XZ\r\n~H",
        b"S^XA^FDtwo",
        b"^FS^XZ",
        replies=3,
    )
    assert parse_host_status(reply).ready
    assert printer.wait_for_labels(2, timeout=2) == [
        b"^XA^FO10,10^FDone^FS^XZ",
        b"^XA^FDtwo^FS^XZ",
    ]


@pytest.mark.parametrize(
    ("dpi", "expected"),
    [
        (203, b"\x02ZD420-203dpi ZPL,V84.20.21Z,8,8192KB\x03"),
        (300, b"\x02ZD420-300dpi ZPL,V84.20.21Z,12,8192KB\x03"),
    ],
)
def test_identification(dpi: int, expected: bytes) -> None:
    with VirtualZebra(dpi=dpi) as printer:
        assert exchange(printer.address, b"~HI", replies=1) == expected


def test_label_length_follows_last_format(printer: VirtualZebra) -> None:
    exchange(printer.address, b"^XA^PW600^LL960^FDx^FS^XZ")
    printer.wait_for_labels(1, timeout=2)
    assert parse_host_status(exchange(printer.address, b"~HS", replies=3)).label_length_dots == 960


def test_ja_cancels_held_formats(printer: VirtualZebra) -> None:
    printer.head_open = True
    exchange(printer.address, b"^XA^FDx^FS^XZ")
    deadline = time.monotonic() + 2
    while not printer.held and time.monotonic() < deadline:
        time.sleep(0.01)
    assert printer.status.formats_in_buffer == 1
    exchange(printer.address, b"~JA", b"~HS", replies=3)
    printer.head_open = False
    assert printer.held == [] and printer.printed == []


def test_held_formats_wait_for_every_fault_to_clear(printer: VirtualZebra) -> None:
    printer.paper_out = printer.head_open = True
    send_zpl(*printer.address, b"^XA^FDx^FS^XZ", check_status=False)
    deadline = time.monotonic() + 2
    while not printer.held and time.monotonic() < deadline:
        time.sleep(0.01)
    printer.head_open = False
    assert printer.printed == []
    printer.paper_out = False
    assert printer.wait_for_labels(1, timeout=2) == [b"^XA^FDx^FS^XZ"]


def test_spool_continues_numbering(tmp_path: Path) -> None:
    (tmp_path / "000007.zpl").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("not a label")
    with VirtualZebra(spool_dir=tmp_path) as printer:
        send_zpl(*printer.address, b"^XA^FDa^FS^XZ^XA^FDb^FS^XZ", check_status=False)
        printer.wait_for_labels(2, timeout=2)
    assert (tmp_path / "000008.zpl").read_bytes() == b"^XA^FDa^FS^XZ"
    assert (tmp_path / "000009.zpl").read_bytes() == b"^XA^FDb^FS^XZ"
    assert sorted(path.name for path in tmp_path.glob("*.zpl")) == [
        "000007.zpl",
        "000008.zpl",
        "000009.zpl",
    ]


def test_two_virtual_printers_share_a_spool_without_overwriting(tmp_path: Path) -> None:
    """``make run``'s two virtual Zebras (58×40 and 75×120) keep labels in one spool."""
    with VirtualZebra(spool_dir=tmp_path) as small, VirtualZebra(spool_dir=tmp_path) as big:
        send_zpl(*small.address, b"^XA^FDsmall^FS^XZ", check_status=False)
        small.wait_for_labels(1, timeout=2)
        send_zpl(*big.address, b"^XA^FDbig^FS^XZ", check_status=False)  # its count says 1 too
        big.wait_for_labels(1, timeout=2)
    kept = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert kept == {"000001.zpl": b"^XA^FDsmall^FS^XZ", "000002.zpl": b"^XA^FDbig^FS^XZ"}


def test_wait_for_labels_times_out(printer: VirtualZebra) -> None:
    with pytest.raises(TimeoutError, match="0 of 1"):
        printer.wait_for_labels(1, timeout=0.05)


def test_stop_closes_open_connections() -> None:
    printer = VirtualZebra().start()
    with socket.create_connection(printer.address, timeout=2) as sock:
        sock.sendall(b"^XA^FDunfinished")
        time.sleep(0.05)
        printer.stop()
        assert sock.recv(10) == b""
    printer.stop()
    assert printer.printed == []
    with pytest.raises(RuntimeError):
        _ = printer.address


def test_command_line_prints_into_spool_and_stops_on_sigterm(tmp_path: Path) -> None:
    spool = tmp_path / "printed"
    command = [sys.executable, "-m", "printers.virtual", "--host", "127.0.0.1", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--spool", str(spool)],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        stderr=subprocess.PIPE,
        text=True,
    )
    log = _LogReader(process)
    try:
        port = int(log.wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))
        data = printers.test_label("Тест ^XZ")
        send_zpl("127.0.0.1", port, data)
        log.wait_for(r"label 1 printed: \d+ bytes, \^XA\^CI28")
        assert (spool / "000001.zpl").read_bytes() == data
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=5)
    log.wait_for(r"stopped, 1 labels printed")
    assert process.returncode == 0, log.text()
    assert "RuntimeWarning" not in log.text() and "Traceback" not in log.text()


class _LogReader:
    """Collects a child's stderr lines in a thread, so waiting for one can time out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self._stream = process.stderr
        self._lines: queue.Queue[str] = queue.Queue()
        self._seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self._stream:
            self._lines.put(line)

    def text(self) -> str:
        return "".join(self._seen)

    def wait_for(self, pattern: str, timeout: float = 5.0) -> re.Match[str]:
        for seen in self._seen:
            if match := re.search(pattern, seen):
                return match
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            self._seen.append(line)
            if match := re.search(pattern, line):
                return match
        pytest.fail(f"no {pattern!r} in the printer's log:\n{self.text()}")
