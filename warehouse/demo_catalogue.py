"""The demo warehouse's goods, shared by the demo data loader and the sandbox marketplaces.

A sandbox can only generate orders a warehouse can fill if both sides sell the same
goods, so the list lives here once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoProduct:
    article: str
    name: str
    barcodes: tuple[str, ...]
    wb_nm_id: int
    wb_chrt_id: int
    price_kopecks: int
    bin: str
    marked: bool = False  # Честный знак: every unit's DataMatrix is scanned at pick
    cost_kopecks: int = 0  # what the seller paid: the price guards' base
    category: str = ""


PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct(
        "TSH-BLK-M",
        "Футболка чёрная, M",
        ("4601234567893",),
        110001,
        210001,
        99000,
        "A-01-01",
        marked=True,
        cost_kopecks=45000,
        category="Одежда",
    ),
    DemoProduct(
        "TSH-WHT-L",
        "Футболка белая, L",
        ("4601234567008", "4601234567015"),
        110002,
        210002,
        99000,
        "A-01-02",
        cost_kopecks=42000,
        category="Одежда",
    ),
    DemoProduct(
        "MUG-330",
        "Кружка керамическая 330 мл",
        ("4607001234562",),
        110003,
        210003,
        45000,
        "A-02-01",
        cost_kopecks=18000,
        category="Посуда",
    ),
    DemoProduct(
        "SOCK-3P",
        "Носки, 3 пары",
        ("4610012345677",),
        110004,
        210004,
        39000,
        "B-01-01",
        cost_kopecks=15000,
        category="Одежда",
    ),
    DemoProduct(
        "CABLE-USBC",
        "Кабель USB-C 1 м",
        ("4620001234561",),
        110005,
        210005,
        59000,
        "B-02-03",
        cost_kopecks=22000,
        category="Электроника",
    ),
)
