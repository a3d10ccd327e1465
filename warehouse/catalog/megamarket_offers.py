"""Megamarket offers from the cabinet's export file, since MM's API lists none.

No documented merchant-API call returns a shop's offers (the fact sheet §7; the
``offerService/offer/list`` the connector used to call was invented). The seller downloads
the offers from the MM cabinet and saves them as CSV (UTF-8, a header line; ``;`` or ``,``);
the columns are found by name, in English or Russian, so a re-ordered or wider export still
reads: the offer id (the stock key, required), the name, barcodes (several split by ``,``
``;`` or spaces) and MM's goods id. XLSX is not read (no XLSX reader in the dependencies):
save it as CSV first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from warehouse.catalog import listings
from warehouse.errors import DomainError
from warehouse.marketplaces.base import ProductCard
from warehouse.models import MarketplaceAccount

COLUMNS = {
    "sku": ("offerid", "offer id", "идентификатор оффера", "id оффера", "ваш sku", "артикул"),
    "name": ("name", "наименование", "название", "название товара"),
    "barcodes": ("barcode", "barcodes", "штрихкод", "штрихкоды", "штрих-код"),
    "goods_id": ("goodsid", "goods id", "id товара", "код товара мм", "goods_id"),
}
_SPLIT = re.compile(r"[,;\s]+")


def read(text: str) -> list[ProductCard]:
    """The export's offers as cards; a line without an offer id refuses the file."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=";,\t")
    rows = csv.DictReader(io.StringIO(text), dialect=dialect)
    found = {key: _column(rows.fieldnames or [], names) for key, names in COLUMNS.items()}
    if found["sku"] is None:
        raise DomainError("csv_missing", line=1, column="offerId")
    cards = []
    for line, row in enumerate(rows, start=2):
        sku = _cell(row, found["sku"])
        if not sku:
            raise DomainError("csv_missing", line=line, column="offerId")
        barcodes = tuple(code for code in _SPLIT.split(_cell(row, found["barcodes"])) if code)
        name, goods_id = _cell(row, found["name"]), _cell(row, found["goods_id"])
        cards.append(ProductCard(sku, sku, name, barcodes, goods_id))
    return cards


def load(session: Session, account: MarketplaceAccount, text: str) -> listings.CardsResult:
    """Upsert the account's listings from the export and link them to our products."""
    if account.kind != "megamarket":
        raise DomainError("csv_missing", line=1, column="offerId")
    return listings.import_cards(session, account, read(text))


def _column(fieldnames: Sequence[str], names: tuple[str, ...]) -> str | None:
    return next((field for field in fieldnames if field.strip().lower() in names), None)


def _cell(row: dict[str, str | None], column: str | None) -> str:
    return (row.get(column) or "").strip() if column else ""
