"""The Ozon sandbox's month of sales and finance (``POST /_control/sales``).

``generate`` stores postings (ordered, then delivered, cancelled or returned) and the
finance operations Ozon accounts for them, deterministic from a seed: for each listed FBS
order a sale a few days after it was ordered (and, for the listed returns, the return and
its logistics later), ``fbo_per_day`` random FBO postings of the demo catalogue a day (a
tenth of them cancelled), and a few operations of their own (storage every week, a
promotion, a withholding for goods short, a compensation, a cross-docking charge). A
delivery, cancellation or return stays inside the month and is never later than the
moment the month is made, so the month's report holds every listed order's sale.

Every operation row keeps Ozon's fields (kopecks, Ozon's signs: what Ozon takes is
negative) and the sandbox's own book of it in ``RealizationRow``'s signs, written when
the operation is made, so ``totals`` never reads the API's answer back.
"""

from __future__ import annotations

import random
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Float, Integer, String, Table, delete, select
from sqlalchemy.engine import Connection

from warehouse.marketplaces.sandbox import ozon_state as st
from warehouse.marketplaces.sandbox.common import metadata

MOSCOW = timezone(timedelta(hours=3))
DAY = 86400.0
OPERATION_BASE = 30_000_000_000
EXTRA_SKU_BASE = 1_500_000_000  # Ozon SKUs of articles the demo catalogue lacks
FBO_WAREHOUSE = (22_000_000_000_001, "ХОРУГВИНО_РФЦ")
# Ozon's operation types with their names («Тип операции» of the reference) and the
# transaction type (``type``) each is listed under.
OPERATIONS = {
    "OperationAgentDeliveredToCustomer": ("Доставка покупателю", "orders"),
    "ClientReturnAgentOperation": ("Получение возврата, отмены, невыкупа от покупателя", "returns"),
    "OperationItemReturn": ("Доставка и обработка возврата, отмены, невыкупа", "returns"),
    "OperationMarketplaceServiceStorage": ("Услуга размещения товаров на складе", "services"),
    "MarketplaceMarketingActionCostOperation": ("Услуги продвижения товаров", "services"),
    "OperationMarketplaceWithHoldingForUndeliverableGoods": (
        "Удержание за недовложение товара",
        "other",
    ),
    "OperationLackWriteOff": ("Компенсация за утерянный на складе товар", "compensation"),
    "OperationMarketplaceCrossDockServiceWriteOff": (
        "Доставка товаров на склад Ozon (кросс-докинг)",
        "services",
    ),
}
# Services the sandbox charges (all of them logistics in the reference's words).
DIRECT_FLOW = "MarketplaceServiceItemDirectFlowLogistic"  # логистика
LAST_MILE = "MarketplaceServiceItemDelivToCustomer"  # последняя миля
DROPOFF = "MarketplaceServiceItemDropoffPVZ"  # обработка отправления (FBS drop-off)
FULFILMENT = "MarketplaceServiceItemFulfillment"  # сборка заказа (FBO)
RETURN_FLOW = "MarketplaceServiceItemReturnFlowLogistic"  # обратная логистика
RETURN_HANDLING = "MarketplaceServiceItemReturnAfterDelivToCustomer"  # обработка возврата

report_postings = Table(
    "ozon_sandbox_report_postings",
    metadata,
    Column("posting_number", String(40), primary_key=True),
    Column("scheme", String(3), nullable=False),  # fbs | fbo
    Column("order_id", BigInteger, nullable=False),
    Column("order_number", String(30), nullable=False),
    Column("ordered_ts", Float, nullable=False, index=True),
    Column("delivered_ts", Float),
    Column("cancelled_ts", Float),
    Column("products", JSON, nullable=False),  # [{sku, offer_id, name, quantity, price (kopecks)}]
    Column("commission_percent", Integer, nullable=False),
)

