"""The Yandex Market sandbox's sales: a generated month of statistics and report lines.

``POST /_control/sales`` (see ``generate``) replaces them; ``reset`` clears them with the
rest. Two tables, both the sandbox's own:

- ``yandex_sandbox_stats_orders``: one ``OrdersStatsOrderDTO`` source per order, FBS
  (campaign 1) and FBY (campaign 2), with the moments it changed;
- ``yandex_sandbox_report_lines``: every line of the realization report (sheets
  ``transferred_to_delivery``, ``delivered``, ``returned``) and of the services report
  (``placement``, ``payment_transfer``, ``delivery``, ``storage_of_returns``, paid storage),
  each kept as the JSON row the report file carries plus the sandbox's own money in
  kopecks with ``RealizationRow``'s signs, from which ``totals`` adds up — never from an
  API answer.

Every amount is deterministic from the request's ``seed``: a placement fee of 5–15 % of the
price, a payment transfer fee of 1.5 %, delivery 60–250 ₽ a unit; FBY orders of the demo
catalogue (one in ten comes back) with their paid storage every 7 days, and the FBS
shop's monthly subscription (YM's services report has no sheet of fines: a late or
cancelled order makes its placement fee dearer instead).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Integer,
    String,
    Table,
    delete,
    insert,
)
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces import money
from warehouse.marketplaces.sandbox import yandex_sales_rows as shape
from warehouse.marketplaces.sandbox.common import Id, metadata
from warehouse.marketplaces.sandbox.yandex_catalogue import MARKET_SKU_BASE
from warehouse.marketplaces.sandbox.yandex_db import SandboxError
from warehouse.marketplaces.sandbox.yandex_state import (
    CAMPAIGN_ID,
    FBY_CAMPAIGN_ID,
    MSK,
)

FBO_BASE = 61_000_000  # FBY order ids
UNKNOWN_BASE = 69_000_000
DAY = 86_400.0
MAX_DAYS = 92
MAX_ORDERS = 5000
DIFFERENCE = 10_000  # kopecks: 100 roubles

stats = Table(
    "yandex_sandbox_stats_orders",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("campaign_id", BigInteger, nullable=False),
    Column("created_ts", Float, nullable=False),
    Column("status", String(40), nullable=False),
    Column("status_ts", Float, nullable=False),
    Column("events", JSON, nullable=False),  # every moment it changed
    # [{shopSku, marketSku, offerName, count, price (kopecks a unit), returned}]
    Column("items", JSON, nullable=False),
    Column("fees", JSON, nullable=False),  # {FEE: kopecks, DELIVERY_TO_CUSTOMER: kopecks, …}
)

lines = Table(
    "yandex_sandbox_report_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("report", String(20), nullable=False),  # "realization" | "services"
    Column("sheet", String(60), nullable=False),
    Column("campaign_id", BigInteger, nullable=False),
    Column("day", String(10), nullable=False, index=True),  # the Moscow date it is dated
    Column("row", JSON, nullable=False),  # as the report file gives it
    Column("kind", String(10), nullable=False),  # sale | return | charge | "" (not money)
    Column("amount", BigInteger, nullable=False, default=0),
    Column("commission", BigInteger, nullable=False, default=0),
    Column("logistics", BigInteger, nullable=False, default=0),
    Column("other", BigInteger, nullable=False, default=0),
    Column("n", Integer, nullable=False, default=0),  # the order it was made in
)


@dataclass
class Made:
    stats: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return sum(1 for line in self.lines if line["kind"])


# --- generating ------------------------------------------------------------------------------


def generate(conn: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the sales with a month made from ``data`` (the control body)."""
    start, days = _start(data.get("start")), _bounded(data.get("days", 30), "days", 1, MAX_DAYS)
    rng = random.Random(_bounded(data.get("seed", 1), "seed", 0, 2**31))
    listed = [_listed(entry) for entry in _list(data.get("orders"), "orders")]
    returns = {_number(value, "returns") for value in _list(data.get("returns"), "returns")}
    if len(listed) > MAX_ORDERS or len({o.number for o in listed}) < len(listed):
        raise SandboxError(400, "BAD_REQUEST", "orders: unique numbers, at most 5000")
    for order in listed:
        order.returned = order.number in returns
    made = Made()
    difference = _difference(str(data.get("difference") or ""), listed, rng)
    for order in listed:
        _order(made, order, rng)
    per_day = _bounded(data.get("fbo_per_day", 3), "fbo_per_day", 0, 100)
    for order in _fby_orders(rng, start, days, per_day):
        _order(made, order, rng)
    if difference and difference["kind"] == "unknown":
        _unknown(made, int(difference["order_number"]), rng, start, days)
    if per_day:
        _storage(made, rng, start, days)
    _subscriptions(made, rng, start, days)
    conn.execute(delete(stats))
    conn.execute(delete(lines))
    if made.stats:
        conn.execute(insert(stats), made.stats)
    if made.lines:
        conn.execute(insert(lines), [{**line, "n": n} for n, line in enumerate(made.lines)])
    return {"rows": made.counted, "difference": difference}


