"""The transport against the virtual Zebra and against misbehaving loopback peers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from printers import (
    PrinterNotReady,
    PrinterSendFailed,
    PrinterUnreachable,
    VirtualZebra,
    query_status,
    send_zpl,
    transport,
    zpl,
)

FAST = {"connect_timeout": 1.0, "reply_timeout": 0.2}

Peer = Callable[[socket.socket], None]
PeerFactory = Callable[[Peer], tuple[str, int]]


def a_label(text: str = "hello") -> bytes:
    return zpl.label(58, 40, 203, "^FO10,10^A0N,30,30" + zpl.field_data(text))


@pytest.fixture
def fake_peer() -> Iterator[PeerFactory]:
    """Start a loopback listener that runs ``behaviour`` on each accepted connection."""
    listeners: list[socket.socket] = []
    opened: list[socket.socket] = []

    def start(behaviour: Peer) -> tuple[str, int]:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                opened.append(conn)
                behaviour(conn)

        threading.Thread(target=serve, daemon=True).start()
        return listener.getsockname()

    yield start
    for sock in listeners + opened:
        sock.close()


def close_at_once(conn: socket.socket) -> None:
    conn.close()


def never_answer(conn: socket.socket) -> None:
    """Keep the connection open and say nothing (closed by the fixture)."""


def reset_after_first_byte(conn: socket.socket) -> None:
    conn.recv(1)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def test_query_status(printer: VirtualZebra) -> None:
    status = query_status(*printer.address, **FAST)
    assert status.ready and status.label_length_dots == 320


def test_sent_label_is_printed(printer: VirtualZebra) -> None:
    data = a_label()
    status = send_zpl(*printer.address, data, **FAST)
    assert status is not None and status.ready
    assert printer.wait_for_labels(1, timeout=2) == [data]


def test_several_formats_in_one_job(printer: VirtualZebra) -> None:
    first, second = a_label("one"), a_label("two")
    send_zpl(*printer.address, first + b"\r\n" + second, **FAST)
    assert printer.wait_for_labels(2, timeout=2) == [first, second]


@pytest.mark.parametrize("fault", ["paper_out", "paused", "head_open", "ribbon_out"])
def test_refuses_when_not_ready(printer: VirtualZebra, fault: str) -> None:
    setattr(printer, fault, True)
    with pytest.raises(PrinterNotReady) as caught:
        send_zpl(*printer.address, a_label(), **FAST)
    assert caught.value.status is not None and getattr(caught.value.status, fault)
    assert fault.replace("_", " ") in str(caught.value)
    assert printer.printed == [] and printer.held == []


@pytest.mark.parametrize("fault", ["paper_out", "head_open", "ribbon_out"])
def test_silent_printer_is_asked_hqes_for_the_reason(fault: str) -> None:
    with VirtualZebra(silent_when_faulted=True) as printer:
        setattr(printer, fault, True)
        started = time.monotonic()
        with pytest.raises(PrinterNotReady, match="~HQES") as caught:
            send_zpl(*printer.address, a_label(), **FAST)
        assert time.monotonic() - started < 1.5
        assert caught.value.status is not None and getattr(caught.value.status, fault)
        assert caught.value.status.problems == [fault]
        assert printer.printed == [] and printer.held == []


def test_silent_printer_still_answers_when_only_paused() -> None:
    with VirtualZebra(silent_when_faulted=True) as printer:
        printer.paused = True
        assert query_status(*printer.address, **FAST).paused


def test_closed_port_is_unreachable() -> None:
    with socket.socket() as placeholder:  # bound, not listening: connections are refused
        placeholder.bind(("127.0.0.1", 0))
        with pytest.raises(PrinterUnreachable, match="cannot connect"):
            send_zpl(*placeholder.getsockname(), a_label(), **FAST)
        with pytest.raises(PrinterUnreachable):
            query_status(*placeholder.getsockname(), **FAST)


def test_peer_closing_without_answer_does_not_hang(fake_peer: PeerFactory) -> None:
    address = fake_peer(close_at_once)
    started = time.monotonic()
    with pytest.raises(PrinterNotReady) as caught:
        send_zpl(*address, a_label(), connect_timeout=1.0, reply_timeout=2.0)
    assert time.monotonic() - started < 1.0  # EOF ends the wait before the deadline
    assert caught.value.status is None


def test_silent_peer_is_bounded_by_reply_timeout(fake_peer: PeerFactory) -> None:
    address = fake_peer(never_answer)
    started = time.monotonic()
    with pytest.raises(PrinterNotReady, match="did not answer ~HS") as caught:
        query_status(*address, **FAST)
    assert 0.3 < time.monotonic() - started < 1.2  # ~HS, then ~HQES, each bounded
    assert caught.value.status is None


def test_garbage_reply_is_not_ready(fake_peer: PeerFactory) -> None:
    address = fake_peer(lambda conn: conn.sendall(b"\x02?\x03\x02?\x03\x02?\x03"))
    with pytest.raises(PrinterNotReady, match="unreadable"):
        query_status(*address, **FAST)


def test_broken_connection_after_bytes_is_send_failed(fake_peer: PeerFactory) -> None:
    address = fake_peer(reset_after_first_byte)
    big = b"^XA" + b"^FO0,0^GB10,10,1^FS" * 2_000_000 + b"^XZ"  # far more than socket buffers
    with pytest.raises(PrinterSendFailed, match="may have printed"):
        send_zpl(*address, big, check_status=False, connect_timeout=1.0, send_timeout=5.0)


def test_format_sent_while_paused_waits_then_prints(printer: VirtualZebra) -> None:
    printer.paused = True
    data = a_label()
    assert send_zpl(*printer.address, data, check_status=False, **FAST) is None
    deadline = time.monotonic() + 2
    while not printer.held and time.monotonic() < deadline:
        time.sleep(0.01)
    status = query_status(*printer.address, **FAST)
    assert status.paused and status.formats_in_buffer == 1
    assert printer.printed == []

    printer.paused = False
    assert printer.wait_for_labels(1, timeout=2) == [data]
    assert query_status(*printer.address, **FAST).formats_in_buffer == 0


def test_one_job_at_a_time_per_printer(printer: VirtualZebra) -> None:
    lock = transport._printer_lock(*printer.address)
    with lock:
        sender = threading.Thread(target=send_zpl, args=(*printer.address, a_label()))
        sender.start()
        time.sleep(0.2)
        assert printer.printed == []
    printer.wait_for_labels(1, timeout=2)
    sender.join(timeout=2)


def test_empty_job_is_refused(printer: VirtualZebra) -> None:
    with pytest.raises(ValueError):
        send_zpl(*printer.address, b"")
