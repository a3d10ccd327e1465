"""Golden ZPL for every layout at every size and both resolutions.

A difference fails the test. After a deliberate layout change, regenerate with
``UPDATE_GOLDEN=1 python -m pytest tests/printers/test_layouts_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from printers import layouts
from tests.printers.label_samples import LAYOUTS, VARIANTS

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    pytest.param(name, size, dpi, id=f"{name}-{size[0]}x{size[1]}-{dpi}")
    for name in LAYOUTS
    for size in layouts.SIZES
    for dpi in (203, 300)
]


def assert_golden(name: str, produced: bytes) -> None:
    path = GOLDEN / f"{name}.zpl"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(produced)
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert produced.decode("utf-8") == path.read_bytes().decode("utf-8")  # no newline folding


@pytest.mark.parametrize(("name", "size", "dpi"), CASES)
def test_layout_matches_its_golden_file(name: str, size: tuple[int, int], dpi: int) -> None:
    width, height = size
    assert_golden(f"{name}-{width}x{height}-{dpi}", LAYOUTS[name](width, height, dpi))


@pytest.mark.parametrize("name", VARIANTS)
def test_product_code_variant_matches_its_golden_file(name: str) -> None:
    make = VARIANTS[name]
    assert_golden(name, make())