def _difference(kind: str, listed: list[shape.Sold], rng: random.Random) -> dict[str, str] | None:
    if kind not in ("", "amount", "unknown"):
        raise SandboxError(400, "BAD_REQUEST", "difference: amount, unknown or empty")
    if kind == "amount" and listed:
        kept = [order for order in listed if not order.returned] or listed
        chosen = rng.choice(kept)
        chosen.extra = DIFFERENCE
        return {"order_number": str(chosen.number), "kind": "amount"}
    if kind == "unknown":
        number = max((order.number for order in listed), default=UNKNOWN_BASE) + 7777
        if FBO_BASE <= number < UNKNOWN_BASE:  # clear of the generated FBY ids
            number = UNKNOWN_BASE + 7777
        return {"order_number": str(number), "kind": "unknown"}
    return None


def _order(made: Made, order: shape.Sold, rng: random.Random) -> None:
    """Its statistics order and its lines: handed over, delivered (returned), the fees."""
    handed = order.at + DAY + rng.randint(0, 6) * 3600
    delivered = handed + rng.randint(1, 4) * DAY
    back = delivered + rng.randint(2, 6) * DAY
    amount = order.price * order.count
    placement = round((amount + order.extra) * rng.randint(5, 15) / 100)
    transfer = round((amount + order.extra) * shape.TRANSFER_PERMILLE / 1000)
    delivery = rng.randint(60, 250) * 100 * order.count
    end = back if order.returned else delivered
    made.stats.append(
        {
            "id": order.number,
            "campaign_id": order.campaign,
            "created_ts": order.at,
            "status": "RETURNED" if order.returned else "DELIVERED",
            "status_ts": end,
            "events": [order.at, handed, delivered, *([back] if order.returned else [])],
            "items": [shape.stats_item(order)],
            "fees": {
                "FEE": placement,
                "PAYMENT_TRANSFER": transfer,
                "DELIVERY_TO_CUSTOMER": delivery,
            },
        }
    )
    goods = shape.goods(order, handed, delivered)
    amount_sold = amount + order.extra
    handed_row = {**goods, **shape.sums("transferredToDelivery", order.count, amount)}
    made.lines.append(shape.line("transferred_to_delivery", order, handed, handed_row, ""))
    sale = {**goods, **shape.sums("delivered", order.count, amount_sold)}
    made.lines.append(shape.line("delivered", order, delivered, sale, "sale", amount_sold))
    made.lines.append(shape.service(order, "placement", delivered, placement, "commission"))
    made.lines.append(shape.service(order, "payment_transfer", delivered, transfer, "commission"))
    made.lines.append(shape.service(order, "delivery", handed, delivery, "logistics"))
    if order.returned:
        back_row = {
            key: value for key, value in goods.items() if key != "transferredToDeliveryCount"
        }
        back_row.update(deliveredCount=order.count)
        back_row["returnWarehouseOrScAcceptDate"] = shape.day_of(back)
        back_row.update(shape.sums("returned", order.count, amount))
        made.lines.append(shape.line("returned", order, back, back_row, "return", -amount))
        kept = shape.RETURN_STORAGE * order.count
        made.lines.append(shape.service(order, "storage_of_returns", back + DAY, kept, "other"))


