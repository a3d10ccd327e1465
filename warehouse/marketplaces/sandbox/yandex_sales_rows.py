"""The Yandex Market sandbox's sales lines shaped as YM's reports and statistics carry them.

Column names are the reference's «JSON column names» (report pages of
yandex.ru/dev/market/partner-api) and ``OrdersStatsItemDTO``'s fields; each sheet gets only
its own columns. Money is roubles as JSON numbers, dates ``YYYY-MM-DD`` and times
``YYYY-MM-DDTHH:MM:SS`` in Moscow time (the reference gives neither format: see
docs/REPORTS-APIS-YANDEX.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warehouse.marketplaces import money
from warehouse.marketplaces.sandbox.yandex_state import (
    BUSINESS_ID,
    CAMPAIGN_ID,
    FBY_CAMPAIGN_ID,
    MSK,
    WAREHOUSE_ID,
)

TRANSFER_PERMILLE = 15
RETURN_STORAGE = 1500  # kopecks a unit a return is kept
FBY_WAREHOUSE = {"id": 145, "name": "Яндекс Маркет Софьино"}
FBS_WAREHOUSE = {"id": WAREHOUSE_ID, "name": "Склад продавца"}
INN, PARTNER = "7700000000", "Sandbox seller"
SHOPS = {CAMPAIGN_ID: ("FBS", 10_001), FBY_CAMPAIGN_ID: ("FBY", 10_002)}  # model, shop id


@dataclass
class Sold:
    """One order line to make: a listed FBS order or a generated FBY one."""

    number: int
    sku: str
    name: str
    market_sku: int
    price: int  # kopecks a unit
    count: int
    at: float
    campaign: int = CAMPAIGN_ID
    returned: bool = False
    extra: int = 0  # kopecks added to the sale line (the "amount" difference)


def charge(
    sheet: str, campaign: int, moment: float, row: dict[str, Any], cost: int
) -> dict[str, Any]:
    """A services line tied to no order: an ``other`` charge."""
    return {
        "report": "services",
        "sheet": sheet,
        "campaign_id": campaign,
        "day": day_of(moment),
        "row": {**business(campaign), **row, "actDate": act_date(moment)},
        "kind": "charge",
        "amount": 0,
        "commission": 0,
        "logistics": 0,
        "other": cost,
    }


# --- rows as the reports carry them ------------------------------------------------------------


def goods(order: Sold, handed: float, delivered: float) -> dict[str, Any]:
    unit = money.roubles_number(order.price)
    return {
        "orderId": order.number,
        "yourOrderId": "",
        "orderType": "Обычный",
        "offerName": order.name,
        "yourSku": order.sku,
        "shopSku": order.sku,
        "transferredToDeliveryCount": order.count,
        "orderCreationDate": day_of(order.at),
        "transferredToDeliveryDate": day_of(handed),
        "deliveryDate": day_of(delivered),
        "paymentType": "Предоплата",
        "vat": "20%",
        "priceWithVatAndNoDiscount": unit,
        "shopMarketplaceDiscount": 0,
        "spasiboDiscount": 0,
        "yandexPlusDiscount": 0,
        "priceWithVatAndAllDiscounts": unit,
    }


def sums(prefix: str, count: int, total: int) -> dict[str, Any]:
    """A sheet's count and sums: ``deliveredCount``, ``deliveredPriceSum…``, ``return…``.
    The unit price follows the total, so the "amount" difference shows in both."""
    head = "return" if prefix == "returned" else prefix
    found: dict[str, Any] = {
        f"{head}PriceSumWithVatAndNoDiscounts": money.roubles_number(total),
        f"{head}DiscountSum": 0,
        f"{head}PriceSumWithVatAndDiscounts": money.roubles_number(total),
    }
    if prefix in ("delivered", "returned"):
        found[f"{prefix}Count"] = count
        unit = money.roubles_number(total // max(count, 1))
        found.update(priceWithVatAndNoDiscount=unit, priceWithVatAndAllDiscounts=unit)
    return found


def service(order: Sold, sheet: str, moment: float, cost: int, part: str) -> dict[str, Any]:
    """A line of the services report with its sheet's own columns (none of them optional
    here: YM's JSON would carry them all)."""
    price, value, when = (
        money.roubles_number(order.price),
        money.roubles_number(cost),
        naive(moment),
    )
    of_order = {
        "orderId": order.number,
        "orderCreationDateTime": naive(order.at),
        "shopSku": order.sku,
        "offerName": order.name,
    }
    columns: dict[str, dict[str, Any]] = {
        "placement": {
            **of_order,
            "price": price,
            "count": order.count,
            "paymentType": "Предоплата",
            "serviceName": "Размещение товаров на витрине",
            "unit": "заказ",
            "serviceDateTime": when,
            "amountWithoutBonuses": value,
            "totalAmount": value,
        },
        "payment_transfer": {
            **of_order,
            "merchantPrice": price,
            "buyerPaid": price,
            "tariffForTransfer": TRANSFER_PERMILLE / 10,
            "serviceDateTime": when,
            "servicePrice": value,
            "recordType": "Начисление",
        },
        "delivery": {
            **of_order,
            "price": price,
            "count": order.count,
            "serviceName": "Доставка покупателю",
            "deliveryType": "Курьер",
            "unit": "шт.",
            "serviceDateTime": when,
            "servicePrice": value,
        },
        "storage_of_returns": {
            "resupplyType": "Возврат",
            "orderId": order.number,
            "returnId": order.number,
            "returnCount": order.count,
            "returnTariff": money.roubles_number(RETURN_STORAGE),
            "serviceDate": day_of(moment),
            "servicePrice": value,
            "recordType": "Начисление",
        },
    }
    return {
        "report": "services",
        "sheet": sheet,
        "campaign_id": order.campaign,
        "day": day_of(moment),
        "row": {**business(order.campaign), **columns[sheet], "actDate": act_date(moment)},
        "kind": "charge",
        "amount": 0,
        "commission": cost if part == "commission" else 0,
        "logistics": cost if part == "logistics" else 0,
        "other": cost if part == "other" else 0,
    }


def line(
    sheet: str, order: Sold, moment: float, row: dict[str, Any], kind: str, amount: int = 0
) -> dict[str, Any]:
    """A line of the realization report."""
    return {
        "report": "realization",
        "sheet": sheet,
        "campaign_id": order.campaign,
        "day": day_of(moment),
        "row": row,
        "kind": kind,
        "amount": amount,
        "commission": 0,
        "logistics": 0,
        "other": 0,
    }


def business(campaign: int) -> dict[str, Any]:
    model, shop = SHOPS[campaign]
    return {
        "businessId": BUSINESS_ID,
        "placementModel": model,
        "partnerId": shop,
        "partnerName": PARTNER,
        "inn": INN,
        "placementContract": "ОФ-0000001",
        "promotionContract": "",
    }


def stats_item(order: Sold) -> dict[str, Any]:
    return {
        "shopSku": order.sku,
        "marketSku": order.market_sku,
        "offerName": order.name,
        "count": order.count,
        "price": order.price,
        "returned": order.count if order.returned else 0,
    }


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, MSK).date().isoformat()


def naive(ts: float) -> str:
    """Moscow time without a zone: ``getOrdersStats`` says its times are UTC+03:00."""
    return datetime.fromtimestamp(ts, MSK).replace(tzinfo=None).isoformat(timespec="seconds")


def act_date(ts: float) -> str:
    """Acts are made for a month: its last day."""
    day = datetime.fromtimestamp(ts, MSK).date()
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (following - timedelta(days=1)).isoformat()
