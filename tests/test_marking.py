"""Честный знак codes as scanners deliver them, and their use at pick."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from warehouse.floor import marking, picking
from warehouse.models import MarkingCode, PickTask, Printer
from warehouse.orders import intake

GS = "\x1d"
GTIN = "04601234567893"
CRYPTO = "A" * 44
CLOTHES = f"01{GTIN}215ABCDEfghIJKL{GS}91EE06{GS}92{CRYPTO}"
WATER = f"01{GTIN}21XyZ12345abcde{GS}93dGh7"
DAIRY = f"01{GTIN}21a1b2c3{GS}93Zq9x"


@pytest.mark.parametrize(
    ("raw", "serial", "tail"),
    [
        (CLOTHES, "5ABCDEfghIJKL", (("91", "EE06"), ("92", CRYPTO))),
        (CLOTHES.replace(GS, ""), "5ABCDEfghIJKL", (("91", "EE06"), ("92", CRYPTO))),
        (CLOTHES.replace(GS, "~"), "5ABCDEfghIJKL", (("91", "EE06"), ("92", CRYPTO))),
        ("]d2" + CLOTHES + "\r\n", "5ABCDEfghIJKL", (("91", "EE06"), ("92", CRYPTO))),
        (WATER.replace(GS, ""), "XyZ12345abcde", (("93", "dGh7"),)),
        (DAIRY.replace(GS, ""), "a1b2c3", (("93", "Zq9x"),)),
        (f"01{GTIN}215ABCDEfghIJKL", "5ABCDEfghIJKL", ()),
        (CLOTHES + GS, "5ABCDEfghIJKL", (("91", "EE06"), ("92", CRYPTO))),  # a closing FNC1
        (f"~{CLOTHES}~", "5ABCDEfghIJKL", (("91", "EE06"), ("92", CRYPTO))),
    ],
)
def test_parses_what_keyboard_wedges_deliver(raw, serial, tail):
    code = marking.parse(raw)
    assert (code.gtin, code.serial, code.tail) == (GTIN, serial, tail)
    assert code.identification == f"01{GTIN}21{serial}"


def test_russian_layout_is_undone():
    typed_on_russian = CLOTHES.translate(str.maketrans(marking._EN, marking._RU))
    assert typed_on_russian != CLOTHES
    assert marking.parse(typed_on_russian).serial == "5ABCDEfghIJKL"


def test_full_code_keeps_gs_separators_for_the_marketplaces():
    assert marking.parse(CLOTHES.replace(GS, "~")).full == CLOTHES


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("4601234567893", "no_gtin"),
        ("0104601234567894215ABCDEfghIJKL", "bad_check_digit"),
        (f"01{GTIN}105ABCDEfghIJKL", "no_serial"),
        (f"01{GTIN}21ABC DEF", "bad_serial"),
        (f"01{GTIN}215ABCDEfghIJKL{GS}99xxxx", "unknown_ai"),
        (f"01{GTIN}215ABCDEfghIJKL{GS}91EE0", "bad_length"),
        (f"01{GTIN}21" + "x" * 40, "no_separator"),
        ("01" + "٠٤٦٠١٢٣٤٥٦٧٨٩٣" + "215ABCDEfghIJKL", "no_gtin"),  # Arabic-Indic digits
        ("01" + "0460123456789³" + "215ABCDEfghIJKL", "no_gtin"),
    ],
)
def test_malformed_codes_say_why(raw, reason):
    with pytest.raises(marking.MalformedCode) as refused:
        marking.parse(raw)
    assert refused.value.reason == reason


def test_gtin_check_digits():
    assert marking.gtin_valid("4006381333931") and marking.gtin_valid("96385074")
    assert marking.gtin_valid("036000291452") and not marking.gtin_valid("4006381333932")


@pytest.fixture
def marked_site(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    shirt = f.make_product(session, "Shirt", "4601234567893")
    shirt.needs_marking = True
    mug = f.make_product(session, "Mug", "4607001234562")
    location = f.make_location(session, warehouse, "A-01")
    f.put_stock(session, shirt, location, 10)
    f.put_stock(session, mug, location, 10)
    return {"account": account, "picker": f.make_picker(session)}


def started(session, site, external_id, *lines):
    order = f.import_order(session, site["account"], external_id, *lines)
    task = session.scalar(select(PickTask).where(PickTask.order_id == order.id))
    picking.start_task(session, task.id, site["picker"])
    picking.record_scan(session, task.id, "LOC-A-01", f"{external_id}-bin", site["picker"])
    return order, task


def test_marked_goods_need_their_codes_and_each_code_is_used_once(session, marked_site):
    picker = marked_site["picker"]
    order, task = started(session, marked_site, "o-1", ("4601234567893", 2))

    def scan(code, scan_id):
        return picking.record_scan(session, task.id, code, scan_id, picker)

    assert scan("4601234567893", "ean").code == "marking_required"
    bad = scan("0104601234567894215ABCDEfghIJKL", "bad")
    assert (bad.code, bad.params["reason"]) == ("marking_malformed", "bad_check_digit")
    assert scan(f"01{GTIN}21{'x' * 40}", "nosep").params["reason"] == "no_separator"
    mug = scan("0104607001234562215ABCDEfghIJKL~93abcd", "mug")
    assert (mug.code, mug.params["scanned"]) == ("wrong_product", "Mug")
    assert scan(CLOTHES, "ok-1").code == "picked"
    again = scan(CLOTHES.replace(GS, "~"), "dup")
    assert (again.code, again.params["order"]) == ("marking_used", "o-1")
    assert scan(WATER, "ok-2").task_done
    assert picking.marking_codes(session, order) == {order.lines[0].id: [CLOTHES, WATER]}


def test_a_code_used_on_one_order_is_refused_on_another_until_that_one_is_cancelled(
    session, marked_site
):
    picker = marked_site["picker"]
    first, first_task = started(session, marked_site, "o-1", ("4601234567893", 1))
    picking.record_scan(session, first_task.id, CLOTHES, "a", picker)
    _second, task = started(session, marked_site, "o-2", ("4601234567893", 1))
    assert picking.record_scan(session, task.id, CLOTHES, "b", picker).code == "marking_used"
    intake.cancel(session, first, by_marketplace=True)
    assert session.scalar(select(MarkingCode)) is None
    assert picking.record_scan(session, task.id, CLOTHES, "c", picker).task_done


def test_packing_checks_the_codes_picked_for_this_order(session, marked_site):
    from warehouse.floor import packing

    picker = marked_site["picker"]
    order, task = started(session, marked_site, "o-1", ("4601234567893", 1))
    picking.record_scan(session, task.id, CLOTHES, "pick", picker)
    other = f"01{GTIN}21ZZZZZZZZZZZZZ{GS}93abcd"
    assert (
        packing.verify_scan(session, task.id, other, "v1", picker).code == "marking_not_this_order"
    )
    assert packing.verify_scan(session, task.id, CLOTHES, "v2", picker).task_done
    assert packing.verified(task)
    f.make_printer(session, f.make_warehouse(session), ("127.0.0.1", 9))
    session.flush()
    task.warehouse_id = session.scalar(select(Printer.warehouse_id))
    job = packing.pack_task(session, task.id, picker, None, package="bag", verify=True)
    assert job.status == "queued" and order.status == "packed"


@pytest.mark.parametrize(
    "raw",
    [
        f"01{GTIN}215ABCDEfghIJKL",  # the identification code alone
        f"01{GTIN}215ABCDEfghIJKL{GS}91EE06",  # the key without its signature
        f"01{GTIN}215ABCDEfghIJKL{GS}92{CRYPTO}",  # the signature without its key
    ],
)
def test_a_code_without_its_crypto_tail_is_refused_at_pick(session, marked_site, raw):
    _order, task = started(session, marked_site, "o-1", ("4601234567893", 1))
    result = picking.record_scan(session, task.id, raw, "cut", marked_site["picker"])
    assert (result.ok, result.code, result.params["reason"]) == (
        False,
        "marking_malformed",
        "no_crypto_tail",
    )
    assert session.scalar(select(MarkingCode)) is None and task.items[0].picked == 0


def test_packing_a_marked_unit_takes_its_code_not_the_ean(session, marked_site):
    from warehouse.floor import packing

    picker = marked_site["picker"]
    _order, task = started(session, marked_site, "o-1", ("4601234567893", 1))
    picking.record_scan(session, task.id, WATER, "pick", picker)
    ean = packing.verify_scan(session, task.id, "4601234567893", "v1", picker)
    assert (ean.ok, ean.code) == (False, "marking_required")
    assert task.items[0].verified == 0
    stranger = packing.verify_scan(session, task.id, CLOTHES, "v2", picker)
    assert (stranger.ok, stranger.code) == (False, "marking_not_this_order")
    assert packing.verify_scan(session, task.id, WATER.replace(GS, ""), "v3", picker).task_done
