"""Label previews on the supervisor's pages: PNG routes, the job page, the spool, pasted ZPL."""

from __future__ import annotations

import base64
import io
import re

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

import printers
from tests.test_printer_pages import login_admin
from warehouse.demo import DEMO_PRINTER_CODE
from warehouse.infra import db
from warehouse.labels import label_preview
from warehouse.models import Order, Parcel, Printer, PrintJob

CODE128 = b"^XA^FO60,60^BY3^BCN,150,N,N,N^FDWB-123456^FS^XZ"  # no ^PW/^LL: the printer's size
UNKNOWN_COMMAND = b"^XA^PW464^LL320^FO20,20^BY2^BCN,80,N,N,N^FD12345^FS^XY7^XZ"
DAMAGED = b"^XA^FO0,0^GFA,8,8,1,:Z64:eJxjYAAAAAIAAQ==:0000^FS^XZ"  # wrong CRC


def add_job(app, content: bytes | None, *, dpi: int = 203, size=(58, 40), parcel_id=None) -> int:
    """A print job on the demo printer (203 dpi, 58×40), or on a printer of this dpi and size
    that nobody sends to."""
    with app.app_context():
        session = db.session()
        printer = session.scalar(select(Printer).where(Printer.code == DEMO_PRINTER_CODE))
        if (dpi, size) != (printer.dpi, (printer.label_width_mm, printer.label_height_mm)):
            printer = Printer(
                warehouse_id=printer.warehouse_id,
                name=f"Zebra {dpi} {size}",
                code=f"PRN-{dpi}-{size[0]}",
                host="127.0.0.1",
                port=9,
                dpi=dpi,
                label_width_mm=size[0],
                label_height_mm=size[1],
            )
        job = PrintJob(
            printer=printer, kind="marketplace_label", content=content, parcel_id=parcel_id
        )
        session.add(job)
        session.commit()
        return job.id


def png_of(response) -> Image.Image:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "image/png"
    return Image.open(io.BytesIO(response.data))


def barcodes(image: Image.Image) -> list[tuple[str, str]]:
    found = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    return [(barcode.format.name, barcode.text) for barcode in found]


def test_job_png_is_drawn_at_its_printers_dpi_and_label_size(app, client, demo_site):
    job_id = add_job(app, CODE128, dpi=300, size=(75, 120))
    login_admin(client)
    image = png_of(client.get(f"/print-jobs/{job_id}/preview.png"))
    assert image.size == (900, 1440)  # 75×120 mm at 12 dots per mm
    assert round(image.info["dpi"][0]) == 300
    assert barcodes(image) == [("Code128", "WB-123456")]


def test_each_label_of_a_multi_label_job_has_its_own_image(app, client, demo_site):
    two = printers.product_label("Кружка", "MUG-330", "4601234567893") + CODE128
    job_id = add_job(app, two)
    login_admin(client)
    first = png_of(client.get(f"/print-jobs/{job_id}/preview.png"))
    second = png_of(client.get(f"/print-jobs/{job_id}/preview.png?label=2"))
    assert first.size == second.size == (464, 320)  # the demo printer: 58×40 at 203 dpi
    assert barcodes(first) == [("EAN13", "4601234567893")]
    assert barcodes(second) == [("Code128", "WB-123456")]
    assert client.get(f"/print-jobs/{job_id}/preview.png?label=3").status_code == 404
    page = client.get(f"/print-jobs/{job_id}").get_data(as_text=True)
    assert f'src="/print-jobs/{job_id}/preview.png?label=2"' in page
    assert "Этикетка 2 из 2" in page and "58 × 40 мм, 203 dpi" in page


