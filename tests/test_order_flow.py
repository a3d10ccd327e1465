"""Order life beyond the happy path, against the WB sandbox over HTTP with a real worker:
cancellations from the marketplace and from the seller, put-back of picked goods,
stock pushes after reservations, and never a false zero."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.test_end_to_end import _account_id, import_now, our_order, sandbox, sandbox_order
from warehouse import jobs
from warehouse.demo_catalogue import PRODUCTS
from warehouse.floor import picking
from warehouse.infra import db
from warehouse.models import (
    Listing,
    MarketplaceAccount,
    OutboxCommand,
    PickTask,
    Product,
    Stock,
)
from warehouse.orders import intake, statuses
from warehouse.stock import stock_sync

SHIRT, MUG = PRODUCTS[1], PRODUCTS[2]  # goods without marking codes


def stock_of(app, article: str) -> tuple[int, int]:
    with app.app_context():
        stock = db.session().scalar(select(Stock).join(Product).where(Product.article == article))
        return stock.on_hand, stock.reserved


def sandbox_stock(site) -> dict[int, int]:
    return {
        row["chrtId"]: row["amount"] for row in sandbox(site, "GET", "/_control/state")["stocks"]
    }


def cards_linked(app, worker) -> None:
    with app.app_context():
        jobs.import_cards(_account_id(app))
    worker()


def test_cards_import_links_every_demo_product(app, demo_site, worker):
    cards_linked(app, worker)
    with app.app_context():
        listings = db.session().scalars(select(Listing)).all()
        assert len(listings) == len(PRODUCTS)
        assert all(listing.product_id for listing in listings)
    # the first push sends every linked card's free stock
    assert sandbox_stock(demo_site)[SHIRT.wb_chrt_id] == 500


def test_reservation_pushes_free_stock_once_debounced(app, demo_site, worker):
    cards_linked(app, worker)
    for _ in range(3):
        sandbox_order(demo_site, SHIRT.article)
    import_now(app, worker)
    with app.app_context():
        pending = (
            db.session()
            .scalars(select(OutboxCommand).where(OutboxCommand.kind == "push_stock"))
            .all()
        )
        assert [c.status for c in pending].count("pending") == 1  # three changes, one push
        db.session().execute(
            OutboxCommand.__table__.update().values(next_attempt_at=OutboxCommand.created_at)
        )
        db.session().commit()
        jobs.sweep_outbox()
    worker()
    assert stock_of(app, SHIRT.article) == (500, 3)
    assert sandbox_stock(demo_site)[SHIRT.wb_chrt_id] == 497


def test_never_pushes_zero_for_a_product_never_counted(app, demo_site, worker):
    cards_linked(app, worker)
    with app.app_context():
        session = db.session()
        session.execute(Stock.__table__.delete())  # nothing counted in this warehouse
        account = session.get_one(MarketplaceAccount, _account_id(app))
        stock_sync.resync(session, account)
        assert stock_sync.levels(session, account) == {}
        session.commit()
    worker()
    assert sandbox_stock(demo_site)[SHIRT.wb_chrt_id] == 500  # the last real level stays


def test_marketplace_cancel_releases_reservation_and_puts_picked_goods_back(
    app, demo_site, worker, client
):
    external_id = sandbox_order(demo_site, SHIRT.article)
    import_now(app, worker)
    order = our_order(app, external_id)
    with app.app_context():
        task_id = db.session().scalar(select(PickTask.id).where(PickTask.order_id == order.id))
    client.post("/tsd/login", data={"badge": "PICKER-001"})
    client.post(f"/tsd/tasks/{task_id}/start")
    client.post(f"/tsd/tasks/{task_id}/scan", data={"barcode": f"LOC-{SHIRT.bin}", "scan_id": "a"})
    assert stock_of(app, SHIRT.article) == (500, 1)

    # the buyer cancels at WB; the next import run learns it
    sandbox(demo_site, "POST", f"/_control/orders/{external_id}/client-cancel")
    import_now(app, worker)
    assert our_order(app, external_id).status == "cancelled"
    assert stock_of(app, SHIRT.article) == (500, 0)
    told = client.post(
        f"/tsd/tasks/{task_id}/scan", data={"barcode": SHIRT.barcodes[0], "scan_id": "b"}
    )
    assert told.status_code == 422 and "отменён" in told.get_data(as_text=True)
    with app.app_context():
        kinds = db.session().scalars(select(PickTask.kind).where(PickTask.order_id == order.id))
        assert sorted(kinds) == ["pick"]  # nothing was picked: nothing to put back


def test_cancel_after_pick_creates_putback_that_returns_goods(app, session):
    from tests import factories as f

    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    shirt = f.make_product(session, "Shirt", "4601234567893")
    f.put_stock(session, shirt, f.make_location(session, warehouse, "A-01"), 5)
    picker = f.make_picker(session)
    order = f.import_order(session, account, "wb-9", ("4601234567893", 2))
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, picker)
    for n, code in enumerate(("LOC-A-01", "4601234567893")):
        picking.record_scan(session, task.id, code, f"s{n}", picker)
    assert (task.items[0].picked, task.items[0].line.reservations[0].stock.on_hand) == (1, 4)

    intake.cancel(session, order, by_marketplace=False)
    stock = task.items[0].line.reservations[0].stock
    assert (stock.on_hand, stock.reserved) == (4, 0)  # the unpicked unit is free again
    putback = session.scalar(select(PickTask).where(PickTask.kind == "putback"))
    assert [(i.location.code, i.quantity) for i in putback.items] == [("A-01", 1)]
    assert session.scalar(select(OutboxCommand.kind).where(OutboxCommand.kind == "cancel"))

    picking.start_task(session, putback.id, picker)
    for n, code in enumerate(("LOC-A-01", "4601234567893")):
        result = picking.record_scan(session, putback.id, code, f"p{n}", picker)
    assert result.task_done and stock.on_hand == 5


def test_seller_cancel_is_delivered_to_wb(app, demo_site, worker):
    external_id = sandbox_order(demo_site, MUG.article)
    import_now(app, worker)
    with app.app_context():
        session = db.session()
        intake.cancel(session, session.merge(our_order(app, external_id)), by_marketplace=False)
        session.commit()
    worker()
    state = sandbox(demo_site, "GET", "/_control/state")
    assert (
        next(o for o in state["orders"] if str(o["id"]) == external_id)["supplierStatus"]
        == "cancel"
    )


@pytest.mark.parametrize(
    ("marketplace", "external", "expected"),
    [
        ("wb", "confirm/waiting", "new"),
        ("wb", "complete/sold", "delivered"),
        ("wb", "confirm/canceled_by_client", "cancelled"),
        ("yandex", "PROCESSING/STARTED", "new"),
        ("yandex", "CANCELLED/USER_CHANGED_MIND", "cancelled"),
        ("ozon", "delivering", "shipped"),
        ("ozon", "never-heard-of-it", None),
    ],
)
def test_status_map_defaults(session, marketplace, external, expected):
    assert statuses.unified(statuses.mapping(session, marketplace), external) == expected


def test_status_map_override_by_supervisor(session):
    statuses.set_override(session, "ozon", "arbitration", "cancelled")
    assert statuses.unified(statuses.mapping(session, "ozon"), "arbitration") == "cancelled"


def test_stock_resync_command_for_ops(app, demo_site, worker):
    cards_linked(app, worker)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stock-resync"])
    assert "1 account" in result.output
    with app.app_context():
        pending = (
            db.session()
            .scalars(
                select(OutboxCommand).where(
                    OutboxCommand.kind == "push_stock", OutboxCommand.status == "pending"
                )
            )
            .all()
        )
        assert len(pending) == 1
