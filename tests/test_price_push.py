"""Prices through the outbox to all four sandboxes (#17 item 4), the showcase (item 5)
and a new WB card: over HTTP, with the RQ worker, faults on the way."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from tests.conftest import load_demo
from warehouse import jobs
from warehouse.catalog import megamarket_offers, new_cards
from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra import db
from warehouse.marketplaces.base import PriceItem
from warehouse.marketplaces.connectors import client_for
from warehouse.models import (
    CardRequest,
    Listing,
    MarketplaceAccount,
    OutboxCommand,
    Price,
    PriceList,
    Product,
    ProductBarcode,
    User,
    utcnow,
)
from warehouse.pricing import documents, lists, rules, showcase

KINDS = ("wb", "ozon", "yandex", "megamarket")
SHIRT, MUG = PRODUCTS[0], PRODUCTS[2]


@pytest.fixture
def shop(app, live_server, zebra, worker):  # type: ignore[no-untyped-def]
    return ready_shop(app, live_server, zebra, worker)


def ready_shop(app, live_server, zebra, worker):  # type: ignore[no-untyped-def]
    """The demo on all four sandboxes with their cards imported and linked."""
    site = load_demo(app, live_server, zebra, KINDS)
    with app.app_context():
        for account_id in db.session().scalars(select(MarketplaceAccount.id)).all():
            jobs.import_cards(account_id)
        offers = httpx.get(f"{site.url}/sandbox/megamarket/_control/offers.csv").text
        megamarket = db.session().scalar(
            select(MarketplaceAccount).where(MarketplaceAccount.kind == "megamarket")
        )
        megamarket_offers.load(db.session(), megamarket, offers)  # MM's API lists none
        db.session().commit()
    worker()
    return site


def control(site, kind: str, what: str = "prices") -> dict:  # type: ignore[no-untyped-def]
    response = httpx.get(f"{site.url}/sandbox/{kind}/_control/{what}", timeout=5)
    response.raise_for_status()
    return response.json()


def faults(site, kind: str, *kinds: str) -> None:  # type: ignore[no-untyped-def]
    answer = httpx.post(
        f"{site.url}/sandbox/{kind}/_control/faults",
        json={"queue": list(kinds), "retry_after": 0},
        timeout=5,
    )
    answer.raise_for_status()


def until_settled(app, worker, seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    """Run the worker until no price is on its way (WB's upload is processed a second
    later; a command waiting for it is made due at once)."""
    deadline = time.monotonic() + seconds
    while True:
        worker()
        with app.app_context():
            s = db.session()
            waiting = s.scalar(
                select(Price.id).where(Price.push_status.in_(("pending", "checking")))
            )
            if waiting is None:
                return
            s.execute(
                update(OutboxCommand)
                .where(OutboxCommand.status == "pending")
                .values(next_attempt_at=utcnow())
            )
            jobs.sweep_outbox()
            s.commit()
        assert time.monotonic() < deadline, "prices still on their way"
        time.sleep(0.3)


def price_everything(app, markup: int, discount: int = 0) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        for plist in s.scalars(select(PriceList)).all():
            doc = rules.draft(
                s,
                plist,
                rules.Rule(markup_percent=markup, ending="90", discount_percent=discount),
                None,
            )
            doc.lines[:] = [line for line in doc.lines if line.listing.product is not None]
            for line in doc.lines:  # the guard's figures are the demo's; nothing below cost
                assert line.hold_reason is None, (plist.account.kind, line.hold_reason)
            documents.apply(s, doc, None)
        s.commit()


def expected(markup: int, discount: int, cost: int) -> tuple[int, int | None]:
    return rules.price_for(
        cost, rules.Rule(markup_percent=markup, ending="90", discount_percent=discount)
    )


def test_prices_reach_every_marketplace_and_are_kept_per_card(app, shop, worker) -> None:  # type: ignore[no-untyped-def]
    price_everything(app, markup=150, discount=20)
    until_settled(app, worker)
    price, old = expected(150, 20, MUG.cost_kopecks)  # 180 ₽ × 2.5 = 450 → 490; 612.5 → 690
    assert (price, old) == (490_00, 690_00)

    wb = control(shop, "wb")["prices"][str(MUG.wb_nm_id)]
    # WB: the old price in whole roubles (612.50 → 613) and a whole 20 % (the buyer: 490.40)
    assert (wb["price"], wb["discount"]) == (613, 20)
    ozon = control(shop, "ozon")["prices"][MUG.article]
    assert (ozon["price"], ozon["old_price"]) == (490, 690)  # kept as numbers, sent as strings
    ym = control(shop, "yandex")["prices"][MUG.article]
    assert (ym["value"], ym.get("discountBase")) == (490, 690)
    assert control(shop, "megamarket")["prices"][MUG.article]["price"] == 490
    with app.app_context():
        s = db.session()
        statuses = s.scalars(select(Price.push_status).distinct()).all()
        assert statuses == ["sent"]
        summary = {x.plist.account.kind: x for x in lists.summaries(s)}
        assert all(x.priced == len(PRODUCTS) for x in summary.values())


def test_a_429_and_a_500_on_the_way_lose_nothing_and_send_nothing_twice(app, shop, worker) -> None:  # type: ignore[no-untyped-def]
    faults(shop, "wb", "429", "500")
    faults(shop, "ozon", "500", "429")
    faults(shop, "yandex", "429")
    faults(shop, "megamarket", "500")
    price_everything(app, markup=130)
    until_settled(app, worker)
    price, _old = expected(130, 0, SHIRT.cost_kopecks)
    assert control(shop, "wb")["prices"][str(SHIRT.wb_nm_id)]["price"] == price // 100
    history = control(shop, "ozon")["prices"][SHIRT.article]["history"]
    assert len(history) == 1  # the refused calls never reached it, the good one once
    assert control(shop, "yandex")["prices"][SHIRT.article]["value"] == price / 100
    with app.app_context():
        s = db.session()
        assert s.scalars(select(Price.push_status).distinct()).all() == ["sent"]
        pushes = s.execute(
            select(MarketplaceAccount.kind, OutboxCommand.attempts, OutboxCommand.status)
            .join(MarketplaceAccount)
            .where(OutboxCommand.kind == "push_prices")
        ).all()
        attempts = {kind: (tries, status) for kind, tries, status in pushes}
        # every fault met a try of its own, and the try after it got through
        assert attempts == {
            "wb": (3, "done"),
            "ozon": (3, "done"),
            "yandex": (2, "done"),
            "megamarket": (2, "done"),
        }


def test_what_the_marketplace_shows_is_read_back_and_a_difference_shown(app, shop, worker) -> None:  # type: ignore[no-untyped-def]
    price_everything(app, markup=100)
    until_settled(app, worker)
    with app.app_context():
        s = db.session()
        ozon = s.scalar(select(MarketplaceAccount).where(MarketplaceAccount.kind == "ozon"))
        card = s.scalar(
            select(Listing).where(Listing.account_id == ozon.id, Listing.sku == MUG.article)
        )
        with client_for(ozon) as client:  # someone changes it in Ozon's cabinet
            client.push_prices([PriceItem(card.sku, card.marketplace_id, 555_00)])
        jobs.read_all_prices()
    worker()
    with app.app_context():
        s = db.session()
        by_kind = {x.plist.account.kind: x for x in lists.summaries(s)}
        assert by_kind["ozon"].differs == 1
        assert by_kind["wb"].differs == by_kind["yandex"].differs == 0
        assert by_kind["megamarket"].differs == 0  # no read call: nothing read, no claim
        shown = s.scalar(select(Price).where(Price.listing_id == card.id))
        assert shown.market_price == 555_00 and shown.price != 555_00


def test_a_card_leaves_the_showcase_and_comes_back(app, shop, worker) -> None:  # type: ignore[no-untyped-def]
    def hide(kind: str, hidden: bool) -> None:
        with app.app_context():
            s = db.session()
            account = s.scalar(select(MarketplaceAccount).where(MarketplaceAccount.kind == kind))
            card = s.scalar(
                select(Listing)
                .join(Product, Product.id == Listing.product_id)
                .where(Listing.account_id == account.id, Product.article == MUG.article)
            )
            assert showcase.set_hidden(s, account, [card.id], hidden) == 1
            s.execute(update(OutboxCommand).values(next_attempt_at=utcnow()))
            s.commit()
            jobs.sweep_outbox()  # the stock push and the call, due now rather than in seconds
        worker()

    for kind in ("yandex", "ozon", "wb"):
        hide(kind, True)
    assert MUG.article in control(shop, "yandex")["hidden"]
    assert MUG.article in [a["offer_id"] for a in control(shop, "ozon")["archived"]]
    with app.app_context():
        s = db.session()
        wb = s.scalar(select(MarketplaceAccount).where(MarketplaceAccount.kind == "wb"))
        card = s.scalar(
            select(Listing).where(Listing.account_id == wb.id, Listing.sku == str(MUG.wb_chrt_id))
        )
        assert card.last_pushed == 0  # WB has no hiding call: its stock went out as 0

    for kind in ("yandex", "ozon", "wb"):
        hide(kind, False)
    assert MUG.article not in control(shop, "yandex")["hidden"]
    assert MUG.article not in [a["offer_id"] for a in control(shop, "ozon")["archived"]]
    with app.app_context():
        card = db.session().get_one(Listing, card.id)
        assert card.last_pushed and card.last_pushed > 0


def test_a_new_wb_card_is_made_from_a_product_or_refused_with_wbs_words(app, shop, worker) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        wb = s.scalar(select(MarketplaceAccount).where(MarketplaceAccount.kind == "wb"))
        lamp = Product(article="LAMP-1", name="Лампа настольная", cost_price=900_00)
        lamp.barcodes = [ProductBarcode(barcode="4600000000998")]
        vase = Product(article="VASE-1", name="Ваза", cost_price=300_00)
        vase.barcodes = [ProductBarcode(barcode="4600000000981")]
        s.add_all([lamp, vase])
        s.flush()
        made = new_cards.ask(
            s, wb, lamp, subject_id=184, brand="Свет", description="", price=2490_00, user=None
        )
        refused = new_cards.ask(
            s, wb, vase, subject_id=999999, brand="", description="", price=990_00, user=None
        )
        ids = made.id, refused.id
        s.commit()
    deadline = time.monotonic() + 20
    while True:
        worker()
        with app.app_context():
            s = db.session()
            states = [s.get_one(CardRequest, i).status for i in ids]
            if "sent" not in states:
                break
            s.execute(update(OutboxCommand).values(next_attempt_at=utcnow()))
            jobs.sweep_outbox()
            s.commit()
        assert time.monotonic() < deadline, states
        time.sleep(0.5)
    with app.app_context():
        s = db.session()
        lamp_request, vase_request = (s.get_one(CardRequest, i) for i in ids)
        assert lamp_request.status == "made"
        card = s.scalar(select(Listing).where(Listing.article == "LAMP-1"))
        assert card is not None and card.product_id == lamp_request.product_id
        assert vase_request.status == "refused" and vase_request.errors


def test_the_scheduler_applies_a_planned_document_at_its_time(app, shop, worker) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        plist = s.scalar(
            select(PriceList).join(MarketplaceAccount).where(MarketplaceAccount.kind == "yandex")
        )
        doc = rules.draft(s, plist, rules.Rule(markup_percent=200, ending="99"), None)
        at = utcnow() + timedelta(minutes=5)
        boss = s.scalar(select(User).where(User.role == "admin"))
        documents.submit(s, doc, boss, run_at=at)
        s.commit()
        assert jobs.run_price_schedules() == 0  # not yet
        s.execute(update(type(doc)).where(type(doc).id == doc.id).values(run_at=utcnow()))
        s.commit()
        assert jobs.run_price_schedules() == 1
    until_settled(app, worker)
    assert rules.rounded(MUG.cost_kopecks * 3, "99") == 599_00
    assert control(shop, "yandex")["prices"][MUG.article]["value"] == 599


def test_a_long_push_goes_a_chunk_at_a_time_under_one_key(app, shop, worker, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from warehouse.pricing import push

    monkeypatch.setattr(push, "CHUNK", 2)  # five cards: three deliveries per account
    price_everything(app, markup=140)
    until_settled(app, worker)
    with app.app_context():
        s = db.session()
        deliveries = dict(
            s.execute(
                select(MarketplaceAccount.kind, func.count(OutboxCommand.id))
                .join(MarketplaceAccount, MarketplaceAccount.id == OutboxCommand.account_id)
                .where(OutboxCommand.kind == "push_prices", OutboxCommand.status == "done")
                .group_by(MarketplaceAccount.kind)
            ).all()
        )
        assert deliveries == {kind: 3 for kind in KINDS}
        assert s.scalars(select(Price.push_status).distinct()).all() == ["sent"]
    assert control(shop, "ozon")["prices"][MUG.article]["price"] == 490  # 180 × 2.4 → …90


def test_a_card_upload_whose_answer_was_lost_is_found_made_not_refused(app, shop, worker) -> None:  # type: ignore[no-untyped-def]
    """WB made the card but its answer broke off: the repeat hears «vendor code is used in
    other cards» — the card is ours, looked for and linked, never reported refused."""
    with app.app_context():
        s = db.session()
        wb = s.scalar(select(MarketplaceAccount).where(MarketplaceAccount.kind == "wb"))
        lamp = Product(article="LAMP-2", name="Лампа", cost_price=900_00)
        lamp.barcodes = [ProductBarcode(barcode="4600000000974")]
        s.add(lamp)
        s.flush()
        asked = new_cards.ask(
            s, wb, lamp, subject_id=184, brand="Свет", description="", price=2490_00, user=None
        )
        request_id = asked.id
        s.commit()
    app.config["SANDBOX_WB_CARD_SECONDS"] = 0  # made at once: the repeat finds it taken
    faults(shop, "wb", "drop")  # the upload is done, its answer breaks off
    deadline = time.monotonic() + 20
    while True:
        worker()
        with app.app_context():
            s = db.session()
            request = s.get_one(CardRequest, request_id)
            if request.status != "sent":
                break
            s.execute(update(OutboxCommand).values(next_attempt_at=utcnow()))
            jobs.sweep_outbox()
            s.commit()
        assert time.monotonic() < deadline, request.status
        time.sleep(0.5)
    with app.app_context():
        s = db.session()
        request = s.get_one(CardRequest, request_id)
        assert request.status == "made", request.errors
        upload = s.scalar(
            select(OutboxCommand)
            .where(OutboxCommand.kind == "create_card")
            .order_by(OutboxCommand.id.desc())
        )
        assert upload.attempts >= 2  # the answer was lost once
        assert s.scalar(select(Listing).where(Listing.article == "LAMP-2")) is not None
