"""A first start's catalogue from CSV files: bins, products (with barcodes) and the first
count of each product in its bin. ``flask --app wsgi load-catalogue`` until the desk has
catalogue pages.

Loading again adds what is new and changes nothing that exists: a product or bin already
there is skipped and stock already counted is never overwritten (stock moves are the
domain's, in SQL arithmetic). A wrong line refuses the whole file with its line number.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import Location, Product, ProductBarcode, Stock, Warehouse
from warehouse.stock import ledger

logger = logging.getLogger(__name__)
YES = ("1", "yes", "true", "да", "y")


@dataclass
class Loaded:
    created: int = 0
    skipped: int = 0


def first_warehouse(session: Session) -> Warehouse:
    warehouse = session.scalar(select(Warehouse).order_by(Warehouse.id).limit(1))
    if warehouse is None:
        raise DomainError("csv_no_warehouse")
    return warehouse


def load_bins(session: Session, warehouse: Warehouse, rows: Iterable[dict[str, str]]) -> Loaded:
    """Rows: ``code`` and optionally ``barcode`` (default ``LOC-<code>``), ``walk_order``."""
    loaded = Loaded()
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        code = (row.get("code") or "").strip()
        if not code:
            raise DomainError("csv_missing", line=line, column="code")
        if _bin(session, warehouse, code) is not None:
            loaded.skipped += 1
            continue
        walk = (row.get("walk_order") or "").strip()
        session.add(
            Location(
                warehouse_id=warehouse.id,
                code=code,
                barcode=(row.get("barcode") or "").strip() or f"LOC-{code}",
                walk_order=int(walk) if walk.isdigit() else line - 1,
            )
        )
        session.flush()
        loaded.created += 1
    logger.info("bins loaded created=%s skipped=%s", loaded.created, loaded.skipped)
    return loaded


def load_products(session: Session, warehouse: Warehouse, rows: Iterable[dict[str, str]]) -> Loaded:
    """Rows: ``article``, ``name``, ``barcodes`` (``;``-separated) and optionally ``bin``
    with ``on_hand`` (the first count) and ``needs_marking`` (yes / да / 1)."""
    loaded = Loaded()
    for line, row in enumerate(rows, start=2):
        article, name = (row.get("article") or "").strip(), (row.get("name") or "").strip()
        for column, value in (("article", article), ("name", name)):
            if not value:
                raise DomainError("csv_missing", line=line, column=column)
        product = session.scalar(select(Product).where(Product.article == article))
        if product is None:
            product = Product(
                article=article,
                name=name,
                needs_marking=(row.get("needs_marking") or "").strip().lower() in YES,
            )
            codes = [c.strip() for c in (row.get("barcodes") or "").split(";") if c.strip()]
            product.barcodes = [ProductBarcode(barcode=code) for code in codes]
            session.add(product)
            session.flush()
            loaded.created += 1
        else:
            loaded.skipped += 1
        _first_count(session, warehouse, product, row, line)
    logger.info("products loaded created=%s skipped=%s", loaded.created, loaded.skipped)
    return loaded


def _first_count(
    session: Session, warehouse: Warehouse, product: Product, row: dict[str, str], line: int
) -> None:
    code, count = (row.get("bin") or "").strip(), (row.get("on_hand") or "").strip()
    if not code:
        return
    location = _bin(session, warehouse, code)
    if location is None:
        raise DomainError("csv_unknown_bin", line=line, bin=code)
    if not count.isdigit():
        raise DomainError("csv_missing", line=line, column="on_hand")
    counted = session.scalar(
        select(Stock.id).where(Stock.product_id == product.id, Stock.location_id == location.id)
    )
    if counted is None:
        ledger.opening(session, product.id, location.id, int(count), document="catalogue")


def _bin(session: Session, warehouse: Warehouse, code: str) -> Location | None:
    return session.scalar(
        select(Location).where(Location.warehouse_id == warehouse.id, Location.code == code)
    )
