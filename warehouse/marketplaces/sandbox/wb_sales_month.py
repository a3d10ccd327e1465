"""A month of the WB sandbox's sales book, made from the control request (``wb_sales``).

Every listed FBS order gets an order row, a sale a few days later (a sale line in the
realization report with the card's commission and a logistics line), a listed return a
return row and a return line with its own logistics; each day brings ``fbo_per_day`` FBO
orders of the demo cards (one in ten cancelled, the rest bought out); the month has a few
charge-only lines (storage every seven days, a fine, paid acceptance, a deduction).
Everything is drawn from ``seed``: the same request makes the same month. The sandbox's
prices carry no WB discount (``spp`` 0): the buyer pays the order's price, and a sale
line's retail amount is that price (except for the «amount» difference, 100 roubles above).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces import money
from warehouse.marketplaces.sandbox.wb_sales import MSK, Item, Ordered, Plan

SELLER_WAREHOUSE = "Склад продавца"
WB_WAREHOUSE = "Склад WB"
FBS_WAREHOUSE = "Склад продавца (sandbox)"
WB_WAREHOUSES = ("Коледино", "Электросталь", "Казань")
TO_BUYER = "К клиенту при продаже"
FROM_BUYER = "От клиента при возврате"
DIFFERENCE = 10_000  # the «amount» difference: a retail amount 100 roubles above the price


@dataclass(frozen=True)
class Unit:
    """Units of one order: who, what, how many, at what price."""

    srid: str
    assembly_id: int  # 0 for FBO
    item: Item
    price: int  # per unit, kopecks
    quantity: int
    ordered: datetime  # aware
    scheme: str  # "fbs" | "fbo"
    warehouse: str


@dataclass
class Book:
    """What one control request makes, before it is stored."""

    plan: Plan
    rng: random.Random
    stats: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)

    def end(self) -> datetime:
        """A moment of the month's last evening (Moscow): what would fall later falls here."""
        evening = datetime.combine(self.plan.last, time(18, 0), MSK)
        return evening + timedelta(seconds=self.rng.randrange(5 * 3600))


# --- making the month ------------------------------------------------------------------------


def make(
    plan: Plan, items: Mapping[str, Item], rids: Mapping[int, str]
) -> tuple[Book, dict[str, str] | None, dict[str, str]]:
    """The month's book, the difference made (or None) and the srid of each listed order.

    ``items`` finds a card by chrtID or seller article; ``rids`` are the sandbox's own
    assembly orders' rids (an order made by the sandbox keeps its rid as srid).
    """
    book = Book(plan, random.Random(plan.seed))
    srids: dict[str, str] = {}
    priced = _first_sold(plan)
    for ordered in plan.orders:
        unit = _fbs_unit(plan, ordered, items, rids)
        srids[ordered.number] = unit.srid
        extra = DIFFERENCE if plan.difference == "amount" and ordered.number == priced else 0
        sold = _sell(book, unit, extra=extra)
        if ordered.number in plan.returns:
            _give_back(book, unit, sold)
    difference = None
    if plan.difference == "unknown":
        difference = _unknown(book, items)
    elif plan.difference == "amount":
        difference = {"order_number": priced, "kind": "amount"}
    for day in range(plan.days):
        for _ in range(plan.fbo_per_day):
            _fbo_order(book, plan.start + timedelta(days=day))
    _charges(book)
    return book, difference, srids


def _first_sold(plan: Plan) -> str:
    """The listed order whose sale line the «amount» difference changes."""
    kept = [o.number for o in plan.orders if o.number not in plan.returns]
    return (kept or [o.number for o in plan.orders] or [""])[0]


def _fbs_unit(
    plan: Plan, ordered: Ordered, items: Mapping[str, Item], rids: Mapping[int, str]
) -> Unit:
    """A digits-only number is an assembly order id; anything else is taken as the srid."""
    item = items.get(ordered.sku) or items.get(ordered.article) or Item(0, ordered.article, "")
    if ordered.number.isdecimal():
        assembly_id = int(ordered.number)
        srid = rids.get(assembly_id) or _srid(plan.seed, ordered.number)
    else:
        assembly_id, srid = 0, ordered.number
    return Unit(
        srid, assembly_id, item, ordered.price, ordered.quantity, ordered.at, "fbs", FBS_WAREHOUSE
    )


