"""The WB sandbox's product cards: the demo goods, and the cards made by ``cards/upload``.

Shaped from WB's products OpenAPI (``02-products.yaml``, 2025-12). ``cards/upload`` is
checked at once for what WB refuses with a 400 (the request's form, a variant without a
vendorCode, an unknown category, a vendorCode of another card); the cards are made later,
``SANDBOX_WB_CARD_SECONDS`` after the upload (WB: up to 30 minutes). A card WB cannot make
then (its vendorCode taken meanwhile, a barcode of another card, a title over 60
characters — texts UNCONFIRMED) is listed by ``cards/error/list`` in its upload's batch,
until a card with that vendorCode is made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from sqlalchemy import Row, delete, select, update
from sqlalchemy.engine import Connection

from warehouse.demo_catalogue import PRODUCTS
from warehouse.marketplaces.sandbox.wb_db import card_errors, cards
from warehouse.marketplaces.sandbox.wb_state import TextError

# A made card's ids: nmID and its one size's chrtID, after the demo goods' own.
NM_BASE = 300_000
CHRT_BASE = 400_000
# The sandbox's categories: 105 and 184 are in WB's own examples, the rest are its own.
SUBJECTS = {105: "Футболки", 184: "Рубашки", 2197: "Кружки", 69: "Носки", 3979: "Кабели"}
MAX_CARDS, MAX_VARIANTS, MAX_VENDOR_CODE, MAX_TITLE = 100, 30, 72, 60
INVALID = "Invalid request format"
NO_VENDOR_CODE = "A card cannot be created without a vendorCode"
NO_CATEGORY = "This category does not exist"
USED_VENDOR_CODE = "bad request; Unexpected the specified card's vendor code is used in other cards"
# error/list texts (UNCONFIRMED: WB lists its own Russian texts there)
TAKEN_LATER = "Артикул продавца используется в другой карточке товара"
TITLE_TOO_LONG = "Наименование товара не должно превышать 60 символов"
BARCODE_TAKEN = "Баркод {} используется в другой карточке товара"


@dataclass(frozen=True)
class Card:
    """A card as the sandbox sells it: one size."""

    nm_id: int
    chrt_id: int
    vendor_code: str
    title: str
    skus: tuple[str, ...]
    price: int  # whole roubles before any discount, as first set
    subject_id: int = 0


DEMO = tuple(
    Card(p.wb_nm_id, p.wb_chrt_id, p.article, p.name, p.barcodes, p.price_kopecks // 100)
    for p in PRODUCTS
)


def catalogue(conn: Connection) -> dict[int, Card]:
    """nmID → every card the seller has: the demo goods and the cards made."""
    made = conn.execute(select(cards).where(cards.c.state == "made").order_by(cards.c.id))
    return {card.nm_id: card for card in (*DEMO, *(_made(row) for row in made))}


def cards_page(conn: Connection, limit: int, after_nm_id: int | None) -> dict[str, Any]:
    """``cards/list``: the cards ordered by nmID after the cursor's."""
    found = [
        {
            "nmID": card.nm_id,
            "vendorCode": card.vendor_code,
            "title": card.title,
            "subjectID": card.subject_id,
            "sizes": [{"chrtID": card.chrt_id, "skus": list(card.skus)}],
            "updatedAt": "2026-01-01T00:00:00Z",
        }
        for nm_id, card in sorted(catalogue(conn).items())
        if after_nm_id is None or nm_id > int(after_nm_id)
    ][:limit]
    last = found[-1] if found else {}
    cursor = {"updatedAt": last.get("updatedAt"), "nmID": last.get("nmID"), "total": len(found)}
    return {"cards": found, "cursor": cursor}