def _unknown(made: Made, number: int, rng: random.Random, start: date, days: int) -> None:
    """One sale line for an order the seller never had (no statistics order)."""
    product = rng.choice(PRODUCTS)
    at = _noon(start + timedelta(days=days // 2))
    order = shape.Sold(
        number,
        product.article,
        product.name,
        _market_sku(product.article),
        product.price_kopecks,
        1,
        at,
    )
    handed, delivered = at + DAY, at + 3 * DAY
    sale = {**shape.goods(order, handed, delivered), **shape.sums("delivered", 1, order.price)}
    made.lines.append(shape.line("delivered", order, delivered, sale, "sale", order.price))
    fee = round(order.price * 10 / 100)
    made.lines.append(shape.service(order, "placement", delivered, fee, "commission"))


def _fby_orders(rng: random.Random, start: date, days: int, per_day: int) -> list[shape.Sold]:
    found: list[shape.Sold] = []
    for day in range(days):
        for _ in range(per_day):
            product = rng.choice(PRODUCTS)
            at = _noon(start + timedelta(days=day)) + rng.randint(-3 * 3600, 9 * 3600)
            found.append(
                shape.Sold(
                    FBO_BASE + len(found) + 1,
                    product.article,
                    product.name,
                    _market_sku(product.article),
                    product.price_kopecks,
                    rng.choice((1, 1, 1, 2)),
                    at,
                    campaign=FBY_CAMPAIGN_ID,
                    returned=rng.random() < 0.1,
                )
            )
    return found


def _storage(made: Made, rng: random.Random, start: date, days: int) -> None:
    """Paid storage of the FBY goods, a line per product every 7 days (no order)."""
    for day in range(0, days, 7):
        moment = _noon(start + timedelta(days=day))
        for product in PRODUCTS[:3]:
            cost = rng.randint(20, 90) * 100
            row = {
                "shopSku": product.article,
                "offerName": product.name,
                "warehouse": shape.FBY_WAREHOUSE["name"],
                "tariff": money.roubles_number(cost),
                "serviceDate": shape.day_of(moment),
                "paidStorage": money.roubles_number(cost),
            }
            made.lines.append(
                shape.charge("paid_storage_after_01-06-22", FBY_CAMPAIGN_ID, moment, row, cost)
            )


def _subscriptions(made: Made, rng: random.Random, start: date, days: int) -> None:
    """The cabinet's subscription, charged to the FBS shop once a month (no order)."""
    cost = rng.choice((49_900, 99_000))
    months = sorted({(start + timedelta(days=day)).replace(day=1) for day in range(days)})
    for month in months:
        moment = _noon(max(month, start))
        row = {
            "serviceName": "Подписка «Медиум»",
            "tariff": money.roubles_number(cost),
            "serviceDate": shape.day_of(moment),
            "servicePrice": money.roubles_number(cost),
            "commentary": "",
        }
        made.lines.append(shape.charge("business_subscription", CAMPAIGN_ID, moment, row, cost))


# --- reading the control body ------------------------------------------------------------------


def _listed(entry: Any) -> shape.Sold:
    if not isinstance(entry, dict):
        raise SandboxError(400, "BAD_REQUEST", "each order is {number, sku, price, at, …}")
    sku = str(entry.get("sku") or entry.get("article") or "").strip()
    if not sku:
        raise SandboxError(400, "BAD_REQUEST", "an order needs sku or article")
    at = _utc(entry.get("at"))
    price = _bounded(entry.get("price"), "price", 1, 10**11)
    count = _bounded(entry.get("quantity", 1), "quantity", 1, 1000)
    product = next((p for p in PRODUCTS if p.article == sku), None)
    name = product.name if product else f"Товар {sku}"
    return shape.Sold(
        _number(entry.get("number"), "number"), sku, name, _market_sku(sku), price, count, at
    )


def _number(value: Any, name: str) -> int:
    """A Yandex Market order id: digits."""
    text = str(value or "").strip()
    if not text.isdecimal() or not 0 < int(text) < 2**63:
        raise SandboxError(400, "BAD_REQUEST", f"{name}: {value!r} is not a Yandex Market order id")
    return int(text)


def _market_sku(sku: str) -> int:
    index = next((n for n, p in enumerate(PRODUCTS) if p.article == sku), None)
    return MARKET_SKU_BASE + index if index is not None else 0


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SandboxError(400, "BAD_REQUEST", f"{name} must be a list")
    return value


def _bounded(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise SandboxError(400, "BAD_REQUEST", f"{name} must be an integer {low}..{high}")
    return value


def _start(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SandboxError(400, "BAD_REQUEST", "start: a date YYYY-MM-DD") from None


def _utc(value: Any) -> float:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise SandboxError(400, "BAD_REQUEST", f"at: {value!r} is not an ISO datetime") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _noon(day: date) -> float:
    return datetime.combine(day, datetime.min.time(), MSK).timestamp() + 12 * 3600
