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