def upload(conn: Connection, body: Any, now: float, delay: float) -> None:
    """Queue the cards of ``cards/upload``; TextError(400) with WB's text for what WB
    refuses at once."""
    if not isinstance(body, list) or not 1 <= len(body) <= MAX_CARDS:
        raise TextError(400, INVALID, {})
    taken = {card.vendor_code for card in catalogue(conn).values()}
    sent: list[str] = []
    for merged in body:
        subject_id, variants = _merged(merged)
        codes = [_vendor_code(variant) for variant in variants]
        if subject_id not in SUBJECTS:
            raise TextError(400, NO_CATEGORY, {"id": str(subject_id)})
        if any(code in taken or code in sent for code in codes) or len(set(codes)) < len(codes):
            raise TextError(400, USED_VENDOR_CODE, {})
        sent += codes
    for merged in body:
        batch = str(uuid.uuid4())
        for variant in merged["variants"]:
            conn.execute(
                cards.insert().values(
                    batch_uuid=batch,
                    subject_id=merged["subjectID"],
                    vendor_code=variant["vendorCode"],
                    variant=variant,
                    ready_ts=now + delay,
                    state="pending",
                )
            )


def make_due(conn: Connection, now: float) -> None:
    """WB gets to the queued cards whose time has come: each is made or refused."""
    pending = cards.c.state == "pending"
    due = conn.execute(
        select(cards).where(pending, cards.c.ready_ts <= now).order_by(cards.c.id)
    ).all()
    for row in due:
        errors = _refusals(conn, row)
        state = "refused" if errors else "made"
        claimed = conn.execute(
            update(cards).where(cards.c.id == row.id, pending).values(state=state)
        )
        if claimed.rowcount != 1:
            continue
        if errors:
            _add_errors(conn, row, errors, now)
        else:
            _clear_errors(conn, row.vendor_code)