operations = Table(
    "ozon_sandbox_operations",
    metadata,
    Column("operation_id", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", Float, nullable=False, index=True),
    Column("operation_type", String(80), nullable=False),
    Column("posting_number", String(40), nullable=False, default=""),
    Column("delivery_schema", String(20), nullable=False, default=""),
    Column("order_ts", Float),
    Column("warehouse_id", BigInteger, nullable=False, default=0),
    Column("items", JSON, nullable=False),  # [{name, sku}], one per unit
    # Ozon's money, kopecks, Ozon's signs
    Column("accruals_for_sale", Integer, nullable=False, default=0),
    Column("sale_commission", Integer, nullable=False, default=0),
    Column("services", JSON, nullable=False),  # [{name, price}]
    Column("amount", Integer, nullable=False),
    # the sandbox's own book, RealizationRow's signs
    Column("kind", String(10), nullable=False),  # sale | return | charge
    Column("book", JSON, nullable=False),  # {amount, commission, logistics, other, payout}
)

report_cards = Table(
    "ozon_sandbox_report_cards",
    metadata,
    Column("offer_id", String(100), primary_key=True),
    Column("sku", BigInteger, nullable=False),
    Column("name", String(255), nullable=False),
)

# Ozon asks for the transaction list's requests one after another: a call running till ``until``.
busy = Table(
    "ozon_sandbox_report_busy",
    metadata,
    Column("call", String(40), primary_key=True),
    Column("until", Float, nullable=False),
)


@dataclass(frozen=True)
class Order:
    """A listed FBS order: its posting number, card, unit price (kopecks), when ordered."""

    number: str
    offer_id: str
    price: int
    quantity: int
    at: float


@dataclass(frozen=True)
class Spec:
    start: date
    days: int
    seed: int
    fbo_per_day: int
    orders: tuple[Order, ...] = ()
    returns: frozenset[str] = frozenset()
    difference: str = ""


@dataclass(frozen=True)
class Card:
    sku: int
    offer_id: str
    name: str


@dataclass
class _Month:
    """What one ``generate`` makes, before it is stored."""

    spec: Spec
    rng: random.Random
    postings: list[dict[str, Any]] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)

    def new_number(self) -> str:
        """A posting number of Ozon's shape no posting of the month has yet."""
        taken = {posting["posting_number"] for posting in self.postings}
        while True:
            order = f"{self.rng.randint(10**7, 10**8 - 1)}-{self.rng.randint(1, 9999):04d}"
            if f"{order}-1" not in taken:
                return f"{order}-1"

    def later(self, after: float, days: float) -> float:
        """``days`` after ``after``, but inside the month and not after now: the month's
        report holds the sale or return of every listed order."""
        end = self.day(self.spec.days, 0.0) - 60
        return max(after, min(after + days * DAY, end, time.time() - 60))

    def day(self, n: int, hour: float = 12.0) -> float:
        midnight = datetime.combine(self.spec.start, datetime.min.time(), MOSCOW)
        return (midnight + timedelta(days=n, hours=hour)).timestamp()


def generate(conn: Connection, spec: Spec) -> tuple[int, dict[str, str] | None]:
    """Replace the stored month; (operations made, the difference put in, if any)."""
    for table in (operations, report_postings):
        conn.execute(delete(table))
    month = _Month(spec, random.Random(spec.seed))
    changed = _pick(month, "amount")
    for order in spec.orders:
        card = card_of(conn, order.offer_id)
        extra = 10_000 if order.number == changed else 0  # 100 roubles above the price
        _fbs_order(month, order, card, extra)
    unknown = _unknown_sale(conn, month) if spec.difference == "unknown" else None
    _fbo_postings(month)
    _charges(month)
    if month.postings:
        conn.execute(report_postings.insert(), month.postings)
    if month.operations:
        conn.execute(operations.insert(), month.operations)
    number, kind = (changed, "amount") if changed else (unknown, "unknown")
    return len(month.operations), ({"order_number": number, "kind": kind} if number else None)


def _pick(month: _Month, wanted: str) -> str | None:
    if month.spec.difference != wanted or not month.spec.orders:
        return None
    return month.rng.choice(month.spec.orders).number


# --- postings and their operations ------------------------------------------------------------


def _fbs_order(month: _Month, order: Order, card: Card, extra: int) -> None:
    delivered = month.later(order.at, month.rng.uniform(2, 5))
    posting = _posting(month, "fbs", order.number, card, order.quantity, order.price, order.at)
    posting["delivered_ts"] = delivered
    _sale(month, posting, delivered, extra)
    if order.number in month.spec.returns:
        returned = month.later(delivered, month.rng.uniform(2, 6))
        _return(month, posting, returned)


