"""The desk's stock page: levels against the minimum (receiving goods in transit, not
free), filters, keyset pages, one product bin by bin, what each cabinet was last told."""

from __future__ import annotations

import re

from sqlalchemy import insert, select

from tests import factories as f
from warehouse.infra import db
from warehouse.marketplaces import outbox
from warehouse.models import Listing, Location, MarketplaceAccount, Product
from warehouse.stock import ledger, overview, receiving

MUG = "4607001234562"
CUP = "4600000000017"


def _shop(app) -> dict[str, int]:
    """Mug: 8 in A-01 (zone A), 4 in B-01 (zone B), 6 in the receiving area, 2 promised to
    an order, minimum 12 → free 10, below. Cup: 30 in B-01, minimum 5. Plate: never
    stocked, minimum 3. A card of the mug and of the cup at the WB cabinet."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        mug = f.make_product(s, "Кружка белая", MUG, article="MUG-1")
        cup = f.make_product(s, "Чашка", CUP, article="CUP-1")
        plate = f.make_product(s, "Тарелка", article="PLATE-1")
        mug.min_stock, cup.min_stock, plate.min_stock = 12, 5, 3
        a01 = f.make_location(s, warehouse, "A-01", walk=1)
        b01 = f.make_location(s, warehouse, "B-01", walk=2)
        a01.zone, b01.zone = "A", "B"
        f.put_stock(s, mug, a01, 8)
        f.put_stock(s, mug, b01, 4)
        f.put_stock(s, cup, b01, 30)
        dock = receiving.receiving_bin(s, warehouse)
        ledger.move(s, ledger.stock_of(s, mug.id, dock.id), 6, "receipt", document="t", user=None)
        f.import_order(s, account, "o-1", (MUG, 2))
        s.add_all(
            [
                Listing(account_id=account.id, product_id=mug.id, sku="WB-MUG", last_pushed=9),
                Listing(account_id=account.id, product_id=cup.id, sku="WB-CUP", last_pushed=30),
            ]
        )
        f.make_supervisor(s)
        f.make_picker(s)
        s.commit()
        return {
            "warehouse": warehouse.id,
            "account": account.id,
            "mug": mug.id,
            "cup": cup.id,
            "plate": plate.id,
        }


def _rows(page: str) -> dict[str, str]:
    """article → the row's HTML."""
    return dict(
        re.findall(r'<tr class="product[^"]*" data-article="([^"]+)">(.*?)</tr>', page, re.S)
    )


def _classes(page: str) -> dict[str, str]:
    return dict(
        (article, classes)
        for classes, article in re.findall(
            r'<tr class="product([^"]*)" data-article="([^"]+)"', page
        )
    )


def test_levels_count_the_receiving_area_as_in_transit_not_free(app):
    ids = _shop(app)
    with app.app_context():
        found = overview.page(db.session(), overview.Filters())
        rows = {row.product.article: row for row in found.rows}
        mug = rows["MUG-1"]
        assert mug.levels == overview.Levels(on_hand=18, reserved=2, free=10, in_transit=6)
        assert mug.below and mug.stocked
        assert not rows["CUP-1"].below
        plate = rows["PLATE-1"]  # never stocked: listed, not «below» (unknown is not zero)
        assert not plate.stocked and not plate.below
        below = overview.page(db.session(), overview.Filters(below_only=True))
        assert [row.product.id for row in below.rows] == [ids["mug"]]


def test_the_page_needs_a_supervisor_and_highlights_products_below_their_minimum(app, client):
    _shop(app)
    assert client.get("/stock/").status_code == 302
    client.post("/tsd/login", data={"badge": "B-1"})
    assert client.get("/stock/").status_code == 302  # a picker is sent to the desk login
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/stock/").get_data(as_text=True)
    assert 'href="/stock/"' in page  # in the desk's menu
    classes = _classes(page)
    assert "below" in classes["MUG-1"] and "below" not in classes["CUP-1"]
    assert "muted" in classes["PLATE-1"]
    mug = _rows(page)["MUG-1"]
    numbers = re.findall(r'<td class="num[^"]*">(\d*)', mug)
    # on hand, reserved, free, in transit, FBO (no marketplace report: —), minimum
    assert numbers[:6] == ["18", "2", "10", "6", "", "12"]
    assert "ниже" in mug