def error_list(conn: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """``cards/error/list``: batches after the cursor, oldest first unless descending."""
    cursor, order = data.get("cursor") or {}, data.get("order") or {}
    limit = cursor.get("limit", 100)
    ascending = order.get("ascending", True)
    if not _is_int(limit) or not 1 <= limit <= 100 or not isinstance(ascending, bool):
        raise TextError(400, INVALID, {})
    after = _cursor_key(cursor)
    rows = conn.execute(select(card_errors)).all()
    keyed = sorted(((row.updated_ts, row.batch_uuid), row) for row in rows)
    if not ascending:
        keyed.reverse()
    if after is not None:
        keyed = [(k, row) for k, row in keyed if (k > after if ascending else k < after)]
    page = [row for _key, row in keyed[:limit]]
    last = page[-1] if page else None
    return {
        "items": [_batch_json(row) for row in page],
        "cursor": {
            "next": len(keyed) > limit,
            "updatedAt": _iso(last.updated_ts) if last else cursor.get("updatedAt", ""),
            "batchUUID": last.batch_uuid if last else cursor.get("batchUUID", ""),
        },
    }


def state(conn: Connection) -> list[dict[str, Any]]:
    """Every card uploaded: its vendorCode, state and, once made, nmID."""
    return [
        {
            "vendorCode": row.vendor_code,
            "subjectID": row.subject_id,
            "state": row.state,
            "nmID": NM_BASE + row.id if row.state == "made" else None,
            "variant": row.variant,
        }
        for row in conn.execute(select(cards).order_by(cards.c.id))
    ]


# --- helpers -------------------------------------------------------------------------------


def _made(row: Row[Any]) -> Card:
    variant = row.variant
    sizes = variant.get("sizes") or [{}]
    return Card(
        nm_id=NM_BASE + row.id,
        chrt_id=CHRT_BASE + row.id,
        vendor_code=row.vendor_code,
        title=str(variant.get("title") or ""),
        skus=tuple(str(sku) for size in sizes for sku in size.get("skus") or ()),
        price=int(sizes[0].get("price") or 0),  # WB: a size without a price costs 0
        subject_id=row.subject_id,
    )


def _merged(merged: Any) -> tuple[int, list[dict[str, Any]]]:
    """(subjectID, variants) of one merged card, or WB's 400."""
    if not isinstance(merged, dict) or not _is_int(merged.get("subjectID")):
        raise TextError(400, INVALID, {})
    variants = merged.get("variants")
    if not isinstance(variants, list) or not 1 <= len(variants) <= MAX_VARIANTS:
        raise TextError(400, INVALID, {})
    for variant in variants:
        _check_variant(variant)
    return merged["subjectID"], variants


def _check_variant(variant: Any) -> None:
    if not isinstance(variant, dict):
        raise TextError(400, INVALID, {})
    for key in ("title", "description", "brand"):
        if not isinstance(variant.get(key, ""), str):
            raise TextError(400, INVALID, {})
    sizes = variant.get("sizes", [])
    if not isinstance(sizes, list) or not all(isinstance(size, dict) for size in sizes):
        raise TextError(400, INVALID, {})
    for size in sizes:
        price, skus = size.get("price", 0), size.get("skus", [])
        if not _is_int(price) or price < 0 or not isinstance(skus, list):
            raise TextError(400, INVALID, {})
        if not all(isinstance(sku, str) for sku in skus):
            raise TextError(400, INVALID, {})


def _vendor_code(variant: dict[str, Any]) -> str:
    code = variant.get("vendorCode")
    if code is None or code == "":
        raise TextError(400, NO_VENDOR_CODE, {})
    if not isinstance(code, str) or len(code) > MAX_VENDOR_CODE:
        raise TextError(400, INVALID, {})
    return code


def _refusals(conn: Connection, row: Row[Any]) -> list[str]:
    """Why WB cannot make this card now (empty: it can)."""
    others = list(catalogue(conn).values())
    errors = []
    if any(card.vendor_code == row.vendor_code for card in others):
        errors.append(TAKEN_LATER)
    barcodes = {sku for card in others for sku in card.skus}
    mine = [str(sku) for size in row.variant.get("sizes") or () for sku in size.get("skus") or ()]
    errors += [BARCODE_TAKEN.format(sku) for sku in mine if sku in barcodes]
    if len(str(row.variant.get("title") or "")) > MAX_TITLE:
        errors.append(TITLE_TOO_LONG)
    return errors


def _add_errors(conn: Connection, row: Row[Any], errors: list[str], now: float) -> None:
    found = conn.execute(select(card_errors).where(card_errors.c.batch_uuid == row.batch_uuid))
    batch = found.first()
    if batch is None:
        conn.execute(
            card_errors.insert().values(
                batch_uuid=row.batch_uuid,
                updated_ts=int(now),
                subject_id=row.subject_id,
                errors={row.vendor_code: errors},
            )
        )
        return
    merged = {**batch.errors, row.vendor_code: errors}
    conn.execute(
        update(card_errors)
        .where(card_errors.c.batch_uuid == row.batch_uuid)
        .values(errors=merged, updated_ts=int(now))
    )


def _clear_errors(conn: Connection, vendor_code: str) -> None:
    """A card made with this vendorCode leaves the error list (WB's «fix and upload again»)."""
    for batch in conn.execute(select(card_errors)).all():
        if vendor_code not in batch.errors:
            continue
        left = {code: texts for code, texts in batch.errors.items() if code != vendor_code}
        where = card_errors.c.batch_uuid == batch.batch_uuid
        if left:
            conn.execute(update(card_errors).where(where).values(errors=left))
        else:
            conn.execute(delete(card_errors).where(where))


def _batch_json(row: Row[Any]) -> dict[str, Any]:
    codes = list(row.errors)
    subject = {"id": row.subject_id, "name": SUBJECTS.get(row.subject_id, "")}
    return {
        "batchUUID": row.batch_uuid,
        "subjects": {code: subject for code in codes},
        "brands": {},
        "vendorCodes": codes,
        "errors": row.errors,
    }


def _cursor_key(cursor: dict[str, Any]) -> tuple[int, str] | None:
    """(whole seconds, batchUUID) of the last batch the caller saw; None on a first call."""
    raw = cursor.get("updatedAt")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise TextError(400, INVALID, {}) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(moment.timestamp()), str(cursor.get("batchUUID") or "")


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
