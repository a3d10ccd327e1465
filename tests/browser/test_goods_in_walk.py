"""Goods in and goods counted, walked as people do it (issue 12's «Done when»).

On the desk (1440×900) the supervisor loads the bins and a catalogue XLSX with two bad
rows (shown, nothing applied), fixes it and applies it, and opens a supplier delivery
from its list. On the ТСД (480×800) the receiver takes one product in surplus and another
short; the desk shows both before closing. Put-away makes the WB order that waited for
the stock pickable; it is picked and packed on the ТСД. The supervisor counts zone A: a
bin comes out short, is recounted, and the count is approved. The parcel goes to WB and
comes back as a return: its units go back to a bin. The ledger reconciles and the WB
sandbox holds the free stock we hold.
"""

from __future__ import annotations

import io
import time

import httpx
import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories as f
from tests.browser.conftest import screenshot
from tests.browser.test_handover_walk import deliver_until_done
from tests.browser.test_tsd_scanning import feedback, scan
from tests.conftest import CREDENTIALS_KEY
from tests.test_marketplace_flows import import_all, sandbox_cart
from warehouse import demo, jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.models import MarketplaceAccount, Order, OutboxCommand, Parcel, Stock, User
from warehouse.shipping import handovers
from warehouse.stock import ledger

pytestmark = pytest.mark.browser
MUG, SOCKS = PRODUCTS[2], PRODUCTS[3]  # cards the WB sandbox sells
PRODUCT_HEADER = ["article", "name", "barcodes", "cost_price", "min_stock"]


