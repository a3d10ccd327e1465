"""Sample labels: every layout at any size and resolution, and the product code variants."""

from __future__ import annotations

from collections.abc import Callable

from printers import layouts

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