def _unknown_sale(conn: Connection, month: _Month) -> str:
    """One FBS sale of a posting no listed order has (a demo card), mid-month."""
    number = month.new_number()
    card = card_of(conn, month.rng.choice(st.ITEMS).product.article)
    ordered = month.day(month.spec.days // 2, 10.0)
    posting = _posting(month, "fbs", number, card, 1, _demo_price(card), ordered)
    posting["delivered_ts"] = month.later(ordered, 2)
    _sale(month, posting, posting["delivered_ts"], 0)
    return number


def _fbo_postings(month: _Month) -> None:
    for n in range(month.spec.days):
        for _ in range(month.spec.fbo_per_day):
            item = month.rng.choice(st.ITEMS)
            card = Card(item.sku, item.product.article, item.product.name)
            number = month.new_number()
            quantity = month.rng.choice((1, 1, 1, 2))
            ordered = month.day(n, month.rng.uniform(0.0, 23.9))
            posting = _posting(
                month, "fbo", number, card, quantity, item.product.price_kopecks, ordered
            )
            if month.rng.random() < 0.1:
                posting["cancelled_ts"] = month.later(ordered, month.rng.uniform(1, 24) / 24)
            else:
                posting["delivered_ts"] = month.later(ordered, month.rng.uniform(1, 4))
                _sale(month, posting, posting["delivered_ts"], 0)


def _posting(
    month: _Month, scheme: str, number: str, card: Card, quantity: int, price: int, at: float
) -> dict[str, Any]:
    order_number = number.rsplit("-", 1)[0] if number.count("-") >= 2 else number
    seeded = random.Random(f"{month.spec.seed}:{card.offer_id}")
    posting = {
        "posting_number": number,
        "scheme": scheme,
        "order_id": zlib.crc32(order_number.encode()) + 100_000_000,
        "order_number": order_number,
        "ordered_ts": at,
        "delivered_ts": None,
        "cancelled_ts": None,
        "products": [
            {
                "sku": card.sku,
                "offer_id": card.offer_id,
                "name": card.name,
                "quantity": quantity,
                "price": price,
            }
        ],
        "commission_percent": seeded.choice((10, 12, 15, 18, 20)),
    }
    month.postings.append(posting)
    return posting


def _sale(month: _Month, posting: dict[str, Any], at: float, extra: int) -> None:
    """Доставка покупателю: the goods' price, the commission, the logistics services."""
    [product] = posting["products"]
    units = product["quantity"]
    accruals = product["price"] * units + extra
    commission = round(accruals * posting["commission_percent"] / 100)
    per_unit = random.Random(f"{month.spec.seed}:{product['offer_id']}:logistics")
    services = [(DIRECT_FLOW, per_unit.randint(60, 140) * 100 * units), (LAST_MILE, 2_500 * units)]
    services.append((DROPOFF, 1_500) if posting["scheme"] == "fbs" else (FULFILMENT, 2_000))
    logistics = sum(price for _name, price in services)
    _operation(
        month,
        "OperationAgentDeliveredToCustomer",
        at,
        posting,
        units,
        accruals=accruals,
        sale_commission=-commission,
        services=[(name, -price) for name, price in services],
        book=("sale", accruals, commission, logistics, 0),
    )


def _return(month: _Month, posting: dict[str, Any], at: float) -> None:
    """The buyer's return: price back, commission refunded; its logistics a day later."""
    [product] = posting["products"]
    units = product["quantity"]
    accruals = product["price"] * units
    commission = round(accruals * posting["commission_percent"] / 100)
    _operation(
        month,
        "ClientReturnAgentOperation",
        at,
        posting,
        units,
        accruals=-accruals,
        sale_commission=commission,
        services=[],
        book=("return", -accruals, -commission, 0, 0),
    )
    services = [(RETURN_FLOW, 9_000 * units), (RETURN_HANDLING, 1_500 * units)]
    logistics = sum(price for _name, price in services)
    _operation(
        month,
        "OperationItemReturn",
        month.later(at, 1),
        posting,
        units,
        services=[(name, -price) for name, price in services],
        book=("charge", 0, 0, logistics, 0),
    )


def _charges(month: _Month) -> None:
    """Operations of no sale: storage each week, a promotion, a withholding for goods
    short (a fine), a compensation for goods lost, a cross-docking charge."""
    rng, days = month.rng, month.spec.days
    for n in range(6, days, 7):
        storage = rng.randint(15_000, 40_000)
        _charge(month, "OperationMarketplaceServiceStorage", month.day(n, 3.0), -storage)
    _charge(month, "MarketplaceMarketingActionCostOperation", month.day(min(2, days - 1)), -646)
    fine = rng.randint(50_000, 150_000)
    _charge(
        month, "OperationMarketplaceWithHoldingForUndeliverableGoods", month.day(days // 3), -fine
    )
    lost = rng.randint(30_000, 90_000)
    _charge(month, "OperationLackWriteOff", month.day(days // 2, 15.0), lost)
    cross_dock = rng.randint(20_000, 60_000)
    _charge(
        month,
        "OperationMarketplaceCrossDockServiceWriteOff",
        month.day(min(4, days - 1)),
        -cross_dock,
        logistics=True,
    )


def _charge(month: _Month, kind: str, at: float, amount: int, *, logistics: bool = False) -> None:
    book = ("charge", 0, 0, -amount, 0) if logistics else ("charge", 0, 0, 0, -amount)
    _operation(month, kind, at, None, 0, services=[], amount=amount, book=book)


def _operation(
    month: _Month,
    kind: str,
    at: float,
    posting: dict[str, Any] | None,
    units: int,
    *,
    services: Sequence[tuple[str, int]],
    book: tuple[str, int, int, int, int],
    accruals: int = 0,
    sale_commission: int = 0,
    amount: int | None = None,
) -> None:
    total = accruals + sale_commission + sum(price for _name, price in services)
    total = total if amount is None else amount
    book_kind, book_amount, commission, logistics, other = book
    product = posting["products"][0] if posting else None
    month.operations.append(
        {
            "operation_id": OPERATION_BASE + len(month.operations) + 1,
            "ts": at,
            "operation_type": kind,
            "posting_number": posting["posting_number"] if posting else "",
            "delivery_schema": posting["scheme"].upper() if posting else "",
            "order_ts": posting["ordered_ts"] if posting else None,
            "warehouse_id": _warehouse_id(posting),
            "items": [{"name": product["name"], "sku": product["sku"]}] * units if product else [],
            "accruals_for_sale": accruals,
            "sale_commission": sale_commission,
            "services": [{"name": name, "price": price} for name, price in services],
            "amount": total,
            "kind": book_kind,
            "book": {
                "amount": book_amount,
                "commission": commission,
                "logistics": logistics,
                "other": other,
                "payout": total,
            },
        }
    )


def _warehouse_id(posting: dict[str, Any] | None) -> int:
    if posting is None:
        return 0
    return st.WAREHOUSE_ID if posting["scheme"] == "fbs" else FBO_WAREHOUSE[0]


# --- cards --------------------------------------------------------------------------------------


def card_of(conn: Connection, offer_id: str) -> Card:
    """The demo card of the offer, else a card of its own (kept, so info/list knows it)."""
    for item in st.ITEMS:
        if item.product.article == offer_id:
            return Card(item.sku, offer_id, item.product.name)
    found = conn.execute(select(report_cards).where(report_cards.c.offer_id == offer_id)).first()
    if found is not None:
        return Card(found.sku, found.offer_id, found.name)
    card = Card(EXTRA_SKU_BASE + zlib.crc32(offer_id.encode()) % 10**8, offer_id, offer_id)
    conn.execute(report_cards.insert().values(sku=card.sku, offer_id=offer_id, name=offer_id))
    return card


def extra_cards(conn: Connection, offer_ids: Sequence[str], skus: Sequence[int]) -> list[Card]:
    rows = conn.execute(select(report_cards).order_by(report_cards.c.sku))
    return [
        Card(row.sku, row.offer_id, row.name)
        for row in rows
        if row.offer_id in offer_ids or row.sku in skus
    ]


def _demo_price(card: Card) -> int:
    return next(i.product.price_kopecks for i in st.ITEMS if i.product.article == card.offer_id)


# --- reading --------------------------------------------------------------------------------------


def status_at(row: Any, now: float) -> str | None:
    """The posting's status at ``now``; None before it was ordered."""
    if row.ordered_ts > now:
        return None
    if row.cancelled_ts is not None and row.cancelled_ts <= now:
        return st.CANCELLED
    if row.delivered_ts is not None and row.delivered_ts <= now:
        return st.DELIVERED
    return st.DELIVERING


def changed_at(row: Any, now: float) -> float:
    moments = (row.ordered_ts, row.delivered_ts, row.cancelled_ts)
    return max(ts for ts in moments if ts is not None and ts <= now)


def totals(conn: Connection, first: date, last: date, now: float) -> dict[str, int]:
    """The sandbox's own sums of its operations dated (Moscow) ``first``..``last``."""
    lo = datetime.combine(first, datetime.min.time(), MOSCOW).timestamp()
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), MOSCOW).timestamp()
    found = {key: 0 for key in ("sale_amount", "return_amount", "commission", "logistics")}
    found.update(rows=0, other=0, payout=0)
    query = select(operations.c.kind, operations.c.book).where(
        operations.c.ts >= lo, operations.c.ts < hi, operations.c.ts <= now
    )
    for kind, book in conn.execute(query):
        found["rows"] += 1
        if kind in ("sale", "return"):
            found[f"{kind}_amount"] += book["amount"]
        for key in ("commission", "logistics", "other", "payout"):
            found[key] += book[key]
    return found


def moscow_text(ts: float | None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in Moscow time, as ``operation_date`` is written."""
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).astimezone(MOSCOW).strftime("%Y-%m-%d %H:%M:%S")