def xlsx(*rows: list[object]) -> dict[str, object]:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return {"name": "file.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()}


@pytest.fixture
def site(app, live_server, zebra):
    """An empty warehouse with a WB sandbox cabinet, a picker, a supervisor, a Zebra."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        credentials, settings = demo.SANDBOX_ACCOUNTS["wb"]
        s.add(
            MarketplaceAccount(
                kind="wb",
                name="WB",
                base_url=f"{live_server.url}/sandbox/wb",
                credentials_encrypted=seal(credentials, CREDENTIALS_KEY),
                warehouse_id=warehouse.id,
                settings=demo.sandbox_settings(settings, live_server.url),
            )
        )
        f.make_picker(s, badge="PICKER-001", name="Анна")
        f.make_supervisor(s, role="admin")
        f.make_printer(s, warehouse, zebra.address, code="PRN-001", station="PACK-1")
        s.commit()
    return live_server


def upload(desk, what: str, file: dict[str, object]) -> None:
    desk.select_option("select[name=kind]", what)
    desk.set_input_files("input[name=file]", file)
    desk.get_by_role("button", name="Загрузить и проверить").click()


def catalogue(desk, url: str) -> None:
    desk.goto(f"{url}/catalogue/")
    bins = [["code", "zone", "walk_order"], ["A-01", "A", 1], ["A-02", "A", 2], ["B-01", "B", 3]]
    upload(desk, "bins", xlsx(*bins))
    expect(desk.locator("tr.create")).to_have_count(3)
    desk.get_by_role("button", name="Применить").click()
    mug = [MUG.article, MUG.name, MUG.barcodes[0], "120.00", 2]
    socks = [SOCKS.article, SOCKS.name, SOCKS.barcodes[0], "80.00", 5]
    broken = [["", "Без артикула"], ["TEE-1", "Футболка", "4601234567894"]]  # bad check digit
    upload(desk, "products", xlsx(PRODUCT_HEADER, mug, *broken, socks))
    expect(desk.locator("p.summary")).to_contain_text("2 отклонено")
    expect(desk.locator("tr.refused")).to_have_count(2)
    expect(desk.get_by_role("button", name="Применить")).to_have_count(0)
    screenshot(desk, "walk12-01-catalogue-refused")
    desk.get_by_role("link", name="Назад к каталогу").click()
    upload(desk, "products", xlsx(PRODUCT_HEADER, mug, socks, ["TEE-1", "Футболка", ""]))
    expect(desk.locator("tr.create")).to_have_count(3)
    desk.get_by_role("button", name="Применить").click()
    expect(desk.locator("tr", has_text=MUG.article)).to_contain_text(MUG.barcodes[0])


def receive(page, desk, url: str) -> None:
    desk.goto(f"{url}/receipts")
    desk.fill("input[name=supplier]", "Посуда ООО")
    desk.set_input_files(
        "input[name=file]", xlsx(["Артикул", "Количество"], [MUG.article, 3], [SOCKS.article, 2])
    )
    desk.click("button:has-text('Открыть поставку')")
    expect(desk.locator("h2")).to_contain_text("Посуда ООО")

    page.goto(f"{url}/tsd/login")
    scan(page, "PICKER-001")
    page.wait_for_url("**/tsd/")
    page.get_by_role("link", name="Приёмка поставки").click()
    page.get_by_role("link", name="Посуда ООО").click()
    page.wait_for_url("**/tsd/receiving/*")
    page.wait_for_load_state("load")
    page.locator("#scan").focus()
    scan(page, "4")
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_contain_text("ИЗЛИШЕК")
    scan(page, SOCKS.barcodes[0])
    expect(feedback(page)).to_have_class("feedback ok")
    expect(page.locator("#receipt-lines li.surplus")).to_have_text(f"{MUG.name}: 4 / 3")
    expect(page.locator("#receipt-lines li.short")).to_have_text(f"{SOCKS.name}: 1 / 2")
    screenshot(page, "walk12-02-received")

    desk.reload()
    expect(desk.locator("tr.surplus .difference")).to_have_text("+1")
    expect(desk.locator("tr.shortage .difference")).to_have_text("-1")
    screenshot(desk, "walk12-03-receipt-difference")
    desk.click("button:has-text('Закрыть поставку')")
    expect(desk.locator("h2")).to_contain_text("закрыта")


def put_away(page, url: str) -> None:
    page.goto(f"{url}/tsd/")
    page.get_by_role("link", name="Размещение из приёмки").click()
    page.wait_for_url("**/tsd/put-away")
    page.wait_for_load_state("load")
    page.locator("#scan").focus()
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_contain_text("Отнесите в ячейку A-01")
    scan(page, "4")
    scan(page, "LOC-A-01")
    expect(feedback(page)).to_contain_text("Заказов можно собирать: 1")
    scan(page, SOCKS.barcodes[0])
    expect(feedback(page)).to_contain_text("Отнесите в ячейку A-02")
    scan(page, "LOC-A-02")
    expect(feedback(page)).to_have_class("feedback done")
    screenshot(page, "walk12-04-put-away")


def pick_and_pack(page, url: str, worker) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/tsd/")
    page.get_by_role("button", name="Следующее задание").click()
    expect(page.locator("#instruction .where")).to_have_text("A-01")
    page.wait_for_load_state("load")
    page.locator("#scan").focus()
    scan(page, "LOC-A-01")
    expect(feedback(page)).to_have_class("feedback ok")
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_have_class("feedback done")
    screenshot(page, "walk12-05-picked")
    page.get_by_role("link", name="Упаковать").click()
    expect(page.locator("#pack-items")).to_contain_text("0 / 1")
    page.wait_for_load_state("load")
    page.locator("#scan").focus()
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_have_class("feedback done")
    page.get_by_role("button", name="Малая коробка").click()
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "queued")
    worker()  # WB hears «packed» (the order joins a supply), the sticker prints
    expect(page.locator("#pack")).to_have_attribute("data-print-status", "printed", timeout=10000)


def count_zone(page, desk, url: str) -> None:
    desk.goto(f"{url}/counts")
    desk.select_option("select[name=kind]", "zone")
    desk.fill("input[name=scope]", "A")
    desk.get_by_role("button", name="Открыть").click()
    desk.wait_for_url("**/counts/*")

    page.goto(f"{url}/tsd/")
    page.get_by_role("link", name="Инвентаризация (пересчёт)").click()
    page.locator("a.count").first.click()
    page.wait_for_url("**/tsd/counts/*")
    page.wait_for_load_state("load")  # tsd.js holds the scan form from here on
    expect(feedback(page)).to_contain_text("Инвентаризация: отсканируйте ячейку")
    scan(page, "LOC-A-01")  # three mugs lie there; two are found
    scan(page, MUG.barcodes[0])
    scan(page, MUG.barcodes[0])
    scan(page, "LOC-A-01")
    expect(feedback(page)).to_contain_text("не сходится: пересчитайте")
    expect(feedback(page)).to_have_class("feedback err")
    screenshot(page, "walk12-06-recount")
    scan(page, "LOC-A-01")
    scan(page, MUG.barcodes[0])
    scan(page, "2")  # a typed number is the last product's count
    expect(feedback(page)).to_contain_text(f"{MUG.name}: 2")
    scan(page, "LOC-A-01")
    scan(page, "LOC-A-02")
    scan(page, SOCKS.barcodes[0])
    scan(page, "LOC-A-02")
    expect(feedback(page)).to_contain_text("Все ячейки посчитаны")

    desk.reload()
    expect(desk.locator("tr.count-line.differs")).to_have_count(1)
    desk.get_by_role("button", name="Утвердить").click()
    expect(desk.locator(".banner.notice")).to_contain_text("Пересчёт утверждён")
    screenshot(desk, "walk12-07-count-approved")


def hand_over(app, worker, order_id: int) -> str:
    """The loader loads the parcel and the supervisor closes WB's pickup (walked in the
    hand-over's own browser test); the worker closes the supply at WB."""
    with app.app_context():
        s = db.session()
        order = s.get_one(Order, order_id)
        sticker = s.scalar(select(Parcel.label_barcode).where(Parcel.order_id == order_id))
        boss = s.scalar(select(User).where(User.login == "boss"))
        handovers.load(s, order.handover_id, sticker, boss)
        handovers.close(s, order.handover_id, boss, "", None)
        s.commit()
    commands = deliver_until_done(app, worker)
    assert [c.status for c in commands] == ["done"]
    with app.app_context():
        assert db.session().get_one(Order, order_id).status == "handed_over"
    return sticker


def take_back(page, url: str, sticker: str) -> None:
    page.goto(f"{url}/tsd/")
    page.get_by_role("link", name="Приём возврата").click()
    page.locator("#scan").focus()
    scan(page, sticker)
    page.wait_for_url("**/tsd/returns/*")
    page.wait_for_load_state("load")
    page.locator("#scan").focus()
    scan(page, MUG.barcodes[0])
    expect(feedback(page)).to_have_class("feedback ok")
    scan(page, "LOC-A-01")
    expect(feedback(page)).to_contain_text("принят полностью")
    expect(page.locator(".return-lines")).to_contain_text(f"{MUG.name}: 1 / 1")
    expect(page.locator(".grade-buttons")).to_have_count(0)
    screenshot(page, "walk12-08-return")
    scan(page, sticker)  # the next parcel is scanned in the same field
    expect(page.locator("#feedback")).to_contain_text("уже принят")


def free_mugs(app) -> int:
    with app.app_context():
        stocks = db.session().scalars(
            select(Stock).join(Stock.product).where(Stock.product.has(article=MUG.article))
        )
        return sum(s.on_hand - s.reserved for s in stocks if not s.location.receiving)


def pushed_stock(app, url: str, worker) -> dict[int, int]:
    """Run the worker until the debounced stock pushes are delivered; WB's stock then."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        worker()
        with app.app_context():
            pending = db.session().scalar(
                select(OutboxCommand.id).where(
                    OutboxCommand.kind == "push_stock", OutboxCommand.status == "pending"
                )
            )
        if pending is None:
            break
        time.sleep(1)
    state = httpx.get(f"{url}/sandbox/wb/_control/state").json()
    return {row["chrtId"]: row["amount"] for row in state["stocks"]}


def test_goods_in_counted_picked_returned_and_the_ledger_reconciles(
    app, site, worker, tsd_page, desk_page
):
    url, desk, page = site.url, desk_page, tsd_page
    desk.goto(f"{url}/login")
    desk.fill("input[name=login]", "boss")
    desk.fill("input[name=password]", "boss")
    desk.press("input[name=password]", "Enter")
    desk.wait_for_url(f"{url}/")
    catalogue(desk, url)
    with app.app_context():
        jobs.import_all_cards()  # the cabinet's cards link to the products just loaded
    worker()
    external_id = sandbox_cart(site, "wb", MUG.article)  # WB: an order is one unit
    import_all(app, worker)
    with app.app_context():
        order = db.session().scalar(select(Order).where(Order.external_id == external_id))
        assert order.status == "awaiting_stock", order.status  # nothing on shelves yet
        order_id = order.id

    receive(page, desk, url)
    put_away(page, url)
    with app.app_context():
        assert db.session().get_one(Order, order_id).status == "reserved"
    pick_and_pack(page, url, worker)
    count_zone(page, desk, url)
    sticker = hand_over(app, worker, order_id)
    take_back(page, url, sticker)

    with app.app_context():
        s = db.session()
        assert s.get_one(Order, order_id).status == "returned"
        assert ledger.disagreements(s) == []
    reconciled = app.test_cli_runner().invoke(args=["stock-reconcile"])
    assert reconciled.exit_code == 0, reconciled.output
    # 4 received − 1 picked − 1 not found by the count + 1 back from the return
    assert free_mugs(app) == 3
    assert pushed_stock(app, url, worker).get(MUG.wb_chrt_id) == 3