def _unknown(book: Book, items: Mapping[str, Item]) -> dict[str, str]:
    """The «unknown» difference: a sale of an FBS order nobody listed."""
    listed = {o.number for o in book.plan.orders}
    assembly_id = 9_000_000_000 + book.rng.randrange(10**8)
    while str(assembly_id) in listed:
        assembly_id += 1
    product = PRODUCTS[0]
    item = items.get(product.article) or Item(
        product.wb_nm_id, product.article, product.barcodes[0]
    )
    middle = datetime.combine(book.plan.start + timedelta(days=book.plan.days // 2), time(12), MSK)
    unit = Unit(
        _srid(book.plan.seed, str(assembly_id)),
        assembly_id,
        item,
        product.price_kopecks,
        1,
        middle,
        "fbs",
        FBS_WAREHOUSE,
    )
    _sell(book, unit, extra=0)
    return {"order_number": str(assembly_id), "kind": "unknown"}


def _fbo_order(book: Book, day: date) -> None:
    rng = book.rng
    product = rng.choice(PRODUCTS)
    ordered = datetime.combine(day, time(rng.randrange(8, 22), rng.randrange(60)), MSK)
    item = Item(product.wb_nm_id, product.article, product.barcodes[0], product.name)
    unit = Unit(
        _hex(rng),
        0,
        item,
        product.price_kopecks,
        1,
        ordered,
        "fbo",
        rng.choice(WB_WAREHOUSES),
    )
    if rng.randrange(10) == 0:
        cancelled = ordered + timedelta(hours=rng.randrange(1, 4))
        _order_row(book, unit, cancelled=cancelled)
        return
    _sell(book, unit, extra=0)


def _sell(book: Book, unit: Unit, *, extra: int) -> dict[str, Any]:
    """The order rows, the sale rows and the sale and logistics lines; returns the sale line."""
    rng = book.rng
    _order_row(book, unit)
    sold = min(
        unit.ordered + timedelta(days=rng.randrange(2, 6), hours=rng.randrange(8)), book.end()
    )
    sold = max(sold, unit.ordered + timedelta(hours=1))
    bp, logistics = _tariff(book.plan.seed, unit.item.article)
    amount = unit.price * unit.quantity + extra
    commission = (amount * bp + 5_000) // 10_000
    for_pay = amount - commission
    for n in range(unit.quantity):
        per_unit = for_pay // unit.quantity
        _sale_row(book, unit, n, sold, per_unit, "S")
    line = _line(book, unit, sold, "sale", "Продажа", "Продажа", amount=amount, for_pay=for_pay)
    line["body"]["commissionPercent"] = bp / 100
    line["body"]["retailPriceWithDisc"] = amount // unit.quantity
    to_buyer = {"deliveryAmount": unit.quantity}
    delivery = logistics * unit.quantity
    _line(
        book, unit, sold, "charge", "", "Логистика", delivery=delivery, bonus=TO_BUYER, **to_buyer
    )
    return line


def _give_back(book: Book, unit: Unit, sale: dict[str, Any]) -> None:
    rng = book.rng
    sold = datetime.fromisoformat(sale["body"]["saleDt"])
    back = min(sold + timedelta(days=rng.randrange(3, 7)), book.end())
    back = max(back, sold + timedelta(hours=1))
    bp, logistics = _tariff(book.plan.seed, unit.item.article)
    for n in range(unit.quantity):
        _sale_row(book, unit, n, back, -(sale["for_pay"] // unit.quantity), "R")
    amount, for_pay = sale["amount"], sale["for_pay"]
    line = _line(book, unit, back, "return", "Возврат", "Возврат", amount=amount, for_pay=for_pay)
    line["body"]["commissionPercent"] = bp / 100
    back_from = {"returnAmount": unit.quantity}
    delivery = logistics * unit.quantity
    _line(
        book,
        unit,
        back,
        "charge",
        "",
        "Логистика",
        delivery=delivery,
        bonus=FROM_BUYER,
        **back_from,
    )


def _charges(book: Book) -> None:
    """Storage every seven days, a fine, paid acceptance and a deduction: lines of no order."""
    rng, plan = book.rng, book.plan
    nobody = Unit("", 0, Item(0, "", ""), 0, 0, book.end(), "fbo", WB_WAREHOUSES[0])
    for day in range(0, plan.days, 7):
        at = datetime.combine(plan.start + timedelta(days=day), time(3), MSK)
        _line(book, nobody, at, "charge", "", "Хранение", storage=rng.randrange(15_000, 60_000))
    middle = datetime.combine(plan.start + timedelta(days=plan.days // 2), time(10), MSK)
    _line(
        book,
        nobody,
        middle,
        "charge",
        "",
        "Штраф",
        penalty=50_000,
        bonus="Штраф за нарушение правил упаковки",
    )
    _line(book, nobody, middle, "charge", "", "Платная приёмка", acceptance=86_500)
    _line(
        book,
        nobody,
        middle + timedelta(hours=1),
        "charge",
        "",
        "Удержание",
        deduction=rng.randrange(20_000, 40_000),
        bonus="Оказание услуг «WB Продвижение»",
    )


# --- rows and lines ----------------------------------------------------------------------------


def _order_row(book: Book, unit: Unit, *, cancelled: datetime | None = None) -> None:
    changed = (cancelled or unit.ordered) + timedelta(minutes=5, seconds=book.rng.randrange(60))
    for n in range(unit.quantity):
        body = {
            **_stat_common(unit, n, unit.ordered, changed),
            "isCancel": cancelled is not None,
            "cancelDate": _msk(cancelled) if cancelled else "0001-01-01T00:00:00",
        }
        book.stats.append(_stat("orders", unit.ordered, changed, body))


def _sale_row(book: Book, unit: Unit, n: int, at: datetime, for_pay: int, prefix: str) -> None:
    changed = at + timedelta(minutes=7, seconds=book.rng.randrange(60))
    sign = -1 if prefix == "R" else 1
    body = {
        **_stat_common(unit, n, at, changed, sign=sign),
        "paymentSaleAmount": 0,
        "forPay": money.roubles_number(for_pay),
        "saleID": f"{prefix}{book.rng.randrange(10**9, 10**10)}",
    }
    book.stats.append(_stat("sales", at, changed, body))


def _stat_common(
    unit: Unit, n: int, at: datetime, changed: datetime, *, sign: int = 1
) -> dict[str, Any]:
    price = money.roubles_number(sign * unit.price)
    return {
        "date": _msk(at),
        "lastChangeDate": _msk(changed),
        "warehouseName": unit.warehouse,
        "warehouseType": SELLER_WAREHOUSE if unit.scheme == "fbs" else WB_WAREHOUSE,
        "countryName": "Россия",
        "oblastOkrugName": "Центральный федеральный округ",
        "regionName": "Московская",
        "supplierArticle": unit.item.article,
        "nmId": unit.item.nm_id,
        "barcode": unit.item.barcode,
        "category": "Товары",
        "subject": unit.item.name,
        "brand": "Demo",
        "techSize": "0",
        "incomeID": 0,
        "isSupply": False,
        "isRealization": True,
        "totalPrice": price,
        "discountPercent": 0,
        "spp": 0,
        "finishedPrice": price,
        "priceWithDisc": price,
        "sticker": str(unit.assembly_id * 7 % 10**10) if unit.assembly_id else "",
        "gNumber": unit.srid[:20],
        "srid": unit.srid if n == 0 else f"{unit.srid}.{n}",
    }


def _stat(report: str, at: datetime, changed: datetime, body: dict[str, Any]) -> dict[str, Any]:
    day = at.astimezone(MSK).date().isoformat()
    changed_ts = changed.replace(microsecond=0).timestamp()  # as lastChangeDate shows it
    return {"report": report, "changed_ts": changed_ts, "day": day, "body": body}


def _line(
    book: Book,
    unit: Unit,
    at: datetime,
    kind: str,
    doc: str,
    oper: str,
    *,
    amount: int = 0,
    for_pay: int = 0,
    delivery: int = 0,
    penalty: int = 0,
    storage: int = 0,
    acceptance: int = 0,
    deduction: int = 0,
    bonus: str = "",
    **counts: int,
) -> dict[str, Any]:
    """A realization line; ``counts`` are deliveryAmount / returnAmount of a logistics line."""
    quantity = unit.quantity if kind != "charge" else 0
    line = {
        "rr_date": at.astimezone(MSK).date().isoformat(),
        "kind": kind,
        "amount": amount,
        "for_pay": for_pay,
        "delivery": delivery,
        "penalty": penalty,
        "storage": storage,
        "acceptance": acceptance,
        "deduction": deduction,
        "body": {
            "docTypeName": doc,
            "sellerOperName": oper,
            "bonusTypeName": bonus,
            "quantity": quantity,
            "deliveryAmount": counts.get("deliveryAmount", 0),
            "returnAmount": counts.get("returnAmount", 0),
            "retailPrice": unit.price if quantity else 0,
            "retailPriceWithDisc": unit.price if quantity else 0,
            "commissionPercent": 0,
            "nmId": unit.item.nm_id,
            "vendorCode": unit.item.article,
            "title": unit.item.name if unit.item.nm_id else "",
            "sku": unit.item.barcode,
            "srid": unit.srid,
            "orderId": unit.assembly_id,
            "orderUid": unit.srid[:32],
            "stickerId": str(unit.assembly_id * 7 % 10**10) if unit.assembly_id else "",
            "officeName": unit.warehouse,
            "deliveryMethod": "FBS" if unit.scheme == "fbs" else "FBW",
            "orderDt": _utc(unit.ordered) if unit.srid else _utc(at),
            "saleDt": _utc(at),
        },
    }
    book.lines.append(line)
    return line


# --- small pieces ------------------------------------------------------------------------------


def _tariff(seed: int, article: str) -> tuple[int, int]:
    """(commission in basis points, logistics per unit in kopecks) of a card, from the seed."""
    rng = random.Random(f"{seed}:{article}")
    return rng.choice((1500, 1750, 1950, 2150, 2450)), rng.randrange(5_000, 12_000)


def _srid(seed: int, number: str) -> str:
    return hashlib.sha1(f"wb-sandbox:{seed}:{number}".encode()).hexdigest()


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def _msk(at: datetime) -> str:
    """WB's statistics form: Moscow time without an offset."""
    return at.astimezone(MSK).strftime("%Y-%m-%dT%H:%M:%S")


def _utc(at: datetime) -> str:
    """The finance report's form: UTC with ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
