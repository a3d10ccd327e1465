"""Answers shaped as Yandex Market's own reference shows them (not as our sandbox answers).

Source: yandex-market/yandex-market-partner-api, commit 1318e9b (2026-07-17),
``openapi/components/schemas``: ``GetBusinessOrdersResponse`` / ``BusinessOrderDTO``
(every required field; examples from the schema), ``SearchShipmentsResponse`` /
``ShipmentInfoDTO`` / ``BaseShipmentDTO``, ``GetShipmentResponse`` / ``ShipmentDTO``,
``ApiErrorResponse`` with ``ApiErrorCodeType`` codes.
"""

from __future__ import annotations

from typing import Any


def business_order(order_id: int, status: str, substatus: str, created: str) -> dict[str, Any]:
    """One ``BusinessOrderDTO`` with the fields the schema requires."""
    return {
        "orderId": order_id,
        "campaignId": 1,
        "programType": "FBS",
        "status": status,
        "substatus": substatus,
        "creationDate": created,  # example: '2020-02-02T14:30:30+03:00'
        "updateDate": "2020-02-02T14:30:30+03:00",
        "paymentType": "PREPAID",
        "paymentMethod": "YANDEX",
        "fake": False,
        "items": [
            {
                "id": 123456,
                "offerId": "MUG-01",
                "offerName": "Кружка",
                "count": 2,
                "prices": {"payment": {"value": 1200, "currencyId": "RUR"}},
            }
        ],
        "delivery": {
            "type": "DELIVERY",
            "shipment": {"id": 1, "shipmentDate": "2020-02-03", "shipmentTime": "12:00"},
        },
    }


def orders_page(*orders: dict[str, Any], next_token: str = "") -> dict[str, Any]:
    """``GetBusinessOrdersResponse``: orders, and ``paging.nextPageToken`` when more follow."""
    paging = {"nextPageToken": next_token} if next_token else {}
    return {"orders": list(orders), "paging": paging}


def shipment_info(shipment_id: int, order_ids: list[int], status: str) -> dict[str, Any]:
    """``ShipmentInfoDTO``: ``BaseShipmentDTO``'s required fields and the status."""
    return {
        "id": shipment_id,
        "planIntervalFrom": "2017-11-21T00:00:00+03:00",
        "planIntervalTo": "2017-11-21T00:00:00+03:00",
        "shipmentType": "WITHDRAW",
        "warehouse": {"id": 1, "name": "Склад", "address": "Москва"},
        "warehouseTo": {"id": 2, "name": "СЦ", "address": "Софьино"},
        "externalId": str(shipment_id),
        "deliveryService": {"id": 1, "name": "Доставка Маркета"},
        "palletsCount": {"planned": 0, "fact": 0},
        "orderIds": order_ids,
        "draftCount": len(order_ids),
        "plannedCount": 0,
        "factCount": 0,
        "signature": {"signed": False},
        "status": status,
        "statusDescription": "Можно обрабатывать",
        "statusUpdateTime": "2017-11-21T00:00:00+03:00",
    }


def shipments_page(*shipments: dict[str, Any], next_token: str = "") -> dict[str, Any]:
    """``SearchShipmentsResponse``: ``{status, result: {shipments, paging}}``."""
    paging = {"nextPageToken": next_token} if next_token else {}
    return {"status": "OK", "result": {"shipments": list(shipments), "paging": paging}}


def shipment(shipment_id: int, order_ids: list[int], status: str, actions: list[str]):
    """``GetShipmentResponse``: ``ShipmentDTO`` = base + ``currentStatus``, ``availableActions``."""
    base = shipment_info(shipment_id, order_ids, status)
    for key in ("status", "statusDescription", "statusUpdateTime"):
        del base[key]
    base["currentStatus"] = {
        "status": status,
        "description": "",
        "updateTime": "2017-11-21T00:00:00+03:00",
    }
    base["availableActions"] = actions
    return {"status": "OK", "result": base}


def error(code: str, message: str) -> dict[str, Any]:
    """``ApiErrorResponse``: ``{status: ERROR, errors: [{code, message}]}``."""
    return {"status": "ERROR", "errors": [{"code": code, "message": message}]}


