"""The ``~HQES`` reply: error and warning flags, asked when ``~HS`` stays silent.

One ``<STX>…<ETX>`` block (ZPL Programming Guide, ``~HQ``)::

    PRINTER STATUS
       ERRORS:         1 00000000 00000005
       WARNINGS:       0 00000000 00000000

After the flag come two 8-digit hex groups: group 2, then group 1. Group 1 is read from
the right, one hex digit ("nibble") at a time: nibble 1 = 1 media out, 2 ribbon out,
4 head open, 8 cutter fault; nibble 2 = 1 head over-temperature, 2 motor
over-temperature; nibble 5 = 1 paused. Warnings nibble 1: 8 = paper near end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from printers.status import ETX, STX, HostStatus

MEDIA_OUT = 0x1
RIBBON_OUT = 0x2
HEAD_OPEN = 0x4
CUTTER_FAULT = 0x8
HEAD_OVER_TEMPERATURE = 0x10
MOTOR_OVER_TEMPERATURE = 0x20
PAUSED = 0x10000
PAPER_NEAR_END = 0x8

_LINE = re.compile(rb"(ERRORS|WARNINGS):\s*([01])\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class ErrorStatus:
    """Group-1 error and warning bits of ``~HQES``."""

    errors: int = 0
    warnings: int = 0

    @property
    def problems(self) -> list[str]:
        """Codes in the vocabulary of :class:`HostStatus` (plus ``cutter_fault``)."""
        bits = (
            (MEDIA_OUT, "paper_out"),
            (PAUSED, "paused"),
            (HEAD_OPEN, "head_open"),
            (RIBBON_OUT, "ribbon_out"),
            (HEAD_OVER_TEMPERATURE | MOTOR_OVER_TEMPERATURE, "over_temperature"),
            (CUTTER_FAULT, "cutter_fault"),
        )
        found = [code for bit, code in bits if self.errors & bit]
        if self.errors and not found:
            found.append("printer_error")
        return found

    @property
    def paper_near_end(self) -> bool:
        return bool(self.warnings & PAPER_NEAR_END)

    def host_status(self) -> HostStatus:
        """The same faults as flags of a ``~HS`` reply (buffer counts unknown: 0)."""
        return HostStatus(
            paper_out=bool(self.errors & MEDIA_OUT),
            paused=bool(self.errors & PAUSED),
            head_open=bool(self.errors & HEAD_OPEN),
            ribbon_out=bool(self.errors & RIBBON_OUT),
            over_temperature=bool(self.errors & (HEAD_OVER_TEMPERATURE | MOTOR_OVER_TEMPERATURE)),
        )


def parse_error_status(raw: bytes) -> ErrorStatus:
    """Parse a ``~HQES`` reply; raise ``ValueError`` if it has no ERRORS line."""
    found = {match.group(1): match for match in _LINE.finditer(raw)}
    if b"ERRORS" not in found:
        raise ValueError(f"~HQES reply has no ERRORS line: {raw!r}")
    warnings = found.get(b"WARNINGS")
    return ErrorStatus(
        errors=int(found[b"ERRORS"].group(4), 16),
        warnings=int(warnings.group(4), 16) if warnings else 0,
    )


def format_error_status(status: ErrorStatus) -> bytes:
    """The ``~HQES`` reply a printer sends for ``status`` (group 2 always zero)."""
    lines = [
        "",
        "  PRINTER STATUS",
        f"   ERRORS:         {int(bool(status.errors))} 00000000 {status.errors:08X}",
        f"   WARNINGS:       {int(bool(status.warnings))} 00000000 {status.warnings:08X}",
        "",
    ]
    return bytes([STX]) + "\r\n".join(lines).encode("ascii") + bytes([ETX])


def error_status_of(status: HostStatus, *, paper_near_end: bool = False) -> ErrorStatus:
    """The ``~HQES`` flags matching a printer's ``~HS`` faults."""
    errors = 0
    for flag, bit in (
        (status.paper_out, MEDIA_OUT),
        (status.ribbon_out, RIBBON_OUT),
        (status.head_open, HEAD_OPEN),
        (status.paused, PAUSED),
        (status.over_temperature, HEAD_OVER_TEMPERATURE),
    ):
        if flag:
            errors |= bit
    return ErrorStatus(errors=errors, warnings=PAPER_NEAR_END if paper_near_end else 0)
