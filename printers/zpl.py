"""Small ZPL builders: sizes in dots, escaped field data, the label skeleton."""

from __future__ import annotations

import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

# Characters ZPL would read as a command prefix or as the ^FH escape indicator.
_SPECIAL = frozenset("^~_")
_FORMAT_BOUNDARY = re.compile(r"\^X[AZ]", re.IGNORECASE)


def dots_per_mm(dpi: int) -> int:
    """Zebra heads are whole dots per mm: 203 dpi = 8, 300 dpi = 12, 600 dpi = 24."""
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    return round(dpi / 25.4)


def dots(mm: float, dpi: int) -> int:
    """A length in millimetres as printer dots."""
    return round(mm * dots_per_mm(dpi))


def field_data(text: str) -> str:
    """``^FH^FD…^FS`` with ``^``, ``~``, ``_`` and control characters hex-escaped."""
    return "^FH^FD" + escape(text) + "^FS"


def escape(text: str) -> str:
    """``text`` with ``^``, ``~``, ``_`` and control characters as ``^FH`` hex escapes."""
    return "".join(_escape(char) for char in text)


def label(width_mm: float, height_mm: float, dpi: int, body: str) -> bytes:
    """One UTF-8 (``^CI28``) format of the given size around ``body``."""
    if _FORMAT_BOUNDARY.search(body):
        raise ValueError("the label body must not contain ^XA or ^XZ")
    head = f"^XA^CI28^PW{dots(width_mm, dpi)}^LL{dots(height_mm, dpi)}"
    return (head + body + "^XZ").encode("utf-8")


def test_label(text: str, dpi: int = 203) -> bytes:
    """A 58×40 mm label with one centred line of text, for "print test page"."""
    width = dots(58, dpi)
    height = dots(5, dpi)
    margin = dots(2, dpi)
    body = (
        f"^FO{margin},{dots(17, dpi)}^A0N,{height},{height}"
        f"^FB{width - 2 * margin},1,0,C,0" + field_data(text)
    )
    return label(58, 40, dpi, body)


def _escape(char: str) -> str:
    if char in _SPECIAL or unicodedata.category(char) == "Cc":
        return "".join(f"_{byte:02X}" for byte in char.encode("utf-8"))
    return char


# Keep pytest from collecting it when a test module imports it by name.
test_label.__test__ = False  # type: ignore[attr-defined]
