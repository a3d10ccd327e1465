"""Ozon's hand-over calls: delivery methods, the act («отгрузка»), its papers and barcode.

A hand-over at Ozon is a carriage per delivery method and departure date:
``/v2/posting/fbs/act/create`` starts forming it (→ id), ``act/check-status`` says
``in_process`` / ``ready`` / ``error`` / ``cancelled`` with the postings ``added_to_act``
and ``removed_from_act`` (those go with the next pickup), ``act/get-pdf`` is the PDF of the
act and the waybill («лист отгрузки и транспортная накладная», one file), and
``act/get-barcode`` (PNG) / ``act/get-barcode/text`` the code shown at the drop-off point.
When ``act_type`` is ``ozon_digital`` the act is electronic: ``digital/act/check-status``
and ``digital/act/get-pdf`` (``doc_type`` ``act_of_acceptance``). All shapes from Ozon's
Seller API swagger (salacoste/ozon-daytona-seller-api, ozon-swagger-docs, 2025-09).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from warehouse.marketplaces.base import TransientError

METHODS_PAGE = 50  # /v1/delivery-method/list: limit 1..50
ACT_LIST_LIMIT = 1000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# act/create refusals that mean "later" (the reference's error table for act/create)
ACT_LATER = (
    "posting_statuses_not_ready",
    "not_registered",
    "new_postings_are_possible",
    "package_time_not_passed",
    "first_mile_is_changing",
    "there_are_incomplete_carriages",
)
DIGITAL_READY = ("FORMED", "CONFIRMED", "CONFIRMED_WITH_MISMATCH")


@dataclass(frozen=True)
class ActStatus:
    """``/v2/posting/fbs/act/check-status`` ``result``."""

    status: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    act_type: str = ""
    more_to_ship: bool = False  # has_postings_for_next_carriage

    @property
    def digital(self) -> bool:
        return self.act_type == "ozon_digital"


class ActCalls:
    """The act calls of ``OzonClient`` (mixed in; it provides ``_json`` and ``_send``)."""

    def _json(self, path: str, body: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _send(self, path: str, body: Any, *, missing_ok: bool = False) -> httpx.Response | None:
        raise NotImplementedError

    def delivery_methods(self, warehouse_id: int | None = None) -> list[dict[str, Any]]:
        """Every delivery method (``{id, name, status, cutoff, warehouse_id, …}``), for the
        settings page: a hand-over is one act per delivery method and day."""
        flt = {"warehouse_id": int(warehouse_id)} if warehouse_id else {}
        found: list[dict[str, Any]] = []
        while True:
            body = {"filter": flt, "limit": METHODS_PAGE, "offset": len(found)}
            answer = self._json("/v1/delivery-method/list", body)
            page = list(answer.get("result") or [])
            found += page
            if not answer.get("has_next") or len(page) < METHODS_PAGE:
                return found

    def create_act(
        self, delivery_method_id: int, departure: date, containers_count: int | None = None
    ) -> int:
        """Start forming the act of ``departure``; its id. Not idempotent at Ozon: look for
        an act made before (``acts``) first."""
        body: dict[str, Any] = {
            "delivery_method_id": int(delivery_method_id),
            # noon in Moscow: the same calendar day whichever zone Ozon reads it in
            "departure_date": f"{departure.isoformat()}T09:00:00Z",
        }
        if containers_count is not None:  # only with trusted acceptance
            body["containers_count"] = int(containers_count)
        return int(self._json("/v2/posting/fbs/act/create", body)["result"]["id"])

    def acts(self, since: date, until: date) -> list[dict[str, Any]]:
        """Acts created in ``since..until`` (``/v2/posting/fbs/act/list``)."""
        body = {
            "filter": {"date_from": since.isoformat(), "date_to": until.isoformat()},
            "limit": ACT_LIST_LIMIT,
        }
        return list(self._json("/v2/posting/fbs/act/list", body).get("result") or [])

    def act_status(self, act_id: int | str) -> ActStatus:
        result = self._json("/v2/posting/fbs/act/check-status", {"id": int(act_id)})["result"]
        return ActStatus(
            status=str(result.get("status") or ""),
            added=tuple(str(n) for n in result.get("added_to_act") or ()),
            removed=tuple(str(n) for n in result.get("removed_from_act") or ()),
            act_type=str(result.get("act_type") or ""),
            more_to_ship=bool(result.get("has_postings_for_next_carriage")),
        )

    def act_pdf(self, act_id: int | str) -> bytes:
        """The act and the waybill, one PDF."""
        return _pdf(self._file("/v2/posting/fbs/act/get-pdf", {"id": int(act_id)}))

    def digital_act_status(self, act_id: int | str) -> str:
        """``FORMING`` | ``FORMED`` | ``CONFIRMED`` | ``CONFIRMED_WITH_MISMATCH`` | …"""
        answer = self._json("/v2/posting/fbs/digital/act/check-status", {"id": int(act_id)})
        return str(answer.get("status") or "")

    def digital_act_pdf(self, act_id: int | str, doc_type: str = "act_of_acceptance") -> bytes:
        body = {"id": int(act_id), "doc_type": doc_type}
        return _pdf(self._file("/v2/posting/fbs/digital/act/get-pdf", body))

    def act_barcode(self, act_id: int | str) -> bytes:
        """The act's barcode as Ozon draws it (PNG)."""
        content = self._file("/v2/posting/fbs/act/get-barcode", {"id": int(act_id)})
        if not content.startswith(PNG_SIGNATURE):
            raise TransientError("Ozon sent an act barcode that is not a PNG")
        return content

    def act_barcode_text(self, act_id: int | str) -> str:
        """The act's barcode value (e.g. ``%303%24276481394``), to print our own Code 128."""
        answer = self._json("/v2/posting/fbs/act/get-barcode/text", {"id": int(act_id)})
        return str(answer.get("result") or "")

    def _file(self, path: str, body: Any) -> bytes:
        response = self._send(path, body)
        assert response is not None
        return _file_content(response.content)


def _file_content(content: bytes) -> bytes:
    """The file itself; the reference also describes ``{file_content, file_name,
    content_type}`` for these calls, so a JSON wrapper (base64 content) is unwrapped."""
    if not content.lstrip().startswith(b"{"):
        return content
    try:
        wrapped = json.loads(content)
        return base64.b64decode(str(wrapped.get("file_content") or ""), validate=True)
    except (ValueError, binascii.Error, AttributeError):
        return content


def _pdf(content: bytes) -> bytes:
    if not content.startswith(b"%PDF"):
        raise TransientError("Ozon sent an act that is not a PDF")
    return content
