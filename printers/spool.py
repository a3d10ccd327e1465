"""The virtual Zebra's spool: one ``NNNNNN.zpl`` file per printed label, newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SPOOL_NAME = re.compile(r"\d{6}\.zpl")


@dataclass(frozen=True)
class SpoolEntry:
    name: str
    size: int
    printed_at: datetime
    first_line: str


def entries(spool_dir: Path, limit: int = 200) -> list[SpoolEntry]:
    """The newest ``limit`` labels; an absent directory is an empty spool."""
    if not spool_dir.is_dir():
        return []
    names = sorted(p.name for p in spool_dir.iterdir() if SPOOL_NAME.fullmatch(p.name))
    found = []
    for name in reversed(names[-limit:]):
        path = spool_dir / name
        stat = path.stat()
        with path.open("rb") as handle:
            head = handle.read(120)
        found.append(
            SpoolEntry(
                name=name,
                size=stat.st_size,
                printed_at=datetime.fromtimestamp(stat.st_mtime, UTC),
                first_line=head.split(b"\n", 1)[0].decode("utf-8", "replace")[:80],
            )
        )
    return found


def read(spool_dir: Path, name: str) -> bytes:
    """One label's ZPL; ``FileNotFoundError`` for a name that is not a spool file."""
    if not SPOOL_NAME.fullmatch(name):
        raise FileNotFoundError(name)
    return (spool_dir / name).read_bytes()
