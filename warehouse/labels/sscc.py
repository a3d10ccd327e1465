"""SSCC-18 codes we issue for boxes: the seller's GS1 company prefix and a serial never reused.

A parcel keeps the one SSCC it was given (asked again, the same code is printed again); a tote
leaving as a box gets a new one each time. Serials count up per company prefix; the database's
UNIQUE (prefix, serial) settles two requests racing for the same number, and the loser takes
the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from printers import barcodes
from warehouse.errors import DomainError
from warehouse.models import IssuedSscc, Order, Parcel, User

logger = logging.getLogger(__name__)

ATTEMPTS = 5


@dataclass(frozen=True)
class Gs1:
    """The seller's GS1 company prefix ("" when not configured) and the extension digit."""

    company_prefix: str
    extension: int = 0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Gs1:
        return cls(str(config.get("GS1_COMPANY_PREFIX") or ""), config.get("GS1_SSCC_EXTENSION", 0))

    @property
    def configured(self) -> bool:
        return bool(self.company_prefix)


def for_parcel(session: Session, gs1: Gs1, parcel: Parcel, user: User | None) -> IssuedSscc:
    """The parcel's SSCC: the one it already has, else a new one."""
    existing = _of_parcel(session, parcel.id)
    if existing is not None:
        return existing
    try:
        return _issue(session, gs1, user, parcel=parcel, order=parcel.order)
    except DomainError as exc:
        if exc.code != "sscc_busy":
            raise
        existing = _of_parcel(session, parcel.id)  # another request issued it meanwhile
        if existing is None:
            raise
        return existing


def for_tote(session: Session, gs1: Gs1, tote: str, order: Order, user: User | None) -> IssuedSscc:
    """A new SSCC for a tote leaving with ``order`` (a tote is reused, its SSCC never)."""
    return _issue(session, gs1, user, order=order, tote=tote)


def of_parcels(session: Session, parcel_ids: list[int]) -> dict[int, IssuedSscc]:
    rows = session.scalars(select(IssuedSscc).where(IssuedSscc.parcel_id.in_(parcel_ids)))
    return {row.parcel_id: row for row in rows if row.parcel_id is not None}


def _of_parcel(session: Session, parcel_id: int) -> IssuedSscc | None:
    return session.scalar(select(IssuedSscc).where(IssuedSscc.parcel_id == parcel_id))


def _issue(
    session: Session,
    gs1: Gs1,
    user: User | None,
    *,
    order: Order,
    parcel: Parcel | None = None,
    tote: str = "",
) -> IssuedSscc:
    if not gs1.configured:
        raise DomainError("sscc_needs_prefix")
    for _attempt in range(ATTEMPTS):
        serial = _next_serial(session, gs1.company_prefix)
        row = IssuedSscc(
            code=_code(gs1, serial),
            company_prefix=gs1.company_prefix,
            extension=gs1.extension,
            serial=serial,
            parcel_id=parcel.id if parcel is not None else None,
            order_id=order.id,
            tote=tote,
            issued_by_id=user.id if user is not None else None,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another request took this serial (or this parcel) first
            continue
        logger.info("sscc issued code=%s order=%s parcel=%s", row.code, order.id, row.parcel_id)
        return row
    raise DomainError("sscc_busy")


def _next_serial(session: Session, prefix: str) -> int:
    last = session.scalar(
        select(func.max(IssuedSscc.serial)).where(IssuedSscc.company_prefix == prefix)
    )
    return 1 if last is None else last + 1


def _code(gs1: Gs1, serial: int) -> str:
    try:
        return barcodes.sscc(gs1.extension, gs1.company_prefix, serial)
    except barcodes.InvalidBarcode as exc:  # the prefix's serials are used up
        raise DomainError("sscc_exhausted", prefix=gs1.company_prefix) from exc
