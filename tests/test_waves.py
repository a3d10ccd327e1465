"""Waves (#13 item 2): rules choose the orders and group them into carts or single tasks;
assignment, «next task» priority, taking work off a picker and cancelling a wave, with
nothing picked ever lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.errors import DomainError, NotFound
from warehouse.floor import batch_picking, picking, waves
from warehouse.models import PickTask, Wave

SHIRT, MUG, SOCKS, CABLE = "4601234567893", "4607001234562", "4610012345677", "4620001234561"
SOON = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


@pytest.fixture
def site(session):
    warehouse = f.make_warehouse(session)
    wb = f.make_account(session, warehouse)
    ozon = f.make_account(session, warehouse)
    ozon.kind, ozon.name = "ozon", "Ozon test"
    bins = {
        code: f.make_location(session, warehouse, code, walk=n)
        for n, code in enumerate(("A-01", "A-02", "B-01", "B-02"), start=1)
    }
    sizes = {SHIRT: (300, 200, 50), MUG: (100, 100, 120), SOCKS: (200, 100, 50), CABLE: None}
    for (barcode, size), code in zip(sizes.items(), bins, strict=True):
        product = f.make_product(session, f"P{barcode[-3:]}", barcode)
        if size:
            product.length_mm, product.width_mm, product.height_mm = size
        f.put_stock(session, product, bins[code], 100)
    anna = f.make_picker(session, "B-1", "Anna")
    ivan = f.make_picker(session, "B-2", "Ivan")
    boss = f.make_supervisor(session)
    return {
        "warehouse": warehouse,
        "wb": wb,
        "ozon": ozon,
        "anna": anna,
        "ivan": ivan,
        "boss": boss,
    }


def order(session, site, number, *lines, account="wb", hours=None):
    """An imported (reserved) order with its pick task; ship-by ``hours`` after SOON."""
    made = f.import_order(session, site[account], number, *lines)
    task = session.scalar(select(PickTask).where(PickTask.order_id == made.id))
    if hours is not None:
        made.ship_by = task.ship_by = SOON + timedelta(hours=hours)
    session.flush()
    return task


def numbers(units):
    return [[c.task.order.external_id for c in unit] for unit in units]


def chosen(session, **rules):
    return [c.task.order.external_id for c in waves.free_tasks(session, waves.Rules(**rules))]


def test_each_rule_narrows_the_free_orders(session, site):
    order(session, site, "wb-1", (SHIRT, 1), hours=3)  # zone A
    order(session, site, "wb-2", (SOCKS, 1), (CABLE, 1), hours=1)  # zone B
    order(session, site, "oz-1", (MUG, 2), account="ozon", hours=2)  # zone A
    order(session, site, "wb-3", (SHIRT, 1), (SOCKS, 1))  # A and B, no ship-by
    taken = order(session, site, "wb-4", (MUG, 1), hours=0)
    taken.picker_id = site["anna"].id  # assigned: not free

    assert chosen(session) == ["wb-2", "oz-1", "wb-1", "wb-3"]  # most urgent first
    assert chosen(session, marketplace="ozon") == ["oz-1"]
    assert chosen(session, account_id=site["wb"].id) == ["wb-2", "wb-1", "wb-3"]
    assert chosen(session, ship_by_until=SOON + timedelta(hours=2)) == ["wb-2", "oz-1"]
    assert chosen(session, zone="A") == ["oz-1", "wb-1"]  # every bin of the order in A
    assert chosen(session, zone="b") == ["wb-2"]  # as typed: a lower-case b is zone B
    ids = [o.id for o in (taken.order, order(session, site, "wb-5", (MUG, 1)).order)]
    assert chosen(session, orders=tuple(ids)) == ["wb-5"]  # ticked, and still free
    assert chosen(session, limit=2) == ["wb-2", "oz-1"]
    assert chosen(session, marketplace="wb", zone="A", ship_by_until=SOON + timedelta(hours=5)) == [
        "wb-1"
    ]


def test_a_zone_set_on_the_bins_wins_over_their_codes(session, site):
    order(session, site, "wb-1", (SOCKS, 1))
    session.scalar(select(PickTask)).items[0].location.zone = "Мезонин"  # bin B-01
    assert chosen(session, zone="B") == []
    assert chosen(session, zone="Мезонин") == ["wb-1"]
    assert "Мезонин" in waves.zones(session) and "A" in waves.zones(session)


def test_carts_split_at_max_lines_and_volume_and_singles_ride_together(session, site):
    two_a = order(session, site, "wb-1", (SHIRT, 1), (MUG, 1), hours=1)
    single_a = order(session, site, "wb-2", (SOCKS, 1), hours=2)
    two_b = order(session, site, "wb-3", (SOCKS, 1), (CABLE, 1), hours=3)
    single_b = order(session, site, "wb-4", (MUG, 3), hours=4)
    three = order(session, site, "wb-5", (SHIRT, 1), (MUG, 1), (SOCKS, 1), hours=5)
    found = waves.free_tasks(session, waves.Rules())
    assert [(c.lines, c.volume_ml) for c in found] == [
        (2, 3000 + 1200),
        (1, 1000),
        (2, 1000),  # the cable has no sizes: 0
        (1, 3 * 1200),
        (3, 3000 + 1200 + 1000),
    ]

    one_each = waves.Rules()
    assert numbers(waves.plan(found, one_each)) == [
        ["wb-1"],
        ["wb-2"],
        ["wb-3"],
        ["wb-4"],
        ["wb-5"],
    ]
    carts = replace(one_each, per_cart=3)
    assert numbers(waves.plan(found, carts)) == [["wb-1", "wb-2", "wb-3"], ["wb-4", "wb-5"]]
    lines = replace(carts, max_lines=4)
    assert numbers(waves.plan(found, lines)) == [["wb-1", "wb-2"], ["wb-3", "wb-4"], ["wb-5"]]
    volume = replace(carts, max_volume_ml=5000)
    assert numbers(waves.plan(found, volume)) == [
        ["wb-1"],  # 4200 ml; with wb-2's 1000 it would be 5200
        ["wb-2", "wb-3"],
        ["wb-4"],
        ["wb-5"],  # 5200 ml: over the limit alone, and an order is never split
    ]
    singles = replace(one_each, singles_together=True)
    assert numbers(waves.plan(found, singles)) == [["wb-1"], ["wb-2", "wb-4"], ["wb-3"], ["wb-5"]]
    both = replace(singles, per_cart=2, max_lines=4)
    assert numbers(waves.plan(found, both)) == [["wb-1", "wb-3"], ["wb-2", "wb-4"], ["wb-5"]]
    assert {two_a.id, single_a.id, two_b.id, single_b.id, three.id} == {c.task.id for c in found}


def test_build_keeps_who_when_and_the_rules_and_makes_open_carts(session, site):
    for n in range(1, 4):
        order(session, site, f"wb-{n}", (SOCKS, 1), hours=n)
    order(session, site, "wb-9", (SHIRT, 1), (MUG, 1), hours=9)
    rules = waves.parse_rules(
        {"per_cart": "1", "singles_together": "on", "marketplace": "wb", "max_lines": ""}
    )
    wave = waves.build(session, rules, site["boss"])
    assert (wave.created_by_id, wave.orders, wave.status) == (site["boss"].id, 4, "open")
    assert wave.rules == {
        "warehouse_id": site["warehouse"].id,
        "marketplace": "wb",
        "per_cart": 1,
        "singles_together": True,
    }
    units = waves.units_of(wave)
    assert [(u.cart is not None, len(u.tasks), u.status, u.picker) for u in units] == [
        (True, 3, "open", None),
        (False, 1, "open", None),
    ]
    assert all(task.wave_id == wave.id for task in wave.tasks)
    assert waves.state(wave) == "waiting" and waves.progress(wave) == (0, 5)
    with pytest.raises(DomainError) as nothing:
        waves.build(session, rules, site["boss"])  # all taken by the first wave
    assert nothing.value.code == "wave_nothing_to_build"


def test_bad_rules_are_refused_naming_the_field(session, site):
    for form, code in (
        ({"max_lines": "0"}, "wave_bad_field"),
        ({"max_volume_l": "много"}, "wave_bad_field"),
        ({"ship_by_until": "завтра"}, "wave_bad_field"),
        ({"marketplace": "amazon"}, "wave_bad_field"),
        ({"per_cart": "9"}, "wave_bad_cart"),
    ):
        with pytest.raises(DomainError) as refused:
            waves.parse_rules(form)
        assert refused.value.code == code
    rules = waves.parse_rules({"max_volume_l": "2,5", "ship_by_until": "2026-12-08T14:00"})
    assert rules.max_volume_ml == 2500
    assert rules.ship_by_until == datetime(2026, 12, 8, 11, 0, tzinfo=UTC)  # Moscow time


def test_next_task_gives_mine_first_then_the_most_urgent_free_never_someone_elses(session, site):
    later = order(session, site, "wb-1", (SHIRT, 1), hours=5)
    urgent = order(session, site, "wb-2", (MUG, 1), hours=1)
    mine = order(session, site, "wb-3", (SOCKS, 1), hours=9)
    ivans = order(session, site, "wb-4", (CABLE, 1), hours=0)
    boss = site["boss"]
    waves.assign_task(session, mine.id, site["anna"].id, boss)
    waves.assign_task(session, ivans.id, site["ivan"].id, boss)

    assert picking.next_task(session, site["anna"]) is mine  # assigned to me, though later
    picking.finish(mine)
    assert picking.next_task(session, site["anna"]) is urgent  # then free by ship-by
    picking.finish(urgent)
    assert picking.next_task(session, site["anna"]) is later  # never Ivan's, more urgent
    picking.finish(later)
    assert picking.next_task(session, site["anna"]) is None
    with pytest.raises(DomainError):
        picking.start_task(session, ivans.id, site["anna"])
    assert picking.next_task(session, site["ivan"]) is ivans


def test_a_wave_cart_starts_whole_for_whoever_takes_one_of_its_orders(session, site):
    for n in range(1, 4):
        order(session, site, f"wb-{n}", (SOCKS, 1), hours=n)
    wave = waves.build(session, waves.Rules(per_cart=3), site["boss"])
    cart = wave.batches[0]
    waves.assign_cart(session, cart.id, site["ivan"].id, site["boss"])
    assert picking.next_task(session, site["anna"]) is None  # the cart is Ivan's
    task = picking.next_task(session, site["ivan"])
    assert task.open_batch is cart and cart.status == "in_progress"
    assert [(t.status, t.picker_id) for t in cart.tasks] == [("in_progress", site["ivan"].id)] * 3
    assert {t.order.status for t in cart.tasks} == {"picking"}
    assert batch_picking.start_batch(session, site["ivan"], 4) is cart


def test_a_cart_whose_orders_were_all_cancelled_has_nothing_to_give(session, site):
    first = order(session, site, "wb-1", (SOCKS, 1), hours=1)
    second = order(session, site, "wb-2", (MUG, 1), hours=2)
    wave = waves.build(session, waves.Rules(per_cart=2), site["boss"])
    for task in (first, second):
        picking.cancel_tasks(session, task.order)
    (unit,) = waves.units_of(wave)
    assert (unit.status, unit.state) == ("cancelled", "cancelled")
    assert waves.state(wave) == "done"  # nothing left to pick in it
    assert picking.next_task(session, site["anna"]) is None


def test_batch_picking_starts_the_cart_assigned_to_me(session, site):
    for n in range(1, 3):
        order(session, site, f"wb-{n}", (SOCKS, 1), hours=n)
    wave = waves.build(session, waves.Rules(per_cart=2), site["boss"])
    waves.assign_wave(session, wave.id, site["anna"].id, site["boss"])
    started = batch_picking.start_batch(session, site["anna"], 4)
    assert started is wave.batches[0] and started.status == "in_progress"


def scan_task(session, task, user, *codes):
    for n, code in enumerate(codes):
        result = picking.record_scan(session, task.id, code, f"{user.id}-{task.id}-{n}", user)
        assert result.ok, result


def test_a_task_in_progress_taken_off_keeps_its_picked_units(session, site):
    task = order(session, site, "wb-1", (SHIRT, 2), (MUG, 1), hours=1)
    wave = waves.build(session, waves.Rules(), site["boss"])
    waves.assign_wave(session, wave.id, site["anna"].id, site["boss"])
    assert picking.next_task(session, site["anna"]) is task
    scan_task(session, task, site["anna"], "LOC-A-01", SHIRT)  # one of two shirts
    same = waves.assign_task(session, task.id, site["anna"].id, site["boss"])
    assert not same.taken_off and (task.status, task.picker_id) == ("in_progress", site["anna"].id)

    moved = waves.assign_task(session, task.id, site["ivan"].id, site["boss"])
    assert (moved.taken_off, moved.picked, moved.was, moved.picker) == (
        True,
        1,
        site["anna"],
        site["ivan"],
    )
    assert (task.status, task.picker_id, task.order.status) == ("open", site["ivan"].id, "picking")
    shirt = task.items[0]
    assert (shirt.picked, shirt.bin_confirmed) == (1, False)  # counted; the bin scanned again
    stock = shirt.line.reservations[0].stock
    assert (stock.on_hand, stock.reserved) == (99, 1)  # the picked unit left the bin, once
    refused = picking.record_scan(session, task.id, SHIRT, "late", site["ivan"])
    assert refused.code == "task_taken_off"
    with pytest.raises(NotFound):
        picking.record_scan(session, task.id, SHIRT, "anna-late", site["anna"])

    assert picking.next_task(session, site["ivan"]) is task
    scan_task(session, task, site["ivan"], "LOC-A-01", SHIRT, "LOC-A-02", MUG)
    assert (task.status, task.order.status, shirt.picked) == ("done", "picked", 2)
    assert waves.state(wave) == "done" and waves.progress(wave) == (2, 2)


def test_unassigned_work_is_free_again_and_nothing_picked_means_reserved(session, site):
    task = order(session, site, "wb-1", (SHIRT, 1), hours=1)
    waves.build(session, waves.Rules(), site["boss"])
    picking.start_task(session, task.id, site["anna"])
    with pytest.raises(DomainError) as nobody:
        waves.assign_task(session, task.id, site["boss"].id, site["boss"])  # no badge
    assert nobody.value.code == "wave_not_a_picker"
    assert (task.status, task.picker_id) == ("in_progress", site["anna"].id)  # untouched

    waves.assign_task(session, task.id, None, site["boss"])
    assert (task.status, task.picker_id, task.order.status) == ("open", None, "reserved")
    taken_off = picking.record_scan(session, task.id, "LOC-A-01", "late", site["anna"])
    assert (taken_off.ok, taken_off.code) == (False, "task_taken_off")
    assert picking.next_task(session, site["ivan"]) is task
    picking.finish(task)
    with pytest.raises(DomainError) as closed:
        waves.assign_task(session, task.id, None, site["boss"])
    assert closed.value.code == "wave_unit_closed"
    with pytest.raises(NotFound):
        waves.assign_task(session, 10**9, None, site["boss"])
    with pytest.raises(NotFound):
        waves.assign_cart(session, 10**9, None, site["boss"])


def test_a_cart_taken_off_keeps_its_totes_with_goods_and_frees_the_empty_ones(session, site):
    first = order(session, site, "wb-1", (SHIRT, 1), (SOCKS, 1), hours=1)
    second = order(session, site, "wb-2", (MUG, 1), hours=2)
    wave = waves.build(session, waves.Rules(per_cart=2), site["boss"])
    cart = wave.batches[0]
    picking.next_task(session, site["anna"])
    anna = site["anna"]

    def scan(code, n=[0]):  # noqa: B006 - a counter for scan ids
        n[0] += 1
        return batch_picking.record_scan(session, cart.id, code, f"a{n[0]}", anna)

    for code in ("TOTE-01", "TOTE-02", "LOC-A-01", SHIRT, "TOTE-01", "LOC-A-02", MUG):
        assert scan(code).ok
    assert cart.tasks[1].items[0].in_hand == 1  # the mug is in Anna's hand

    moved = waves.assign_cart(session, cart.id, site["ivan"].id, site["boss"])
    assert (moved.taken_off, moved.picked) == (True, 1)
    assert (cart.status, cart.picker_id) == ("open", site["ivan"].id)
    assert [(t.status, t.tote, t.order.status) for t in (first, second)] == [
        ("open", "TOTE-01", "picking"),  # the shirt is in TOTE-01
        ("open", None, "reserved"),  # nothing went into TOTE-02: free again
    ]
    assert second.items[0].in_hand == 0  # never taken from the bin on the books
    assert batch_picking.holder(session, "TOTE-01") is first
    assert batch_picking.holder(session, "TOTE-02") is None
    with pytest.raises(NotFound):
        batch_picking.record_scan(session, cart.id, MUG, "a-late", anna)

    ivan = site["ivan"]
    assert picking.next_task(session, ivan).open_batch is cart
    steps = ("TOTE-05", "LOC-A-02", MUG, "TOTE-05", "LOC-B-01", SOCKS, "TOTE-01")
    for n, code in enumerate(steps):
        result = batch_picking.record_scan(session, cart.id, code, f"i{n}", ivan)
        assert result.ok, (code, result)
    assert result.code == "batch_done"
    assert [t.order.status for t in (first, second)] == ["picked", "picked"]
    assert first.items[0].picked == 1 and first.items[1].picked == 1


def test_cancelling_a_wave_frees_what_waits_and_leaves_work_in_progress_to_its_picker(
    session, site
):
    being_picked = order(session, site, "wb-1", (SHIRT, 1), (MUG, 1), hours=1)
    on_cart = [order(session, site, f"wb-{n}", (SOCKS, 1), hours=n) for n in (2, 3)]
    alone = order(session, site, "wb-4", (CABLE, 1), hours=4)
    wave = waves.build(session, waves.Rules(per_cart=2, max_lines=2), site["boss"])
    units = waves.units_of(wave)
    assert [[t.order.external_id for t in u.tasks] for u in units] == [
        ["wb-1"],
        ["wb-2", "wb-3"],
        ["wb-4"],
    ]
    assert waves.assign_wave(session, wave.id, site["ivan"].id, site["boss"]) == 3
    assert picking.next_task(session, site["ivan"]) is being_picked
    scan_task(session, being_picked, site["ivan"], "LOC-A-01", SHIRT)

    result = waves.cancel(session, wave.id, site["boss"])
    assert (result.freed, result.picking) == (3, 1)
    assert (wave.status, wave.cancelled_by_id) == ("cancelled", site["boss"].id)
    assert wave.cancelled_at is not None
    for task in (*on_cart, alone):
        assert (task.status, task.picker_id, task.wave_id, task.batch_id) == (
            "open",
            None,
            None,
            None,
        )
    assert units[1].cart.status == "cancelled"
    assert (being_picked.status, being_picked.picker_id, being_picked.wave_id) == (
        "in_progress",
        site["ivan"].id,
        wave.id,
    )
    assert being_picked.items[0].picked == 1  # nothing picked is undone
    assert picking.next_task(session, site["anna"]) is on_cart[0]  # free for anyone now
    assert waves.state(wave) == "cancelled"
    with pytest.raises(DomainError) as again:
        waves.cancel(session, wave.id, site["boss"])
    assert again.value.code == "wave_cancelled"
    with pytest.raises(NotFound):
        waves.cancel(session, 10**9, site["boss"])
    assert session.scalar(select(Wave.status)) == "cancelled"
