"""Zebra label printers: ZPL labels, ``~HS`` status, raw TCP 9100, a virtual printer.

This package knows labels and printers and nothing about orders or marketplaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from printers.delivery import Delivery, Target, Timeouts, check, deliver
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
    "Delivery",
    "HostStatus",
    "PrinterError",
    "PrinterNotReady",
    "PrinterSendFailed",
    "PrinterUnreachable",
    "Probe",
    "Target",
    "Timeouts",
    "VirtualZebra",
    "check",
    "deliver",
    "dots",
    "field_data",
    "format_host_status",
    "label",
    "parse_host_status",
    "probe",
    "query_status",
    "send_zpl",
    "test_label",
]


def __getattr__(name: str) -> Any:
    # Imported lazily: importing printers.virtual here would make
    # ``python -m printers.virtual`` run a second copy of that module.
    if name == "VirtualZebra":
        from printers.virtual import VirtualZebra

        return VirtualZebra
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
