from __future__ import annotations

import pytest

from printers import VirtualZebra, send_zpl, zpl


def test_field_data_escapes_command_prefixes() -> None:
    escaped = zpl.field_data("a^XZ~JR_b")
    assert escaped == "^FH^FDa_5EXZ_7EJR_5Fb^FS"
    data = escaped.removeprefix("^FH^FD").removesuffix("^FS")
    assert "^" not in data and "~" not in data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("line\nbreak\ttab", "line_0Abreak_09tab"),
        ("\x00\x1d\x7f", "_00_1D_7F"),
        ("\x85", "_C2_85"),  # a C1 control as its UTF-8 bytes, as ^CI28 expects
        ("Молоко 3,2% ~1 л", "Молоко 3,2% _7E1 л"),
        ("", ""),
    ],
)
def test_field_data_escapes_control_characters(text: str, expected: str) -> None:
    assert zpl.field_data(text) == f"^FH^FD{expected}^FS"


@pytest.mark.parametrize(
    ("mm", "dpi", "expected"),
    [(58, 203, 464), (40, 203, 320), (75, 203, 600), (120, 203, 960), (58, 300, 696)],
)
def test_dots(mm: float, dpi: int, expected: int) -> None:
    assert zpl.dots(mm, dpi) == expected


def test_label_is_utf8_with_ci28() -> None:
    data = zpl.label(58, 40, 203, "^FO10,10^A0N,30,30" + zpl.field_data("Кефир 1%"))
    text = data.decode("utf-8")
    assert text.startswith("^XA^CI28^PW464^LL320")
    assert text.endswith("^XZ") and "Кефир 1%" in text


def test_label_size_follows_dpi() -> None:
    assert zpl.label(75, 120, 300, "").startswith(b"^XA^CI28^PW900^LL1440")


def test_label_refuses_a_body_with_format_boundaries() -> None:
    with pytest.raises(ValueError):
        zpl.label(58, 40, 203, "^FDa^FS^XZ^XA^FDb^FS")


def test_test_label() -> None:
    data = zpl.test_label("Проверка ^XZ", dpi=300)
    text = data.decode("utf-8")
    assert text.startswith("^XA^CI28^PW696^LL480") and text.count("^XZ") == 1
    assert "Проверка _5EXZ" in text


def test_injected_text_prints_as_one_label(printer: VirtualZebra) -> None:
    data = zpl.label(58, 40, 203, "^FO10,10^A0N,30,30" + zpl.field_data("a^XZ~JR~HS_b^XA"))
    send_zpl(*printer.address, data, check_status=False)
    assert printer.wait_for_labels(1, timeout=2) == [data]
    assert printer.held == []
