"""Each marketplace's whole order life through our flow, against its sandbox over HTTP.

Import → reserve → confirm → pick → pack (packages / boxes) → the marketplace's own
label converted for the virtual Zebra → ready to ship; and a buyer's cancellation.
The marketplace's state is read back through the connector's uniform
``order_statuses``, as the import job reads it.
"""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import CREDENTIALS_KEY, load_demo
from warehouse import demo, jobs
from warehouse.catalog import megamarket_offers
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import packing, picking
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.marketplaces import sandbox
from warehouse.marketplaces.connectors import client_for
from warehouse.models import (
    Listing,
    MarketplaceAccount,
    Order,
    OutboxCommand,
    PickTask,
    PrintJob,
    Product,
    Stock,
    User,
    Warehouse,
    utcnow,
)

# goods without marking codes (capturing Честный знак codes at pick is the ТСД issue's)
SOCKS, MUG = PRODUCTS[3], PRODUCTS[2]
OTHERS = [kind for kind in sandbox.SANDBOXES if kind != "wb"]

# What the marketplace says once we packed (and, for Yandex, reported ready to ship).
AFTER_PACK = {
    "ozon": "awaiting_deliver",
    "yandex": "PROCESSING/READY_TO_SHIP",
    "megamarket": "PACKED",
}


@pytest.fixture
def site(app, live_server, zebra):
    return load_demo(app, live_server, zebra, tuple(OTHERS))


def sandbox_cart(site, kind: str, *articles: str) -> str:
    items = [{"article": article, "qty": 1} for article in articles]
    response = httpx.post(f"{site.url}/sandbox/{kind}/_control/orders", json={"items": items})
    response.raise_for_status()
    return str(response.json()["ids"][0])


def account(app, kind: str) -> MarketplaceAccount:
    with app.app_context():
        return db.session().scalar(
            select(MarketplaceAccount).where(MarketplaceAccount.kind == kind)
        )


def marketplace_status(app, kind: str, external_id: str) -> str:
    with app.app_context(), client_for(account(app, kind)) as client:
        return client.order_statuses([external_id])[external_id]


def import_all(app, worker) -> None:
    with app.app_context():
        jobs.import_all_orders()
    worker()


def pick_all(app, order_id: int) -> int:
    """A picker takes the task and scans every bin and unit; returns the task id."""
    with app.app_context():
        session = db.session()
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        task = session.scalar(select(PickTask).where(PickTask.order_id == order_id))
        picking.start_task(session, task.id, picker)
        n = 0
        for item in list(task.items):
            picking.record_scan(session, task.id, item.location.barcode, f"{task.id}-b{n}", picker)
            for _ in range(item.quantity):
                n += 1
                code = item.product.barcodes[0].barcode
                picking.record_scan(session, task.id, code, f"{task.id}-u{n}", picker)
        session.commit()
        return task.id


def pack(app, task_id: int) -> None:
    """The packer packs the picked task (its label goes to the station's printer)."""
    with app.app_context():
        session = db.session()
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        packing.pack_task(session, task_id, picker, None)
        session.commit()


@pytest.mark.parametrize("kind", OTHERS)
def test_order_life_import_to_label_and_ready_to_ship(app, site, zebra, worker, kind):
    external_id = sandbox_cart(site, kind, SOCKS.article, MUG.article)
    import_all(app, worker)
    with app.app_context():
        order = db.session().scalar(select(Order).where(Order.external_id == external_id))
        assert order.status == "reserved", order.status
        assert sorted(line.article for line in order.lines) == sorted([SOCKS.article, MUG.article])
        order_id = order.id

    task_id = pick_all(app, order_id)
    pack(app, task_id)
    worker()

    labels = zebra.wait_for_labels(1, timeout=10)
    assert b"^GFA" in labels[0] and b":Z64:" in labels[0]  # the PDF, rendered for the printer
    with app.app_context():
        job = db.session().scalar(select(PrintJob))
        assert job.status == "printed", job.error
        assert db.session().get(Order, order_id).status == "labelled"
    assert marketplace_status(app, kind, external_id) == AFTER_PACK[kind]


@pytest.mark.parametrize("kind", OTHERS)
def test_buyer_cancel_releases_the_reservation(app, site, worker, kind):
    external_id = sandbox_cart(site, kind, MUG.article)
    import_all(app, worker)
    with app.app_context():
        assert mug_stock().reserved == 1
    httpx.post(f"{site.url}/sandbox/{kind}/_control/orders/{external_id}/client-cancel")
    import_all(app, worker)
    with app.app_context():
        order = db.session().scalar(select(Order).where(Order.external_id == external_id))
        assert order.status == "cancelled"
        assert mug_stock().reserved == 0


def mug_stock() -> Stock:
    return db.session().scalar(select(Stock).join(Product).where(Product.article == MUG.article))


def faults(site, kind: str, *kinds: str) -> None:
    response = httpx.post(
        f"{site.url}/sandbox/{kind}/_control/faults", json={"queue": list(kinds), "retry_after": 0}
    )
    response.raise_for_status()


