"""warehouse.label_preview without the web: stock, form checks, refusals as codes, image names."""

from __future__ import annotations

import pytest

import printers
from warehouse.errors import DomainError, NotFound
from warehouse.labels import label_preview
from warehouse.labels.label_preview import Stock

BARCODE = b"^XA^FO20,20^BY2^BCN,80,N,N,N^FD12345^FS^XZ"


def test_a_format_without_a_size_takes_the_stock_and_reports_it_in_mm():
    sheet = label_preview.sheet(BARCODE, Stock(300, 75, 120))
    (label,) = sheet.labels
    assert (label.width_dots, label.height_dots, label.dpi) == (900, 1440, 300)
    assert (label.width_mm, label.height_mm) == (75, 120)
    assert label.png is None and sheet.problem == ""


def test_pasted_labels_carry_their_png_inline():
    sheet = label_preview.pasted_sheet(BARCODE.decode() + BARCODE.decode(), "203", "58×40")
    assert [label.number for label in sheet.labels] == [1, 2]
    assert sheet.labels[1].data_uri.startswith("data:image/png;base64,iVBOR")


@pytest.mark.parametrize(
    ("text", "dpi", "size", "problem"),
    [
        ("", "203", "58x40", "preview_empty"),
        ("x" * (label_preview.MAX_PASTED_BYTES + 1), "203", "58x40", "preview_too_large"),
        (BARCODE.decode(), "250", "58x40", "bad_printer_field"),
        (BARCODE.decode(), "2O3", "58x40", "bad_printer_field"),
        (BARCODE.decode(), "203", "60x40", "bad_printer_field"),
        ("^XA^GFA,8,8,1,:Z64:eJxjYAAAAAIAAQ==:0000^FS^XZ", "203", "58x40", "label_unrenderable"),
        ("no format at all", "203", "58x40", "label_unrenderable"),
    ],
)
def test_what_cannot_be_drawn_is_a_problem_code_not_an_exception(text, dpi, size, problem):
    sheet = label_preview.pasted_sheet(text, dpi, size)
    assert sheet.problem == problem and sheet.labels == ()


def test_unrenderable_zpl_keeps_the_renderers_reason():
    with pytest.raises(DomainError) as refused:
        label_preview.png(b"^XA^PW99999^XZ", Stock(203))
    assert refused.value.code == "label_unrenderable" and "99999" in refused.value.params["reason"]


def test_a_label_number_beyond_the_stream_is_not_found():
    assert label_preview.png(BARCODE, Stock(203), 1).startswith(b"\x89PNG")
    with pytest.raises(NotFound):
        label_preview.png(BARCODE, Stock(203), 2)
    with pytest.raises(NotFound):
        label_preview.png(BARCODE, Stock(203), 0)


def test_a_job_without_its_label_yet_has_nothing_to_draw():
    assert label_preview.sheet(None, Stock(203)).problem == "label_not_fetched"


def test_spool_files_are_drawn_at_the_dpi_their_width_says():
    at_300 = printers.test_label("X", 300)
    assert label_preview.spool_stock(at_300) == Stock(300)
    assert label_preview.spool_stock(at_300, 203) == Stock(203)
    assert label_preview.spool_stock(b"^XA^FDx^FS^XZ") == Stock(203)  # no ^PW: the usual
    assert label_preview.spool_stock(at_300, 999) == Stock(300)  # not a printer's dpi


def test_an_image_name_changes_with_anything_that_changes_the_picture():
    names = {
        label_preview.etag(BARCODE, Stock(203, 58, 40), 1),
        label_preview.etag(BARCODE, Stock(300, 58, 40), 1),
        label_preview.etag(BARCODE, Stock(203, 75, 120), 1),
        label_preview.etag(BARCODE, Stock(203, 58, 40), 2),
        label_preview.etag(BARCODE + b" ", Stock(203, 58, 40), 1),
    }
    assert len(names) == 5
    again = label_preview.etag(bytes(BARCODE), Stock(203, 58, 40), 1)
    assert again == label_preview.etag(BARCODE, Stock(203, 58, 40), 1)  # the same, every time
