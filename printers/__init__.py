"""Zebra label printers: ZPL labels and layouts, barcodes, ``~HS`` status, raw TCP 9100, a
virtual printer.

This package knows labels and printers and nothing about orders or marketplaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from printers.barcodes import InvalidBarcode
from printers.delivery import Delivery, Target, Timeouts, check, deliver, deliver_document
from printers.layouts import (
    SIZES,
    LayoutError,
    box_label,
    location_label,
    location_sheet,
    product_label,
    supply_label,
)
from printers.resolution import detect_dpi, rescale
from printers.status import HostStatus, format_host_status, parse_host_status
from printers.transport import (
    PrinterError,
    PrinterNotReady,
    PrinterSendFailed,
    PrinterUnreachable,
    Probe,
    probe,
    query_status,
    send_zpl,
)
from printers.zpl import dots, field_data, label, test_label

if TYPE_CHECKING:
    from printers.virtual import VirtualZebra

__all__ = [
    "SIZES",
    "Delivery",
    "HostStatus",
    "InvalidBarcode",
    "LayoutError",
    "PrinterError",
    "PrinterNotReady",
    "PrinterSendFailed",
    "PrinterUnreachable",
    "Probe",
    "Target",
    "Timeouts",
    "VirtualZebra",
    "box_label",
    "check",
    "deliver",
    "deliver_document",
    "detect_dpi",
    "dots",
    "field_data",
    "format_host_status",
    "label",
    "location_label",
    "location_sheet",
    "parse_host_status",
    "probe",
    "product_label",
    "query_status",
    "rescale",
    "send_zpl",
    "supply_label",
    "test_label",
]


def __getattr__(name: str) -> Any:
    # Imported lazily: importing printers.virtual here would make
    # ``python -m printers.virtual`` run a second copy of that module.
    if name == "VirtualZebra":
        from printers.virtual import VirtualZebra

        return VirtualZebra
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
