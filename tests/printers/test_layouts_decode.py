"""Every layout at every size and resolution: its barcodes, drawn offline, scan as intended."""

from __future__ import annotations

import pytest

from printers import layouts
from tests.printers.decode import decode_barcodes
from tests.printers.label_samples import LAYOUTS, VARIANTS

# (zxing format, AIM symbology identifier, text a scanner sends) for each sample
EXPECTED = {
    "product": ("EAN13", "]E0", "4601234567893"),
    "box": ("Code128", "]C1", "00146012340000000021"),
    "supply": ("Code128", "]C0", "WB-GI-92837465"),
    "supply-qr": ("QRCode", "]Q1", "2000012345678"),
    "location": ("Code128", "]C0", "A-12-03-4"),
    "product-ean8": ("EAN8", "]E4", "96385074"),
    "product-upca": ("EAN13", "]E0", "0036000291452"),  # zxing reports UPC-A as its EAN-13
    "product-gtin14": ("Code128", "]C1", "0114601234567890"),
    "product-seller-code": ("Code128", "]C0", "TS-BLK-M>2"),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@pytest.mark.parametrize("size", layouts.SIZES)
@pytest.mark.parametrize("dpi", (203, 300))
def test_layout_barcode_scans_as_intended(name, size, dpi):
    zpl = LAYOUTS[name](*size, dpi)
    found = [(b.format, b.symbology, b.text) for b in decode_barcodes(zpl, dpi)]
    assert found == [EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_product_code_variants_scan_as_intended(name):
    found = [(b.format, b.symbology, b.text) for b in decode_barcodes(VARIANTS[name](), 203)]
    assert found == [EXPECTED[name]]
