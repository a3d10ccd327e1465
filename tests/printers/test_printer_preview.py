"""Offline ZPL → PNG: the rendered barcodes decode (zxing-cpp) to the data a printer would print."""

from __future__ import annotations

import base64
import io
import zlib
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw

from printers import graphics, zpl
from printers.preview import __main__ as preview_cli
from printers.preview import render
from tests.printers.decode import decode_all, decode_barcodes
from warehouse.labels import print_runs
from warehouse.marketplaces.sandbox import ozon, pdf, wb_stickers, yandex

GS = "\x1d"
CRYPTO = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"  # AI 92: 44 characters
MARKING = f"0104601234567893215ABCDEfghIJKL{GS}91EE06{GS}92{CRYPTO}"
SSCC = "146012340000000014"  # check digit 4 (the fact sheet's …15 fails mod 10)
DPIS = (203, 300)


def label(body: str, width: int = 600, height: int = 600) -> bytes:
    return f"^XA^CI28^PW{width}^LL{height}{body}^XZ".encode()


def black_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the black dots of a rendered label."""
    return ImageChops.invert(image.convert("L")).getbbox()


# --- barcodes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", DPIS)
def test_ean13_gets_the_check_digit_the_printer_computes(dpi: int) -> None:
    zpl_bytes = label("^FO60,60^BY3^BEN,120,Y,N^FD460123456789^FS")
    assert decode_all(zpl_bytes, dpi) == [("EAN13", "4601234567893")]
    assert render(zpl_bytes, dpi=dpi).warnings == ()


def test_a_wrong_ean13_check_digit_is_replaced_and_reported() -> None:
    zpl_bytes = label("^FO60,60^BY3^BEN,120,Y,N^FD4601234567890^FS")
    assert decode_all(zpl_bytes) == [("EAN13", "4601234567893")]
    (warning,) = render(zpl_bytes).warnings
    assert "check digit 0 of 4601234567890 is wrong" in warning and "4601234567893" in warning


def test_ean8_and_upca() -> None:
    zpl_bytes = label("^BY3^FO60,60^B8N,100^FD9638507^FS^FO60,300^BUN,100^FD03600029145^FS")
    # zxing-cpp reports a UPC-A as the EAN-13 it is, with a leading 0
    assert decode_all(zpl_bytes) == [("EAN8", "96385074"), ("EAN13", "0036000291452")]


def test_code128_mode_n_stays_in_subset_b_unless_told() -> None:
    subset_b = render(label("^FO40,40^BY2^BCN,80,N^FD12345678^FS")).labels[0].image
    subset_c = render(label("^FO40,40^BY2^BCN,80,N^FD>;12345678^FS")).labels[0].image
    # start + 8 data + check = 10 symbols of 11 modules + a 13-module stop, 2 dots a module
    assert _width(subset_b) == (11 * 10 + 13) * 2
    assert _width(subset_c) == (11 * 6 + 13) * 2  # 4 digit pairs
    assert decode_all(label("^FO40,40^BY2^BCN,80,N^FD>;12345678^FS")) == [("Code128", "12345678")]


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize(
    "body",
    [
        f"^BCN,120,Y,N,N^FD>;>800{SSCC}^FS",
        f"^BCN,120,Y,N,N,D^FD(00){SSCC}^FS",
        f"^BCN,120,Y,N,N,D^FD(00){SSCC[:-1]}^FS",  # mode D adds the SSCC check digit
    ],
)
def test_gs1_128_box_label_sscc(dpi: int, body: str) -> None:
    (found,) = decode_barcodes(label("^FO40,60^BY2" + body), dpi)
    assert (found.format, found.text, found.symbology) == ("Code128", "00" + SSCC, "]C1")


def test_plain_code128_is_not_gs1() -> None:
    (found,) = decode_barcodes(label("^FO40,60^BY2^BCN,100,Y,N,N^FDBIN-A-01-02^FS"))
    assert (found.text, found.symbology) == ("BIN-A-01-02", "]C0")


@pytest.mark.parametrize("dpi", DPIS)
def test_qr_switches_are_not_part_of_the_data(dpi: int) -> None:
    zpl_bytes = label("^FO60,60^BQN,2,5^FDQA,https://example.ru/поставка/WB-GI-1234^FS")
    assert decode_all(zpl_bytes, dpi) == [("QRCode", "https://example.ru/поставка/WB-GI-1234")]


def test_qr_manual_byte_mode() -> None:
    zpl_bytes = label("^FO60,60^BQN,2,5^FDHM,B0011WB-GI-12345^FS")
    assert decode_all(zpl_bytes) == [("QRCode", "WB-GI-12345")]


@pytest.mark.parametrize("dpi", DPIS)
def test_gs1_datamatrix_of_a_chestny_znak_code(dpi: int) -> None:
    data = MARKING.replace(GS, "_1")
    zpl_bytes = label(f"^FO60,60^BXN,6,200,,,,_^FD_1{data}^FS")
    (found,) = decode_barcodes(zpl_bytes, dpi)
    assert (found.format, found.text, found.symbology) == ("DataMatrix", MARKING, "]d2")


def test_datamatrix_with_fh_escaped_group_separators() -> None:
    data = MARKING.replace(GS, "\\1D")
    (found,) = decode_barcodes(label(f"^FO60,60^BXN,6,200,,,,_^FH\\^FD_1{data}^FS"))
    assert (found.text, found.symbology) == (MARKING, "]d2")


def test_datamatrix_without_fnc1_is_plain() -> None:
    (found,) = decode_barcodes(label("^FO60,60^BXN,6,200,,,,_^FDTOTE-0042^FS"))
    assert (found.text, found.symbology) == ("TOTE-0042", "]d1")


def test_bad_barcode_data_leaves_the_field_out_with_a_warning() -> None:
    preview = render(label("^FO60,60^BEN,100^FD46012345678X^FS"))
    assert black_box(preview.labels[0].image) is None
    assert any("digits only" in warning for warning in preview.warnings)


# --- marketplace labels ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(wb_stickers.KINDS))
@pytest.mark.parametrize("size", sorted(wb_stickers.SIZES))
def test_wb_sandbox_sticker_renders_and_decodes(kind: str, size: tuple[int, int]) -> None:
    sticker = wb_stickers.sticker_for(4242)
    zpl_bytes = wb_stickers.render_zpl(sticker, kind, *size).encode()
    preview = render(zpl_bytes)
    assert preview.labels[0].image.size == (size[0] * 8, size[1] * 8)
    assert preview.warnings == ()
    (found,) = decode_barcodes(zpl_bytes)
    assert (found.format, found.text) == ("Code128", sticker.barcode)
    assert found.orientation in ((90, 270) if kind == "zplv" else (0,))


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize(
    ("marketplace", "page_mm", "code"),
    [
        ("ozon", ozon.LABEL_SIZE_MM, "87654321-0012-1"),
        ("yandex", yandex.LABEL_SIZES_MM["A7"], "5012345-1"),
        ("yandex", yandex.LABEL_SIZES_MM["A9_HORIZONTALLY"], "5012345-2"),
    ],
)
def test_sandbox_pdf_label_survives_the_trip_through_gfa(
    dpi: int, marketplace: str, page_mm: tuple[int, int], code: str
) -> None:
    document = pdf.text_pdf([["LABEL", code, "line three"]], *page_mm, [code])
    width, height = print_runs.LABEL_SIZES_MM[marketplace]
    zpl_bytes = graphics.pdf_to_zpl(document, dpi=dpi, width_mm=width, height_mm=height)
    assert b"^GFA" in zpl_bytes and b":Z64:" in zpl_bytes
    preview = render(zpl_bytes, dpi=dpi)
    assert preview.labels[0].image.size == (zpl.dots(width, dpi), zpl.dots(height, dpi))
    assert decode_all(zpl_bytes, dpi) == [("Code128", code)]


# --- text -----------------------------------------------------------------------------------------


def test_cyrillic_glyphs_are_drawn_not_boxes() -> None:
    def text_image(word: str) -> Image.Image:
        return render(label(f"^FO20,20^A0N,60,60^FD{word}^FS", 400, 120)).labels[0].image

    zhe, shcha = text_image("Ж"), text_image("Щ")
    assert black_box(zhe) is not None
    # a font without Cyrillic draws both as the same "missing glyph" box
    assert ImageChops.difference(zhe.convert("L"), shcha.convert("L")).getbbox() is not None


def test_fh_hex_escapes_are_utf8_bytes() -> None:
    escaped = render(label("^FO20,20^A0N,50,50^FH^FD_D0_94_D0_BE_D0_BC^FS")).png
    plain = render(label("^FO20,20^A0N,50,50^FDДом^FS")).png
    assert escaped == plain
    built = render(label("^FO20,20^A0N,50,50" + zpl.field_data("Дом"))).png
    assert built == plain


def test_test_label_text_is_centred_in_its_block() -> None:
    image = render(zpl.test_label("Проверка печати")).labels[0].image
    box = black_box(image)
    assert box is not None
    left_margin, right_margin = box[0], image.width - box[2]
    assert abs(left_margin - right_margin) <= 2


def test_field_block_wraps_into_its_lines() -> None:
    one = render(label("^FO10,10^A0N,30,30^FB300,1^FDслово^FS")).labels[0].image
    three = render(label("^FO10,10^A0N,30,30^FB300,3^FDслово слово слово слово слово^FS"))
    one_box, three_box = black_box(one), black_box(three.labels[0].image)
    assert one_box and three_box
    assert three_box[3] - three_box[1] > 2 * (one_box[3] - one_box[1])
    assert three_box[2] <= 10 + 300


def test_rotated_text_runs_down_the_label() -> None:
    box = black_box(render(label("^FO100,50^A0R,40,40^FDНаклейка^FS")).labels[0].image)
    assert box is not None
    assert box[3] - box[1] > 3 * (box[2] - box[0])
    assert box[0] >= 100 and box[1] >= 50


def test_ft_places_the_baseline() -> None:
    box = black_box(render(label("^FT100,200^A0N,50,50^FDHHH^FS")).labels[0].image)
    assert box is not None and box[0] >= 100 and 198 <= box[3] <= 202


# --- boxes, graphics, reverse ---------------------------------------------------------------------


def test_label_home_moves_every_field() -> None:
    box = black_box(render(label("^LH50,60^FO0,0^GB100,40,40^FS")).labels[0].image)
    assert box == (50, 60, 150, 100)


def test_field_reverse_prints_white_on_black() -> None:
    image = render(label("^FO0,0^GB200,100,100^FS^FO0,0^FR^GB100,100,100^FS")).labels[0].image
    assert image.getpixel((50, 50)) == 255 and image.getpixel((150, 50)) == 0


def test_white_box_erases() -> None:
    image = render(label("^FO0,0^GB200,100,100^FS^FO50,25^GB50,50,50,W^FS")).labels[0].image
    assert image.getpixel((75, 50)) == 255 and image.getpixel((10, 10)) == 0


def _pattern() -> Image.Image:
    image = Image.new("1", (40, 12), 1)
    ImageDraw.Draw(image).rectangle((4, 2, 20, 9), fill=0)
    return image


def test_gf_hex_acs_and_z64_draw_the_same_bitmap() -> None:
    z64 = graphics.graphic_field(_pattern())
    raw = _pattern().tobytes().translate(bytes(255 - v for v in range(256)))
    plain = "".join(f"{byte:02X}" for byte in raw)
    rows = [plain[i : i + 10] for i in range(0, len(plain), 10)]
    acs = "".join(
        ":"
        if index and row == rows[index - 1]
        else row.rstrip("0") + ("," if row.endswith("0") else "")
        for index, row in enumerate(rows)
    )
    images = [
        render(label(f"^FO10,10^GFA,60,60,5,{data}^FS")).labels[0].image.tobytes()
        for data in (plain, acs, z64.split(",", 4)[4])
    ]
    assert images[0] == images[1] == images[2]
    box = black_box(render(label(f"^FO10,10{z64}^FS")).labels[0].image)
    assert box == (14, 12, 31, 20)


def test_a_corrupted_z64_crc_raises() -> None:
    field = graphics.graphic_field(_pattern())
    damaged = field[:-4] + f"{(int(field[-4:], 16) ^ 1):04x}"
    with pytest.raises(ValueError, match="CRC"):
        render(label(f"^FO0,0{damaged}^FS"))


def test_z64_bomb_is_inflated_only_to_the_declared_size() -> None:
    bomb = base64.b64encode(zlib.compress(b"\xff" * 50_000_000, 9)).decode()
    crc = graphics.crc16_xmodem(bomb.encode())
    image = render(label(f"^FO0,0^GFA,80,80,8,:Z64:{bomb}:{crc:04x}^FS")).labels[0].image
    assert black_box(image) == (0, 0, 64, 10)


# --- the stream, limits, unknown commands ---------------------------------------------------------


def test_several_formats_give_one_image_each_and_keep_the_size() -> None:
    stream = label("^FO10,10^GB20,20,20^FS", 300, 200) + b"\n^XA^FO10,10^GB30,30,30^FS^XZ"
    preview = render(stream)
    assert [item.image.size for item in preview.labels] == [(300, 200), (300, 200)]
    assert black_box(preview.labels[1].image) == (10, 10, 40, 40)
    assert Image.open(io.BytesIO(preview.labels[1].png)).size == (300, 200)


def test_without_pw_and_ll_the_given_size_is_used() -> None:
    preview = render(b"^XA^FO10,10^GB20,20,20^FS^XZ", dpi=300, width_mm=58, height_mm=40)
    assert preview.labels[0].image.size == (696, 480)


def test_unknown_commands_are_skipped_and_named() -> None:
    preview = render(label("^ZZ1,2^FO10,10^A0N,20,20^FDok^FS^PQ2^XG:LOGO.GRF^FS"))
    assert "^ZZ is not supported; skipped" in preview.warnings
    assert "^XG is not supported; skipped" in preview.warnings
    assert not any("PQ" in warning for warning in preview.warnings)
    assert black_box(preview.labels[0].image) is not None


def test_a_tilde_in_field_data_is_reported() -> None:
    preview = render(label("^FO10,10^A0N,20,20^FDa~b^FS"))
    assert any("~ in field data" in warning for warning in preview.warnings)


@pytest.mark.parametrize(
    ("zpl_bytes", "message"),
    [
        (b"^XA^PW99999^LL400^XZ", "dots allowed"),
        (b"^XA^PW400^LL99999^XZ", "dots allowed"),
        (b"^XA^FO0,0^GFA,900000000,900000000,30000,FF^FS^XZ", "larger than"),
        (b"^XA^FO0,0^A0N,90000,90000^FDx^FS^XZ", "dots allowed"),
        (b"^XA^FO0,0^BY2^BCN,100000^FDx^FS^XZ", "dots allowed"),
        (b"no format here", "no \\^XA"),
    ],
)
def test_hostile_sizes_raise_a_clear_value_error(zpl_bytes: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(zpl_bytes)


def test_a_long_text_line_is_refused_before_it_is_drawn() -> None:
    with pytest.raises(ValueError, match="larger than any label"):
        render(label("^FO0,0^A0N,1000,1000^FD" + "Ш" * 2000 + "^FS"))


def test_a_field_block_of_too_many_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="larger than any label"):
        render(label("^FO0,0^A0N,1000,1000^FB3000,9000^FDШ^FS"))


def _width(image: Image.Image) -> int:
    box = black_box(image)
    assert box is not None
    return box[2] - box[0]


def test_ft_on_rotated_text_is_the_start_of_its_baseline() -> None:
    box = black_box(render(label("^FT100,50^A0R,40,40^FDHHH^FS")).labels[0].image)
    assert box is not None
    assert 98 <= box[0] <= 102  # letters stand to the right of the baseline
    assert 50 <= box[1] <= 56


def test_print_orientation_inverted_turns_the_whole_label() -> None:
    image = render(label("^POI^FO0,0^GB100,50,50^FS", 400, 200)).labels[0].image
    assert black_box(image) == (300, 150, 400, 200)


def test_label_reverse_and_label_shift() -> None:
    image = render(label("^LRY^LS20^FO0,0^GB200,100,100^FS^FO40,0^GB100,100,100^FS")).labels[0]
    assert black_box(image.image) == (0, 0, 180, 100)
    assert image.image.getpixel((60, 50)) == 255  # the second box reversed the first


def test_field_orientation_turns_barcodes_but_not_graphics() -> None:
    image = render(label("^FWR^FO10,10^GB200,20,20^FS")).labels[0].image
    assert black_box(image) == (10, 10, 210, 30)
    zpl_bytes = label("^FWR^BY2^FO40,40^BCN,80,N^FDBIN-7^FS^FO400,200^BC,80,N^FDBIN-8^FS")
    found = {item.text: item.orientation for item in decode_barcodes(zpl_bytes)}
    assert found["BIN-7"] == 0 and found["BIN-8"] in (90, 270)


def test_command_line_writes_one_png_per_format(tmp_path: Path) -> None:
    source = tmp_path / "box.zpl"
    source.write_bytes(label("^FO10,10^GB20,20,20^FS") * 2 + b"^XA^ZZ^XZ")
    assert preview_cli.main([str(source), "--out", str(tmp_path / "png")]) == 0
    written = sorted((tmp_path / "png").iterdir())
    assert [path.name for path in written] == ["box-1.png", "box-2.png", "box-3.png"]
    assert Image.open(written[0]).size == (600, 600)
    source.write_bytes(b"nothing")
    assert preview_cli.main([str(source)]) == 1


def test_gf_binary_is_read_by_its_byte_count_and_b64_by_its_crc() -> None:
    raw = b"\x5e~\x5e\x00\xff" * 2  # carets and tildes inside binary data are data
    binary = label("^FO10,10^GFB,10,10,5,").removesuffix(b"^XZ") + raw + b"^FS^XZ"
    hex_form = label(f"^FO10,10^GFA,10,10,5,{raw.hex().upper()}^FS")
    encoded = base64.b64encode(raw).decode()
    b64 = label(
        f"^FO10,10^GFA,10,10,5,:B64:{encoded}:{graphics.crc16_xmodem(encoded.encode()):04x}^FS"
    )
    images = [render(zpl_bytes).labels[0].image.tobytes() for zpl_bytes in (binary, hex_form, b64)]
    assert images[0] == images[1] == images[2]
    assert render(binary).warnings == ()


def test_code128_mode_a_chooses_subsets_itself() -> None:
    image = render(label("^FO40,40^BY2^BCN,80,N,N,N,A^FD12345678^FS")).labels[0].image
    assert _width(image) == (11 * 6 + 13) * 2  # subset C, as >; would give


@pytest.mark.parametrize(("switch", "level"), [("HA", "H"), ("LA", "L"), ("QA", "Q")])
def test_qr_error_correction_comes_from_the_field_data(switch: str, level: str) -> None:
    zpl_bytes = label(f"^FO60,60^BQN,2,5^FD{switch},WB-GI-1^FS")
    image = render(zpl_bytes).labels[0].image.convert("L")
    (found,) = zxingcpp.read_barcodes(image)
    assert (found.text, found.ec_level) == ("WB-GI-1", level)


def test_datamatrix_decimal_escape_gives_a_group_separator() -> None:
    data = MARKING.replace(GS, "_d029")
    (found,) = decode_barcodes(label(f"^FO60,60^BXN,6,200,,,,_^FD_1{data}^FS"))
    assert (found.text, found.symbology) == (MARKING, "]d2")


def test_qr_with_an_unknown_error_correction_is_drawn_with_q_and_named() -> None:
    preview = render(label("^FO60,60^BQN,2,5,3^FDWB-GI-1^FS"))  # no switches: the 4th parameter
    (found,) = zxingcpp.read_barcodes(preview.labels[0].image.convert("L"))
    assert (found.text, found.ec_level) == ("WB-GI-1", "Q")
    assert any("error correction '3'" in warning for warning in preview.warnings)


def test_a_number_too_big_for_a_float_is_not_a_number() -> None:
    preview = render(label("^LL" + "9" * 400 + "^FO10,10^GB50,50,50^FS", 200, 200))
    assert preview.labels[0].image.size == (200, 200)
    assert any("is not a number" in warning for warning in preview.warnings)


def test_a_barcode_parameter_too_big_for_a_float_is_the_smallest() -> None:
    huge = "9" * 400
    (found,) = decode_barcodes(label(f"^FO60,60^BQN,2,{huge}^FDQA,WB-GI-1^FS"))
    assert found.text == "WB-GI-1"
