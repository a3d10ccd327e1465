"""ZPL bytes → formats (``^XA…^XZ``) of commands; nothing here knows what a command means.

A command is its prefix (``^`` or ``~``), a two-letter name and the raw bytes up to the next
prefix. ``^A`` (font) is the exception: its name is the single letter and the font name is the
first byte of its parameters. ``^FD``/``^FX`` data runs to the next ``^`` only (a ``~`` in field
data is kept, the renderer warns about it); a binary ``^GFB`` carries exactly its byte count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_INPUT_BYTES = 16 * 1024 * 1024
MAX_FORMATS = 200
MAX_COMMANDS = 20_000  # per format; a label has dozens

_PREFIX = re.compile(rb"[\^~]")
_DATA_COMMANDS = frozenset({"FD", "FX", "FV"})
_BINARY_GRAPHIC = re.compile(rb"[Bb],(\d+),")
_LINE_BREAKS = re.compile(rb"[\r\n]")


@dataclass(frozen=True)
class Command:
    prefix: str  # "^" or "~"
    name: str  # upper case: "FO", "BC", "A" (font), …
    args: bytes  # raw parameter bytes, line breaks removed (kept in field data)

    def params(self) -> list[str]:
        """The comma-separated parameters as text (empty strings where left out)."""
        return self.args.decode("latin-1").split(",") if self.args else []

    def param(self, index: int, default: str = "") -> str:
        values = self.params()
        if index < len(values) and values[index].strip():
            return values[index].strip()
        return default


def formats(zpl: bytes) -> Iterator[list[Command]]:
    """Every ``^XA…^XZ`` format as its list of commands (without ``^XA``/``^XZ``).

    Commands outside a format are dropped; a format without ``^XZ`` ends with the input.
    """
    if len(zpl) > MAX_INPUT_BYTES:
        raise ValueError(f"ZPL of {len(zpl)} bytes is larger than {MAX_INPUT_BYTES} bytes")
    current: list[Command] | None = None
    count = 0
    for command in commands(zpl):
        if command.prefix == "^" and command.name == "XA":
            count += 1
            if count > MAX_FORMATS:
                raise ValueError(f"more than {MAX_FORMATS} formats (^XA…^XZ) in one stream")
            current = []
        elif command.prefix == "^" and command.name == "XZ":
            if current is not None:
                yield current
            current = None
        elif current is not None:
            current.append(command)
            if len(current) > MAX_COMMANDS:
                raise ValueError(f"more than {MAX_COMMANDS} commands in one format")
    if current is not None:
        yield current


def commands(zpl: bytes) -> Iterator[Command]:
    """The commands of a ZPL stream in order."""
    position = _next_prefix(zpl, 0)
    while position < len(zpl):
        prefix = chr(zpl[position])
        name, start = _name(zpl, position + 1)
        end = _end_of_args(zpl, name, start, prefix)
        args = zpl[start:end]
        if name not in _DATA_COMMANDS:
            args = _LINE_BREAKS.sub(b"", args)
        yield Command(prefix, name, args)
        position = _next_prefix(zpl, end)


def _name(zpl: bytes, start: int) -> tuple[str, int]:
    first = zpl[start : start + 1].decode("latin-1").upper()
    if first == "A":
        return "A", start + 1
    return zpl[start : start + 2].decode("latin-1").upper(), start + 2


def _end_of_args(zpl: bytes, name: str, start: int, prefix: str) -> int:
    if prefix == "^" and name == "GF":
        binary = _BINARY_GRAPHIC.match(zpl, start)
        if binary:
            return min(len(zpl), binary.end() + _binary_tail(zpl, binary.end(), int(binary[1])))
    if prefix == "^" and name in _DATA_COMMANDS:
        end = zpl.find(b"^", start)
        return len(zpl) if end < 0 else end
    return _next_prefix(zpl, start)


def _binary_tail(zpl: bytes, start: int, sent: int) -> int:
    """Bytes of ``^GFB,b,c,d,<b bytes>`` after the first count: two more numbers, then data."""
    rest = re.match(rb"(\d+),(\d+),", zpl[start : start + 40])
    return (rest.end() + sent) if rest else 0


def _next_prefix(zpl: bytes, start: int) -> int:
    found = _PREFIX.search(zpl, start)
    return found.start() if found else len(zpl)
