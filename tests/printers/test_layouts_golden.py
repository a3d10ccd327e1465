"""Golden ZPL for every layout at every size and both resolutions.

A difference fails the test. After a deliberate layout change, regenerate with
``UPDATE_GOLDEN=1 python -m pytest tests/printers/test_layouts_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from printers import layouts

GOLDEN = Path(__file__).parent / "golden"
Layout = Callable[[float, float, int], bytes]

LAYOUTS: dict[str, Layout] = {
    "product": lambda w, h, dpi: layouts.product_label(
        "Кефир «Простоквашино» 3,2% 930 г, бутылка",
        "KEF-930_B",
        "4601234567893",
        width_mm=w,
        height_mm=h,
        dpi=dpi,
        quantity=3,
    ),
    "box": lambda w, h, dpi: layouts.box_label(
        "146012340000000021",
        "Заказ 4817-0093 · короб",
        count=(2, 3),
        width_mm=w,
        height_mm=h,
        dpi=dpi,
    ),
    "supply": lambda w, h, dpi: layouts.supply_label(
        "Wildberries",
        "WB-GI-92837465",
        caption="Склад Коледино, 02.12.2026",
        width_mm=w,
        height_mm=h,
        dpi=dpi,
    ),
    "supply-qr": lambda w, h, dpi: layouts.supply_label(
        "Ozon", "2000012345678", symbol="qr", width_mm=w, height_mm=h, dpi=dpi
    ),
    "location": lambda w, h, dpi: layouts.location_label(
        "A-12-03-4", width_mm=w, height_mm=h, dpi=dpi
    ),
}
# Other product codes, on the smallest label only: the command changes, the layout does not.
VARIANTS: dict[str, Callable[[], bytes]] = {
    "product-ean8": lambda: layouts.product_label("Жвачка", "GUM-1", "96385074"),
    "product-upca": lambda: layouts.product_label("Peanut butter", "PB-340", "036000291452"),
    "product-gtin14": lambda: layouts.product_label("Кефир, ящик 12 шт", "", "14601234567890"),
    "product-seller-code": lambda: layouts.product_label("Футболка, M", "TS-M", "TS-BLK-M>2"),
}
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
    assert produced.decode("utf-8") == path.read_text("utf-8")


@pytest.mark.parametrize(("name", "size", "dpi"), CASES)
def test_layout_matches_its_golden_file(name: str, size: tuple[int, int], dpi: int) -> None:
    width, height = size
    assert_golden(f"{name}-{width}x{height}-{dpi}", LAYOUTS[name](width, height, dpi))


@pytest.mark.parametrize("name", VARIANTS)
def test_product_code_variant_matches_its_golden_file(name: str) -> None:
    make = VARIANTS[name]
    assert_golden(name, make())