def test_filters_narrow_by_warehouse_zone_account_minimum_and_search(app, client):
    ids = _shop(app)
    with app.app_context():
        s = db.session()
        other = f.make_warehouse(s)
        bowl = f.make_product(s, "Миска", "4600000000024", article="BOWL-1")
        f.put_stock(s, bowl, f.make_location(s, other, "C-01"), 2)
        s.commit()
    client.post("/login", data={"login": "boss", "password": "boss"})

    def listed(**args: str) -> list[str]:
        return list(_rows(client.get("/stock/", query_string=args).get_data(as_text=True)))

    assert listed() == ["BOWL-1", "CUP-1", "MUG-1", "PLATE-1"]
    assert listed(warehouse=str(ids["warehouse"])) == ["CUP-1", "MUG-1"]
    assert listed(zone="A") == ["MUG-1"]
    zone_b = _rows(client.get("/stock/", query_string={"zone": "B"}).get_data(as_text=True))
    assert re.findall(r'<td class="num[^"]*">(\d*)', zone_b["MUG-1"])[:3] == ["4", "0", "4"]
    assert listed(account=str(ids["account"])) == ["CUP-1", "MUG-1"]
    assert listed(below="1") == ["MUG-1"]
    assert listed(q="кружка") == ["MUG-1"]  # Cyrillic, any case
    assert listed(q="cup") == ["CUP-1"]
    assert listed(q=CUP) == ["CUP-1"]  # a scanned barcode
    assert listed(q="%") == []  # a wildcard is a character, not «anything»
    assert listed(warehouse="999999") == []


def test_an_account_shows_what_we_push_for_each_card_and_its_last_push(app, client):
    ids = _shop(app)
    with app.app_context():
        s = db.session()
        account = s.get_one(MarketplaceAccount, ids["account"])
        command = outbox.queue_command(s, account, "push_stock")
        command.status, command.attempts = "failed", 3
        command.last_error = "WB refused POST /api/v3/stocks (400 NotFound): no such sku"
        s.commit()
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/stock/", query_string={"account": ids["account"]}).get_data(as_text=True)
    mug = _rows(page)["MUG-1"]
    assert "WB-MUG" in mug
    # we push 10 (free in the cabinet's warehouse); the last push said 9: not told yet
    assert re.search(r'class="waiting"[^>]*>10<', mug) and ">9<" in mug
    cup = _rows(page)["CUP-1"]
    assert ">30<" in cup and "waiting" not in cup
    push = re.search(r'<tr class="push" data-account="\d+">(.*?)</tr>', page, re.S)
    assert push
    assert "Маркетплейс отклонил передачу остатков" in push[1]  # in words
    assert "no such sku" in push[1]  # and the technical text beside them
    assert '<td class="push-done">—' in push[1]  # never delivered
    cells = re.findall(r'<td class="num">(\d+)</td>', push[1])
    assert cells == ["2", "1"]  # two linked cards, one waiting for a push


def test_pages_of_fifty_by_article(app, client):
    _shop(app)
    with app.app_context():
        s = db.session()
        s.execute(
            insert(Product),
            [{"article": f"Z-{n:03d}", "name": f"Товар {n}", "min_stock": 0} for n in range(120)],
        )
        s.commit()
    client.post("/login", data={"login": "boss", "password": "boss"})
    seen: list[str] = []
    url = "/stock/?q=Z-"
    pages = 0
    while url:
        page = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        rows = list(_rows(page))
        assert len(rows) <= overview.PAGE
        seen += rows
        pages += 1
        found = re.search(r'<a class="next" href="([^"]+)"', page)
        url = found[1] if found else ""
        if pages > 1:
            assert "Первая страница" in page
    assert pages == 3 and seen == [f"Z-{n:03d}" for n in range(120)]


def test_a_product_bin_by_bin_with_zone_and_warehouse_totals_and_its_cards(app, client):
    ids = _shop(app)
    client.post("/login", data={"login": "boss", "password": "boss"})
    assert client.get(f"/stock/products/{ids['mug']}").status_code == 200
    assert client.get("/stock/products/999999").status_code == 404
    with app.app_context():
        s = db.session()
        stock = overview.product_stock(s, ids["mug"])
        assert [(b.location.code, b.levels.free, b.levels.in_transit) for b in stock.bins] == [
            ("RECEIVING", 0, 6),
            ("A-01", 6, 0),  # the order's 2 are held here (walk order first)
            ("B-01", 4, 0),
        ]
        totals = [(g.zone, g.levels.on_hand, g.levels.free) for g in stock.groups]
        assert totals == [(None, 18, 10), ("", 6, 0), ("A", 8, 6), ("B", 4, 4)]
        assert stock.below
        assert [(c.listing.sku, c.to_push, c.last_pushed, c.waiting) for c in stock.cards] == [
            ("WB-MUG", 10, 9, True)
        ]
        dock = s.scalar(select(Location).where(Location.receiving))
        assert dock is not None
    page = client.get(f"/stock/products/{ids['mug']}").get_data(as_text=True)
    assert "RECEIVING" in page and "зона приёмки" in page and "ниже минимума" in page
    assert page.count('class="bin') == 3 and "WB-MUG" in page


def test_every_card_is_counted_once_when_nothing_is_pushed_yet(app):
    ids = _shop(app)
    with app.app_context():
        s = db.session()
        (push,) = overview.pushes(s)
        assert (push.cards, push.waiting, push.last) == (2, 1, None)
        s.execute(
            Listing.__table__.update()
            .where(Listing.account_id == ids["account"])
            .values(last_pushed=None)
        )
        (push,) = overview.pushes(s)
        assert push.waiting == 2
