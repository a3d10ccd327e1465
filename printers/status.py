"""The ``~HS`` host status reply: three ``<STX>…<ETX><CR><LF>`` strings of comma fields.

Field positions follow the ZPL Programming Guide (``~HS``), indexed from 0:

- string 1 ``aaa,b,c,dddd,eee,f,g,h,iii,j,k,l``: 1 paper out, 2 pause, 3 label length in
  dots, 4 formats in receive buffer, 5 buffer full, 9 corrupt RAM, 10 under temperature,
  11 over temperature;
- string 2 ``mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www``: 2 head up, 3 ribbon out, 8 labels remaining;
- string 3 ``xxxx,y``: password and static RAM, not used here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

STX = 0x02
ETX = 0x03

# Conditions in which a printer does not print (the others are warnings).
BLOCKING = frozenset(
    {"paper_out", "paused", "head_open", "ribbon_out", "buffer_full", "over_temperature"}
)

_STRING1_FIELDS = 12
_STRING2_FIELDS = 11


@dataclass(frozen=True)
class HostStatus:
    """What ``~HS`` says about a printer; the defaults describe an idle, healthy one."""

    paper_out: bool = False
    paused: bool = False
    head_open: bool = False
    ribbon_out: bool = False
    buffer_full: bool = False
    under_temperature: bool = False
    over_temperature: bool = False
    corrupt_ram: bool = False
    formats_in_buffer: int = 0
    labels_remaining: int = 0
    label_length_dots: int = 0

    @property
    def problems(self) -> list[str]:
        """Machine codes of every raised flag, in a fixed order."""
        codes = (
            "paper_out",
            "paused",
            "head_open",
            "ribbon_out",
            "buffer_full",
            "under_temperature",
            "over_temperature",
            "corrupt_ram",
        )
        return [code for code in codes if getattr(self, code)]

    @property
    def ready(self) -> bool:
        """True when nothing stops the printer from printing the next label."""
        return not BLOCKING.intersection(self.problems)


def parse_host_status(raw: bytes) -> HostStatus:
    """Parse a complete ``~HS`` reply; raise ``ValueError`` if it is not one."""
    blocks = _blocks(raw)
    if len(blocks) < 3:
        raise ValueError(f"~HS reply needs 3 STX…ETX strings, got {len(blocks)}: {raw!r}")
    first = _fields(blocks[0], _STRING1_FIELDS, 1)
    second = _fields(blocks[1], _STRING2_FIELDS, 2)
    return HostStatus(
        paper_out=_flag(first, 1, 1),
        paused=_flag(first, 2, 1),
        label_length_dots=_number(first, 3, 1),
        formats_in_buffer=_number(first, 4, 1),
        buffer_full=_flag(first, 5, 1),
        corrupt_ram=_flag(first, 9, 1),
        under_temperature=_flag(first, 10, 1),
        over_temperature=_flag(first, 11, 1),
        head_open=_flag(second, 2, 2),
        ribbon_out=_flag(second, 3, 2),
        labels_remaining=_number(second, 8, 2),
    )


def format_host_status(status: HostStatus) -> bytes:
    """Build the ``~HS`` reply a 203-dpi direct-thermal printer would send for ``status``."""
    for name in ("formats_in_buffer", "labels_remaining", "label_length_dots"):
        if getattr(status, name) < 0:
            raise ValueError(f"{name} cannot be negative")
    first = ",".join(
        [
            "030",
            _bit(status.paper_out),
            _bit(status.paused),
            f"{status.label_length_dots:04d}",
            f"{status.formats_in_buffer:03d}",
            _bit(status.buffer_full),
            "0",
            "0",
            "000",
            _bit(status.corrupt_ram),
            _bit(status.under_temperature),
            _bit(status.over_temperature),
        ]
    )
    second = ",".join(
        [
            "001",
            "0",
            _bit(status.head_open),
            _bit(status.ribbon_out),
            "0",
            "2",
            "6",
            "0",
            f"{status.labels_remaining:08d}",
            "1",
            "000",
        ]
    )
    return b"".join(_frame(text) for text in (first, second, "1234,0"))


def _blocks(raw: bytes) -> list[bytes]:
    """The payloads between each STX and the ETX after it; bytes outside are ignored."""
    blocks: list[bytes] = []
    position = 0
    while True:
        start = raw.find(STX, position)
        if start < 0:
            return blocks
        end = raw.find(ETX, start + 1)
        if end < 0:
            return blocks
        blocks.append(raw[start + 1 : end])
        position = end + 1


def _fields(block: bytes, expected: int, string_no: int) -> list[str]:
    try:
        text = block.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ValueError(f"~HS string {string_no} is not ASCII: {block!r}") from exc
    fields = [field.strip() for field in text.split(",")]
    if len(fields) < expected:
        raise ValueError(
            f"~HS string {string_no} has {len(fields)} fields, expected {expected}: {text!r}"
        )
    return fields


def _flag(fields: list[str], index: int, string_no: int) -> bool:
    value = fields[index]
    if value not in ("0", "1"):
        raise ValueError(f"~HS string {string_no} field {index} should be 0 or 1, got {value!r}")
    return value == "1"


def _number(fields: list[str], index: int, string_no: int) -> int:
    value = fields[index]
    if not value.isdigit():
        raise ValueError(f"~HS string {string_no} field {index} should be digits, got {value!r}")
    return int(value)


def _bit(flag: bool) -> str:
    return "1" if flag else "0"


def _frame(text: str) -> bytes:
    return bytes([STX]) + text.encode("ascii") + bytes([ETX]) + b"\r\n"
