"""A small ZPL reader for the tests: commands, fields, ^FH hex escapes.

Written independently of printers.resolution's tokenizer, so that the two check each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"([\^~])([^\^~]*)")
_HEX = re.compile(r"_([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class Command:
    prefix: str  # "^" or "~"
    code: str  # two characters: "FO", "A0", "BC"
    params: str  # what follows the code, stripped of line breaks

    def numbers(self) -> list[int]:
        return [int(value) for value in self.params.split(",") if re.fullmatch(r"-?\d+", value)]


def commands(zpl: bytes | str) -> list[Command]:
    text = zpl.decode("utf-8") if isinstance(zpl, bytes) else zpl
    return [
        Command(prefix, body[:2], body[2:].strip("\r\n")) for prefix, body in _TOKEN.findall(text)
    ]


def fields(zpl: bytes | str) -> list[list[Command]]:
    """The commands of each field, up to and including its ^FS."""
    result: list[list[Command]] = []
    current: list[Command] = []
    for command in commands(zpl):
        current.append(command)
        if command.code == "FS":
            result.append(current)
            current = []
    return result


def find(field: list[Command], code: str) -> Command | None:
    return next((command for command in field if command.code == code), None)


def data(field: list[Command]) -> str:
    """The field's ^FD data, its ^FH hex escapes decoded (as UTF-8) if the field has ^FH."""
    command = find(field, "FD")
    assert command is not None, f"no ^FD in {field}"
    if find(field, "FH") is None:
        return command.params
    decoded = bytearray()
    position = 0
    for hit in _HEX.finditer(command.params):
        decoded += command.params[position : hit.start()].encode("utf-8")
        decoded.append(int(hit.group(1), 16))
        position = hit.end()
    decoded += command.params[position:].encode("utf-8")
    return decoded.decode("utf-8")


def field_with(zpl: bytes, code: str) -> list[Command]:
    """The one field that has a ``code`` command (e.g. "BE")."""
    found = [field for field in fields(zpl) if find(field, code) is not None]
    assert len(found) == 1, f"{len(found)} fields with ^{code}"
    return found[0]


def first(commands: list[Command], code: str) -> Command:
    """The first ``code`` command, which must be there."""
    command = find(commands, code)
    assert command is not None, f"no ^{code} in {commands}"
    return command
