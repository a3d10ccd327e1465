"""~HQES, the odometer, and the virtual Zebra's unhappy paths: slow, reset, refusing."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from printers import (
    PrinterSendFailed,
    PrinterUnreachable,
    Target,
    Timeouts,
    VirtualZebra,
    deliver,
    send_zpl,
    zpl,
)
from printers.errors_status import (
    ErrorStatus,
    error_status_of,
    format_error_status,
    parse_error_status,
)
from printers.status import HostStatus
from printers.transport import probe
from printers.virtual_connection import ZplStream

FAST = {"connect_timeout": 1.0, "reply_timeout": 0.3}

# The reply layout of the ZPL guide's ~HQES example: media out and head open.
GUIDE_REPLY = (
    b"\x02\r\n  PRINTER STATUS\r\n   ERRORS:         1 00000000 00000005\r\n"
    b"   WARNINGS:       1 00000000 00000008\r\n\x03"
)


def a_label(text: str = "hello") -> bytes:
    return zpl.label(58, 40, 203, "^FO10,10^A0N,30,30" + zpl.field_data(text))


def test_hqes_reply_of_the_guide() -> None:
    errors = parse_error_status(GUIDE_REPLY)
    assert errors.problems == ["paper_out", "head_open"]
    assert errors.paper_near_end
    status = errors.host_status()
    assert status.paper_out and status.head_open and not status.paused


def test_hqes_pause_is_nibble_five() -> None:
    errors = parse_error_status(format_error_status(ErrorStatus(errors=0x00010000)))
    assert errors.problems == ["paused"]


def test_hqes_unknown_error_bits_are_still_an_error() -> None:
    assert ErrorStatus(errors=0x01000000).problems == ["printer_error"]
    assert ErrorStatus().problems == []


def test_hqes_without_errors_line_is_refused() -> None:
    with pytest.raises(ValueError, match="ERRORS"):
        parse_error_status(b"\x02PRINTER STATUS\x03")


def test_hqes_round_trip_of_every_fault() -> None:
    status = HostStatus(paper_out=True, paused=True, head_open=True, ribbon_out=True)
    parsed = parse_error_status(format_error_status(error_status_of(status)))
    assert parsed.problems == ["paper_out", "paused", "head_open", "ribbon_out"]


def test_stream_keeps_a_split_hqes_and_sgd_line() -> None:
    stream = ZplStream()
    data = b'x~HQES! U1 getvar "odometer.total_label_count"\r\n^XA^FDa^FS^XZ'
    events = [event for byte in data for event in stream.feed(bytes([byte]))]
    assert events == [
        ("command", b"~HQES"),
        ("sgd", b'! U1 getvar "odometer.total_label_count"'),
        ("format", b"^XA^FDa^FS^XZ"),
    ]


def test_odometer_counts_printed_labels_not_held_ones() -> None:
    with VirtualZebra(odometer=1000) as printer:
        assert probe(*printer.address, odometer=True, **FAST).odometer == 1000
        send_zpl(*printer.address, a_label(), **FAST)
        printer.wait_for_labels(1)
        printer.paused = True
        send_zpl(*printer.address, a_label(), check_status=False, **FAST)
        found = probe(*printer.address, odometer=True, **FAST)
        assert found.odometer == 1001 and found.status.formats_in_buffer == 1


def test_printer_without_sgd_has_no_odometer() -> None:
    with VirtualZebra(sgd=False) as printer:
        found = probe(*printer.address, odometer=True, **FAST)
        assert found.status.ready and found.odometer is None


def test_reset_after_bytes_of_a_format_is_send_failed(printer: VirtualZebra) -> None:
    printer.reset_after_bytes = 20
    data = a_label("will not print")
    with pytest.raises(PrinterSendFailed, match="may have printed"):
        send_zpl(*printer.address, data, **FAST)
    time.sleep(0.1)
    assert printer.printed == [] and printer.held == []
    printer.reset_after_bytes = None
    send_zpl(*printer.address, data, **FAST)
    assert printer.wait_for_labels(1) == [data]


def test_reset_does_not_touch_status_queries(printer: VirtualZebra) -> None:
    printer.reset_after_bytes = 1
    assert probe(*printer.address, odometer=True, **FAST).status.ready


def test_refusing_printer_is_unreachable_then_back_on_the_same_port(
    printer: VirtualZebra,
) -> None:
    address = printer.address
    printer.refusing = True
    assert printer.address == address
    with pytest.raises(PrinterUnreachable, match="cannot connect"):
        send_zpl(*address, a_label(), **FAST)
    printer.refusing = False
    send_zpl(*address, a_label(), **FAST)
    assert len(printer.wait_for_labels(1)) == 1


def test_slow_printer_still_gets_the_whole_label(printer: VirtualZebra) -> None:
    printer.read_delay = 0.2
    started = time.monotonic()
    send_zpl(*printer.address, a_label(), check_status=False, **FAST)
    assert len(printer.wait_for_labels(1, timeout=3)) == 1
    assert time.monotonic() - started >= 0.2


def test_max_connections_sees_two_clients_at_once(printer: VirtualZebra) -> None:
    first = socket.create_connection(printer.address)
    second = socket.create_connection(printer.address)
    deadline = time.monotonic() + 2
    while printer.max_connections < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.close()
    second.close()
    assert printer.max_connections == 2


def test_jobs_from_threads_of_one_process_never_overlap(printer: VirtualZebra) -> None:
    printer.read_delay = 0.05
    labels = [a_label(f"label {n}") for n in range(4)]
    threads = [
        threading.Thread(target=send_zpl, args=(*printer.address, data), kwargs=FAST)
        for data in labels
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(printer.wait_for_labels(4, timeout=5)) == sorted(labels)
    assert printer.max_senders == 1


def test_max_senders_sees_two_formats_at_once(printer: VirtualZebra) -> None:
    first = socket.create_connection(printer.address)
    second = socket.create_connection(printer.address)
    first.sendall(b"^XA^FDone")
    second.sendall(b"^XA^FDtwo")
    deadline = time.monotonic() + 2
    while printer.max_senders < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.close()
    second.close()
    assert printer.max_senders == 2 and printer.printed == []


def test_printer_without_odometer_is_not_asked_again_and_still_confirms() -> None:
    timeouts = Timeouts(connect=1.0, reply=0.4, send=2.0, confirm=1.0, poll=0.05)
    with VirtualZebra(sgd=False) as printer:
        target = Target(*printer.address)
        first = time.monotonic()
        assert deliver(target, a_label("one"), timeouts).outcome == "printed"
        first = time.monotonic() - first
        second = time.monotonic()
        assert deliver(target, a_label("two"), timeouts).outcome == "printed"
        second = time.monotonic() - second
    assert first >= 0.4 > second  # the unanswered odometer query cost one reply timeout, once
    assert len(printer.printed) == 2
