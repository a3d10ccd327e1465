"""Figures of the reliability tests, for docs/RELIABILITY.md: one JSON file per test module
in test-artifacts/reliability/, one key per test, each keeping its latest run."""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "test-artifacts" / "reliability"


def record(file: str, key: str, figures: dict[str, int]) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / f"{file}.json"
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = {}
    path.write_text(json.dumps({**kept, key: figures}, indent=1, sort_keys=True) + "\n")