def test_an_image_is_sent_once_then_only_revalidated(app, client, demo_site):
    job_id = add_job(app, CODE128)
    login_admin(client)
    first = client.get(f"/print-jobs/{job_id}/preview.png")
    assert first.headers["ETag"] and "private" in first.headers["Cache-Control"]
    again = client.get(
        f"/print-jobs/{job_id}/preview.png", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    other = client.get(f"/print-jobs/{job_id}/preview.png?label=1&x=1")
    assert other.headers["ETag"] == first.headers["ETag"]


def test_a_label_still_waiting_for_the_marketplace_is_a_404_in_words(app, client, demo_site):
    job_id = add_job(app, None)
    login_admin(client)
    answer = client.get(f"/print-jobs/{job_id}/preview.png")
    assert answer.status_code == 404 and answer.content_type.startswith("text/html")
    assert "Маркетплейс ещё не выдал эту этикетку" in answer.get_data(as_text=True)
    page = client.get(f"/print-jobs/{job_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Маркетплейс ещё не выдал эту этикетку" in body
    assert "preview.png" not in body
    assert client.get("/print-jobs/999999/preview.png").status_code == 404


def test_broken_zpl_is_a_422_with_the_renderers_reason(app, client, demo_site):
    job_id = add_job(app, DAMAGED)
    login_admin(client)
    answer = client.get(f"/print-jobs/{job_id}/preview.png")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Этот ZPL не нарисовать" in text and "CRC" in text
    page = client.get(f"/print-jobs/{job_id}").get_data(as_text=True)
    assert 'data-preview-problem="label_unrenderable"' in page and "CRC" in page


def test_what_the_renderer_skipped_is_named_beside_the_image(app, client, demo_site):
    job_id = add_job(app, UNKNOWN_COMMAND)
    login_admin(client)
    page = client.get(f"/print-jobs/{job_id}").get_data(as_text=True)
    assert "data-preview-warnings" in page and "^XY is not supported" in page


def test_previews_need_a_supervisor(app, client, demo_site):
    job_id = add_job(app, CODE128)
    url = f"/print-jobs/{job_id}/preview.png"
    assert client.get(url).status_code == 302
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 401
    assert client.post("/labels/preview", data={"zpl": CODE128.decode()}).status_code == 302
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    assert client.get(url).status_code == 302
    assert client.get("/printers/spool/000001.zpl/preview.png").status_code == 302


def test_job_lists_and_the_order_page_link_to_the_preview(app, client, demo_site):
    from tests.browser.test_tsd_batch import import_order

    import_order(app, "WB-808", ("4601234567893", 1))
    with app.app_context():
        session = db.session()
        order = session.scalar(select(Order).where(Order.external_id == "WB-808"))
        parcel = Parcel(order=order)
        session.add(parcel)
        session.commit()
        order_id, parcel_id = order.id, parcel.id
    ready = add_job(app, CODE128, parcel_id=parcel_id)
    waiting = add_job(app, None, parcel_id=parcel_id)
    login_admin(client)
    rows = client.get("/print-jobs/rows").get_data(as_text=True)
    assert f'href="/print-jobs/{ready}#preview"' in rows
    assert f'href="/print-jobs/{waiting}#preview"' not in rows
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert f'href="/print-jobs/{ready}#preview" data-preview-link>Просмотр' in page
    assert "этикетка ещё не получена" in page


def test_spool_previews_read_the_dpi_off_the_label(app, client, demo_site, tmp_path):
    spool = tmp_path / "printed"
    spool.mkdir()
    (spool / "000001.zpl").write_bytes(printers.test_label("Zebra-1 PRN-001", 300))
    (spool / "000002.zpl").write_bytes(DAMAGED)
    app.config["VIRTUAL_PRINTER_SPOOL"] = str(spool)
    login_admin(client)
    page = client.get("/printers/spool").get_data(as_text=True)
    assert 'src="/printers/spool/000001.zpl/preview.png"' in page
    image = png_of(client.get("/printers/spool/000001.zpl/preview.png"))
    assert image.size == (696, 480)  # 58×40 mm at 300 dpi, read off its ^PW
    forced = png_of(client.get("/printers/spool/000001.zpl/preview.png?dpi=203"))
    assert round(forced.info["dpi"][0]) == 203
    assert client.get("/printers/spool/000002.zpl/preview.png").status_code == 422
    assert client.get("/printers/spool/000404.zpl/preview.png").status_code == 404
    assert client.get("/printers/spool/..%2Fsecret/preview.png").status_code == 404


def inline_image(fragment: str) -> Image.Image:
    found = re.search(r'src="data:image/png;base64,([^"]+)"', fragment)
    assert found, fragment
    return Image.open(io.BytesIO(base64.b64decode(found.group(1))))


def test_pasted_zpl_is_drawn_in_the_preview_area(app, client, demo_site):
    login_admin(client)
    page = client.get("/labels/preview").get_data(as_text=True)
    assert 'name="zpl"' in page and 'hx-target="#label-preview"' in page
    form = {"zpl": CODE128.decode(), "dpi": "300", "size": "100x150"}
    answer = client.post("/labels/preview", data=form, headers={"HX-Request": "true"})
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in fragment
    image = inline_image(fragment)
    assert image.size == (1200, 1800) and barcodes(image) == [("Code128", "WB-123456")]
    assert "100 × 150 мм, 300 dpi" in fragment
    whole = client.post("/labels/preview", data={**form, "zpl": UNKNOWN_COMMAND.decode()})
    assert whole.status_code == 200 and "<html" in whole.get_data(as_text=True)
    assert "^XY is not supported" in whole.get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"zpl": DAMAGED.decode()}, "CRC"),
        ({"zpl": "hello"}, "no ^XA…^XZ format"),
        ({"zpl": "  "}, "Вставьте ZPL этикетки"),
        ({"zpl": CODE128.decode(), "dpi": "250"}, "dpi"),
        ({"zpl": CODE128.decode(), "size": "1000x1000"}, "размер этикетки"),
        ({"zpl": "^XA^PW99999^XZ"}, "99999"),
    ],
)
def test_pasted_zpl_that_cannot_be_drawn_is_a_422_fragment(app, client, demo_site, form, words):
    login_admin(client)
    data = {"dpi": "203", "size": "58x40", **form}
    answer = client.post("/labels/preview", data=data, headers={"HX-Request": "true"})
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 422 and words in fragment and "<html" not in fragment
    assert "data:image/png" not in fragment


def test_pasted_zpl_is_bounded_before_it_is_read(app, client, demo_site):
    login_admin(client)
    huge = "^XA" + "^FO1,1^FDx^FS" * (label_preview.MAX_PASTED_BYTES // 12) + "^XZ"
    answer = client.post("/labels/preview", data={"zpl": huge, "dpi": "203", "size": "58x40"})
    assert answer.status_code == 422 and "Слишком много" in answer.get_data(as_text=True)
    body = "zpl=" + "A" * (4 * label_preview.MAX_PASTED_BYTES)
    flood = client.post(
        "/labels/preview", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert flood.status_code == 422 and "Слишком много" in flood.get_data(as_text=True)
