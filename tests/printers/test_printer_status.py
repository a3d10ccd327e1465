from __future__ import annotations

import pytest

from printers import HostStatus, format_host_status, parse_host_status

STRING1 = "030,0,0,0812,000,0,0,0,000,0,0,0"
STRING2 = "001,0,0,0,1,2,6,0,00000000,1,000"
STRING3 = "1234,0"


def reply(first: str = STRING1, second: str = STRING2, third: str = STRING3) -> bytes:
    return b"".join(b"\x02" + text.encode() + b"\x03\r\n" for text in (first, second, third))


def with_field(text: str, index: int, value: str) -> str:
    fields = text.split(",")
    fields[index] = value
    return ",".join(fields)


def test_known_sample_is_an_idle_printer() -> None:
    status = parse_host_status(reply())
    assert status == HostStatus(label_length_dots=812)
    assert status.ready and status.problems == []


@pytest.mark.parametrize(
    ("string_no", "index", "flag"),
    [
        (1, 1, "paper_out"),
        (1, 2, "paused"),
        (1, 5, "buffer_full"),
        (1, 9, "corrupt_ram"),
        (1, 10, "under_temperature"),
        (1, 11, "over_temperature"),
        (2, 2, "head_open"),
        (2, 3, "ribbon_out"),
    ],
)
def test_each_flag_is_read_from_its_own_field(string_no: int, index: int, flag: str) -> None:
    if string_no == 1:
        raw = reply(first=with_field(STRING1, index, "1"))
    else:
        raw = reply(second=with_field(STRING2, index, "1"))
    status = parse_host_status(raw)
    assert status.problems == [flag]


@pytest.mark.parametrize("index", [0, 6, 7])
def test_other_string1_fields_raise_no_flag(index: int) -> None:
    # zebra-day reads paper out / head up / ribbon out from string 1 fields 5-7: they are not.
    status = parse_host_status(reply(first=with_field(STRING1, index, "1")))
    assert status.problems == [] and status.ready


def test_counters() -> None:
    raw = reply(
        first=with_field(with_field(STRING1, 4, "007"), 3, "0320"),
        second=with_field(STRING2, 8, "00000042"),
    )
    status = parse_host_status(raw)
    assert (status.formats_in_buffer, status.labels_remaining) == (7, 42)
    assert status.label_length_dots == 320


@pytest.mark.parametrize(
    ("flags", "ready"),
    [
        ({"paper_out": True}, False),
        ({"paused": True}, False),
        ({"head_open": True}, False),
        ({"ribbon_out": True}, False),
        ({"buffer_full": True}, False),
        ({"over_temperature": True}, False),
        ({"under_temperature": True}, True),
        ({"corrupt_ram": True}, True),
    ],
)
def test_ready(flags: dict[str, bool], ready: bool) -> None:
    status = HostStatus(**flags)
    assert status.ready is ready
    assert status.problems == list(flags)


def test_problems_keep_a_fixed_order() -> None:
    status = HostStatus(ribbon_out=True, paper_out=True, head_open=True)
    assert status.problems == ["paper_out", "head_open", "ribbon_out"]


@pytest.mark.parametrize(
    "status",
    [
        HostStatus(),
        HostStatus(paper_out=True, head_open=True, label_length_dots=320),
        HostStatus(paused=True, formats_in_buffer=3, labels_remaining=12345678),
        HostStatus(
            ribbon_out=True,
            buffer_full=True,
            under_temperature=True,
            over_temperature=True,
            corrupt_ram=True,
            label_length_dots=12345,
        ),
    ],
)
def test_round_trip(status: HostStatus) -> None:
    raw = format_host_status(status)
    assert raw.count(b"\x02") == 3 and raw.count(b"\x03\r\n") == 3
    assert parse_host_status(raw) == status


def test_format_looks_like_a_printer() -> None:
    direct_thermal = with_field(STRING2, 4, "0")
    assert format_host_status(HostStatus(label_length_dots=812)) == reply(second=direct_thermal)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"garbage",
        reply()[: reply().rindex(b"\x02")],  # only two strings
        reply(first="030,0,0"),
        reply(first=with_field(STRING1, 1, "2")),
        reply(first=with_field(STRING1, 4, "abc")),
        reply(second=with_field(STRING2, 8, "")),
        b"\x02\xff\xfe\x03\r\n" * 3,
    ],
)
def test_malformed_replies_raise_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError, match="~HS"):
        parse_host_status(raw)


def test_negative_counter_cannot_be_formatted() -> None:
    with pytest.raises(ValueError):
        format_host_status(HostStatus(formats_in_buffer=-1))
