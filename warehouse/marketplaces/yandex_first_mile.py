"""Yandex Market first-mile shipments («отгрузки»): the day's pickup and its papers.

The Market gathers the orders of one shipment date into a first-mile shipment; at the
hand-over the seller confirms it and prints the act the courier signs. Paths and shapes
follow the official reference (yandex-market/yandex-market-partner-api, ``openapi/paths/
v2_campaigns_campaignId_first-mile_shipments*.yaml`` (search, get, confirm, act,
orders/transfer), ``…_shipments_reception-transfer-act``
and ``components/schemas/{BaseShipmentDTO,ShipmentDTO,SearchShipmentsRequest}.yaml``).
The transportation waybill of a shipment is an XLSX, not needed to hand parcels over, so it
is not fetched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from warehouse.marketplaces import http
from warehouse.marketplaces.base import RejectedError, TransientError

logger = logging.getLogger(__name__)

SHIPMENTS_PAGE = 30  # PageLimit30: at most 30 shipments a page
# ShipmentStatusType: the shipment is formed and waits for the seller's confirmation …
READY_FOR_CONFIRMATION = "OUTBOUND_READY_FOR_CONFIRMATION"
# … and these come after the seller confirmed it.
CONFIRMED = frozenset(
    {"OUTBOUND_CONFIRMED", "OUTBOUND_SIGNED", "ACCEPTED", "ACCEPTED_WITH_DISCREPANCIES", "FINISHED"}
)
CONFIRM_ACTION = "CONFIRM"  # ShipmentActionType
TRANSFER_BATCH = 500  # TransferOrdersFromShipmentRequest.orderIds maxItems


@dataclass(frozen=True)
class Shipment:
    """One first-mile shipment (``ShipmentInfoDTO`` / ``ShipmentDTO``)."""

    id: int
    status: str
    order_ids: tuple[int, ...]
    plan_from: datetime | None = None
    plan_to: datetime | None = None
    external_id: str = ""
    available_actions: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def confirmed(self) -> bool:
        return self.status in CONFIRMED


class FirstMile:
    """The client methods of first-mile shipments; mixed into ``YandexClient``."""

    campaign_id: int

    def shipments(
        self,
        day_from: date,
        day_to: date,
        *,
        order_ids: Sequence[str | int] = (),
        statuses: Sequence[str] = (),
        with_cancelled: bool = False,
    ) -> list[Shipment]:
        """Shipments planned for ``day_from``…``day_to`` (both included), every page."""
        body: dict[str, Any] = {
            "dateFrom": day_from.isoformat(),
            "dateTo": day_to.isoformat(),
            "cancelledOrders": with_cancelled,
        }
        if order_ids:
            body["orderIds"] = [int(value) for value in dict.fromkeys(order_ids)]
        if statuses:
            body["statuses"] = list(dict.fromkeys(statuses))
        path = f"/v2/campaigns/{self.campaign_id}/first-mile/shipments"
        return [_shipment(raw) for raw in self._shipment_pages(path, body)]

    def shipment(self, shipment_id: int) -> Shipment:
        """One shipment with its ``availableActions`` (cancelled orders left out)."""
        answer = self._send(
            "GET", self._shipment_path(shipment_id), params={"cancelledOrders": "false"}
        )
        return _shipment(_result(answer))

    def confirm_shipment(self, shipment_id: int, external_id: str = "") -> None:
        """Confirm the shipment; a repeat after a lost answer counts as done."""
        body = {"externalShipmentId": external_id} if external_id else {}
        try:
            self._send("POST", f"{self._shipment_path(shipment_id)}/confirm", json=body)
        except RejectedError as exc:
            if exc.code != "ALREADY_CONFIRMED" and not self.shipment(shipment_id).confirmed:
                raise
            logger.info("ym shipment %s already confirmed", shipment_id)
            return
        logger.info("ym shipment confirmed shipment=%s", shipment_id)

    def transfer_orders(self, shipment_id: int, order_ids: Sequence[str | int]) -> None:
        """Move orders we cannot hand over now to the next shipment (all or none of them).

        ``transferOrdersFromShipment``: ``POST …/{shipmentId}/orders/transfer`` with
        ``{orderIds}`` (1…500); a 400 names the orders that are not in the shipment.
        """
        ids = [int(value) for value in dict.fromkeys(order_ids)]
        for batch in http.batches(ids, TRANSFER_BATCH):
            body = {"orderIds": list(batch)}
            self._send("POST", f"{self._shipment_path(shipment_id)}/orders/transfer", json=body)
        logger.info("ym orders moved to the next shipment shipment=%s orders=%s", shipment_id, ids)

    def shipment_act(self, shipment_id: int) -> bytes:
        """The shipment's act of reception and transfer (PDF); only once confirmed."""
        return self._pdf(f"{self._shipment_path(shipment_id)}/act", {})

    def reception_transfer_act(self, warehouse_id: int | None = None) -> bytes:
        """The act of the *closest* shipment (PDF); the Market confirms that shipment."""
        params = {"warehouse_id": int(warehouse_id)} if warehouse_id else {}
        path = f"/v2/campaigns/{self.campaign_id}/shipments/reception-transfer-act"
        return self._pdf(path, params)

    # --- helpers ---------------------------------------------------------------------

    def _shipment_path(self, shipment_id: int) -> str:
        number = http.whole_number(shipment_id, "a Yandex Market shipment id", "BAD_REQUEST")
        return f"/v2/campaigns/{self.campaign_id}/first-mile/shipments/{number}"

    def _shipment_pages(self, path: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"limit": SHIPMENTS_PAGE}
            if token:
                params["page_token"] = token
            result = _result(self._send("PUT", path, params=params, json=body))
            yield from result.get("shipments") or ()
            token = (result.get("paging") or {}).get("nextPageToken")
            if not token:
                return

    def _pdf(self, path: str, params: Mapping[str, Any]) -> bytes:
        content = self._send("GET", path, params=params).content
        if not content.startswith(b"%PDF"):
            raise TransientError(f"Yandex Market sent a document that is not a PDF ({path})")
        return content

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> http.Answer:
        raise NotImplementedError  # YandexClient's own


def _result(answer: http.Answer) -> dict[str, Any]:
    result = answer.object().get("result")
    return result if isinstance(result, dict) else {}


def _shipment(raw: Mapping[str, Any]) -> Shipment:
    status = raw.get("status") or (raw.get("currentStatus") or {}).get("status") or ""
    return Shipment(
        id=int(raw["id"]),
        status=str(status),
        order_ids=tuple(int(value) for value in raw.get("orderIds") or ()),
        plan_from=http.iso_time(raw.get("planIntervalFrom")),
        plan_to=http.iso_time(raw.get("planIntervalTo")),
        external_id=str(raw.get("externalId") or ""),
        available_actions=tuple(str(action) for action in raw.get("availableActions") or ()),
        raw=dict(raw),
    )