def keys_of(shape: Any) -> Any:
    """The nested key structure of a JSON value (lists by their first entry)."""
    if isinstance(shape, dict):
        return {key: keys_of(value) for key, value in shape.items()}
    if isinstance(shape, list):
        return [keys_of(shape[0])] if shape else []
    return type(shape).__name__


# --- sales statistics and reports (#18) ----------------------------------------------------------
# Sources: ``openapi/paths/v2_campaigns_campaignId_stats_orders.yaml`` and
# ``components/schemas/{GetOrdersStatsResponse,OrdersStatsDTO,OrdersStatsOrderDTO,
# OrdersStatsItemDTO,OrdersStatsPriceDTO,OrdersStatsDetailsDTO,OrdersStatsCommissionDTO,
# OrdersStatsPaymentDTO}.yaml`` (commit 1318e9b); the example values are the reference's
# own where it gives one (``statusUpdateDate: "2025-01-01T00:00:00Z"``, ``bidFee: 570``).
# Reports: ``GenerateReportResponse`` / ``GenerateReportDTO``, ``GetReportInfoResponse`` /
# ``ReportInfoDTO`` (``status``, ``subStatus``, ``generationRequestedAt``, ``file``).


def stats_item(
    sku: str, count: int, cost: float, *, initial: int | None = None, returned: int = 0
) -> dict[str, Any]:
    """``OrdersStatsItemDTO``: the buyer's price in ``prices[type=BUYER]``, returns in
    ``details[itemStatus=RETURNED]``, ``initialCount`` only when units were removed."""
    item: dict[str, Any] = {
        "offerName": "Кружка",
        "marketSku": 100256,
        "shopSku": sku,
        "count": count,
        "prices": [
            {"type": "BUYER", "costPerItem": cost, "total": round(cost * count, 2)},
            {"type": "CASHBACK", "costPerItem": 10, "total": 10 * count},
        ],
        "warehouse": {"id": 1, "name": "Склад"},
        "bidFee": 570,
    }
    if initial is not None:
        item["initialCount"] = initial
    if returned:
        item["details"] = [{"itemStatus": "RETURNED", "itemCount": returned}]
    return item


def stats_order(
    order_id: int,
    status: str,
    items: list[dict[str, Any]],
    *,
    updated: str = "2025-01-01T00:00:00Z",
) -> dict[str, Any]:
    """``OrdersStatsOrderDTO`` (required: items, payments, commissions, currency); the
    delivery is an item of its own with ``offerName: "Доставка"`` and no SKU."""
    return {
        "id": order_id,
        "creationDate": "2025-01-01",
        "statusUpdateDate": updated,
        "status": status,
        "partnerOrderId": "example",
        "paymentType": "POSTPAID",
        "fake": False,
        "deliveryRegion": {"id": 213, "name": "Москва"},
        "items": [*items, {"offerName": "Доставка", "count": 1, "prices": None}],
        "payments": [
            {
                "id": "example",
                "date": "2025-01-01",
                "type": "PAYMENT",
                "source": "BUYER",
                "total": 0.5,
            }
        ],
        "commissions": [{"type": "FEE", "actual": 0.5}],
        "currency": "RUR",
    }


def stats_page(*orders: dict[str, Any], next_token: str = "") -> dict[str, Any]:
    """``GetOrdersStatsResponse``: ``{status, result: {orders, paging}}``."""
    paging = {"nextPageToken": next_token} if next_token else {}
    return {"status": "OK", "result": {"orders": list(orders), "paging": paging}}


def report_made(report_id: str = "example") -> dict[str, Any]:
    """``GenerateReportResponse``."""
    return {"status": "OK", "result": {"reportId": report_id, "estimatedGenerationTime": 0}}


def report_info(status: str, *, file: str = "", sub: str = "") -> dict[str, Any]:
    """``GetReportInfoResponse``: ``ReportInfoDTO`` (required: status, generationRequestedAt)."""
    result: dict[str, Any] = {"status": status, "generationRequestedAt": "2025-01-01T00:00:00Z"}
    if file:
        result.update(file=file, generationFinishedAt="2025-01-01T00:01:00Z")
    if sub:
        result["subStatus"] = sub
    return {"status": "OK", "result": result}
