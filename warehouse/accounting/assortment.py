"""The accounting system's assortment imported into our catalogue, resumably, page by page.

An import is an ``AccountingSync`` row: its ``next_offset`` moves only in the transaction
that applies the page, so a run broken by a 429, a 500 or a timeout resumes where it
stopped, and a page applied twice changes nothing (products are upserted by article, else
code; items by the accounting system's id; barcodes added once).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.accounting.moysklad import GOODS_TYPES, AssortmentItem, Page
from warehouse.models import (
    AccountingAccount,
    AccountingItem,
    AccountingSync,
    Product,
    ProductBarcode,
    utcnow,
)

logger = logging.getLogger(__name__)


@dataclass
class Applied:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    barcodes_added: int = 0
    barcode_conflicts: list[str] = field(default_factory=list)


def start(session: Session, account: AccountingAccount) -> AccountingSync:
    """The account's running assortment import, or a new one."""
    running = session.scalar(
        select(AccountingSync).where(
            AccountingSync.account_id == account.id,
            AccountingSync.kind == "assortment",
            AccountingSync.status == "running",
        )
    )
    if running is not None:
        return running
    sync = AccountingSync(account_id=account.id, kind="assortment", status="running")
    session.add(sync)
    session.flush()
    logger.info("assortment import started account=%s sync=%s", account.id, sync.id)
    return sync


def advance(session: Session, sync: AccountingSync, page: Page[AssortmentItem]) -> Applied:
    """Apply one page and move the run past it (finished after the last page)."""
    applied = apply_items(session, sync.account_id, page.rows)
    sync.applied += applied.created + applied.updated
    sync.total = page.size
    sync.last_error = None
    if page.next_offset is None:
        sync.status = "done"
        sync.next_attempt_at = None
        sync.finished_at = utcnow()
    else:
        sync.next_offset = max(sync.next_offset, page.next_offset)
    session.flush()
    logger.info(
        "assortment page sync=%s offset=%s created=%s updated=%s skipped=%s",
        sync.id,
        sync.next_offset,
        applied.created,
        applied.updated,
        applied.skipped,
    )
    return applied


def postpone(sync: AccountingSync, error: str, wait_seconds: float) -> None:
    """A page that could not be read now: try again after ``wait_seconds``."""
    sync.attempts += 1
    sync.last_error = error[:1000]
    sync.next_attempt_at = utcnow() + timedelta(seconds=wait_seconds)


def fail(sync: AccountingSync, error: str) -> None:
    sync.status = "failed"
    sync.last_error = error[:1000]
    sync.finished_at = utcnow()


def apply_items(session: Session, account_id: int, rows: Iterable[AssortmentItem]) -> Applied:
    """Upsert goods (services and bundles are not goods) by the account's item id, else
    article, else code; their barcodes added unless another product owns one."""
    result = Applied()
    goods = _unique_goods(rows, result)
    items = _items(session, account_id, [row.external_id for row in goods])
    products = _products(session, [_key(row) for row in goods])
    owners = _barcode_owners(session, [code for row in goods for code in row.barcodes])
    for row in goods:
        item = items.get(row.external_id)
        product = item.product if item else products.get(_key(row))
        if product is None:
            product = Product(article=_key(row), name=row.name or _key(row))
            session.add(product)
            products[_key(row)] = product
            result.created += 1
        else:
            product.name = row.name or product.name
            result.updated += 1
        session.flush()
        _add_barcodes(session, product, row.barcodes, owners, result)
        if item is None:
            item = AccountingItem(account_id=account_id, external_id=row.external_id)
            item.product = product
            session.add(item)
            items[row.external_id] = item
        item.product_id = product.id
        item.item_type = row.type
        item.buy_price_kopecks = row.buy_price_kopecks
    session.flush()
    return result


def _unique_goods(rows: Iterable[AssortmentItem], result: Applied) -> list[AssortmentItem]:
    seen: dict[str, AssortmentItem] = {}
    for row in rows:
        if row.type not in GOODS_TYPES or not _key(row):
            result.skipped += 1
        elif row.external_id not in seen:
            seen[row.external_id] = row
    return list(seen.values())


def _key(row: AssortmentItem) -> str:
    return (row.article or row.code)[:100]


def _items(session: Session, account_id: int, ids: Sequence[str]) -> dict[str, AccountingItem]:
    found = session.scalars(
        select(AccountingItem).where(
            AccountingItem.account_id == account_id, AccountingItem.external_id.in_(ids)
        )
    )
    return {item.external_id: item for item in found}


def _products(session: Session, articles: Sequence[str]) -> dict[str, Product]:
    found = session.scalars(select(Product).where(Product.article.in_(articles)))
    return {product.article: product for product in found}


def _barcode_owners(session: Session, codes: Sequence[str]) -> dict[str, int]:
    rows = session.execute(
        select(ProductBarcode.barcode, ProductBarcode.product_id).where(
            ProductBarcode.barcode.in_(codes)
        )
    )
    return {barcode: product_id for barcode, product_id in rows}


def _add_barcodes(
    session: Session,
    product: Product,
    codes: Sequence[str],
    owners: dict[str, int],
    result: Applied,
) -> None:
    for code in codes:
        owner = owners.get(code)
        if owner == product.id:
            continue
        if owner is not None or len(code) > 64:
            result.barcode_conflicts.append(code)
            logger.warning("barcode %s not added to product=%s (owner=%s)", code, product.id, owner)
            continue
        session.add(ProductBarcode(product_id=product.id, barcode=code))
        owners[code] = product.id
        result.barcodes_added += 1