@pytest.mark.parametrize("kind", OTHERS)
def test_pack_survives_429_500_timeout_and_a_dropped_answer(app, site, zebra, worker, kind):
    """Every fault on the way; the marketplace ends up packed once, the label printed once."""
    external_id = sandbox_cart(site, kind, MUG.article)
    import_all(app, worker)
    with app.app_context():
        order_id = db.session().scalar(select(Order.id).where(Order.external_id == external_id))
    task_id = pick_all(app, order_id)
    pack(app, task_id)
    faults(site, kind, "429", "500", "timeout", "drop")
    deadline = time.monotonic() + 30  # retries are scheduled 0-1 s apart; a busy CI is slow
    while time.monotonic() < deadline:
        worker()  # each run delivers what is due
        with app.app_context():
            pending = (
                db.session()
                .scalars(select(OutboxCommand).where(OutboxCommand.status == "pending"))
                .all()
            )
        if not pending:
            break
        time.sleep(0.3)
    with app.app_context():
        commands = db.session().scalars(select(OutboxCommand).order_by(OutboxCommand.id)).all()
        assert {c.status for c in commands} == {"done"}, [(c.kind, c.last_error) for c in commands]
        assert sum(c.attempts for c in commands) > len(commands)  # the faults were met
    assert marketplace_status(app, kind, external_id) == AFTER_PACK[kind]
    assert len(zebra.wait_for_labels(1, timeout=10)) == 1


def test_stock_reaches_every_account_after_a_reservation(app, site, worker):
    with app.app_context():
        ids = db.session().scalars(select(MarketplaceAccount.id)).all()
        for account_id in ids:
            jobs.import_cards(account_id)
        offers = httpx.get(f"{site.url}/sandbox/megamarket/_control/offers.csv").text
        megamarket_offers.load(db.session(), account(app, "megamarket"), offers)  # no API for it
        db.session().commit()
    worker()
    kind = OTHERS[0]
    sandbox_cart(site, kind, MUG.article)
    import_all(app, worker)
    with app.app_context():
        session = db.session()
        session.execute(OutboxCommand.__table__.update().values(next_attempt_at=utcnow()))
        session.commit()
        jobs.sweep_outbox()
    worker()
    for other in OTHERS:
        with app.app_context():
            listing = db.session().scalar(
                select(Listing)
                .join(MarketplaceAccount)
                .where(MarketplaceAccount.kind == other, Listing.article == MUG.article)
            )
            assert listing is not None and listing.last_pushed == 499, other


SHIRT_MARKED = PRODUCTS[0]
GS = "\x1d"


def unit_code(n: int) -> str:
    gtin = "0" + SHIRT_MARKED.barcodes[0]
    return f"01{gtin}21SER{n:010d}{GS}91EE06{GS}92{'Q' * 44}"


@pytest.mark.parametrize("kind", ["ozon", "yandex", "wb"])
def test_marking_codes_captured_at_pick_reach_the_marketplace(app, site, zebra, worker, kind):
    with app.app_context():
        if kind == "wb":  # the site fixture has the others; add a WB cabinet too
            demo_account = demo.SANDBOX_ACCOUNTS["wb"]
            db.session().add(
                MarketplaceAccount(
                    kind="wb",
                    name="WB",
                    base_url=f"{site.url}/sandbox/wb",
                    credentials_encrypted=seal(demo_account[0], CREDENTIALS_KEY),
                    warehouse_id=db.session().scalar(select(Warehouse.id)),
                    settings=demo_account[1],
                )
            )
            db.session().commit()
    item = {"article": SHIRT_MARKED.article, "qty": 2, "marked": True, "requiredMeta": ["sgtin"]}
    response = httpx.post(f"{site.url}/sandbox/{kind}/_control/orders", json={"items": [item]})
    external_ids = [str(i) for i in response.json()["ids"]]
    import_all(app, worker)
    with app.app_context():
        session = db.session()
        picker = session.scalar(select(User).where(User.badge == "PICKER-001"))
        tasks = session.scalars(
            select(PickTask).join(Order).where(Order.external_id.in_(external_ids))
        ).all()
        n = 0
        for task in tasks:
            picking.start_task(session, task.id, picker)
            picking.record_scan(session, task.id, task.items[0].location.barcode, f"b{n}", picker)
            for _ in range(task.items[0].quantity):
                n += 1
                result = picking.record_scan(session, task.id, unit_code(n), f"u{n}", picker)
                assert result.ok, result
            packing.pack_task(session, task.id, picker, None)
        session.commit()
    worker()
    time.sleep(1.1)
    worker()
    state = httpx.get(f"{site.url}/sandbox/{kind}/_control/state").json()
    sent = json_codes(state)
    assert sorted(sent) == sorted(unit_code(i) for i in range(1, n + 1)) or all(
        unit_code(i)[:31] in " ".join(sent) for i in range(1, n + 1)
    ), sent
    if kind in AFTER_PACK:
        assert marketplace_status(app, kind, external_ids[0]) == AFTER_PACK[kind]


def json_codes(state: object) -> list[str]:
    """Every string in the sandbox's state that looks like one of our codes."""
    found: list[str] = []
    if isinstance(state, dict):
        for value in state.values():
            found += json_codes(value)
    elif isinstance(state, list):
        for value in state:
            found += json_codes(value)
    elif isinstance(state, str) and state.startswith("01" + "0" + SHIRT_MARKED.barcodes[0]):
        found.append(state)
    return found


@pytest.mark.parametrize("kind", OTHERS)
def test_duplicate_pages_import_each_order_once(app, site, worker, kind):
    first = sandbox_cart(site, kind, MUG.article)
    second = sandbox_cart(site, kind, SOCKS.article)
    faults(site, kind, "duplicate")
    import_all(app, worker)
    with app.app_context():
        imported = db.session().scalars(select(Order.external_id)).all()
    assert sorted(imported) == sorted([first, second])
