"""The security tests' figures, for docs/RELIABILITY.md: test-artifacts/reliability/security.json.

Each test adds its own keys (the walk: routes and role checks; the secrets: values checked
and leaks found); the file keeps the latest of each.
"""

from __future__ import annotations

import json
from pathlib import Path

FIGURES = Path(__file__).resolve().parents[1] / "test-artifacts" / "reliability" / "security.json"


def record(**figures: int) -> None:
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    try:
        kept = json.loads(FIGURES.read_text())
    except (OSError, ValueError):
        kept = {}
    FIGURES.write_text(json.dumps({**kept, **figures}, indent=2, sort_keys=True) + "\n")
