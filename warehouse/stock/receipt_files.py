"""An expected delivery as a file: CSV (UTF-8 or cp1251, «;» or «,») or XLSX.

Columns (English or Russian names, any order, extra columns refused): ``article`` or
``barcode`` (one of them per row) and ``quantity``. Rows are read into plain tuples
(row number, article, barcode, quantity); anything wrong raises one ``DomainError`` that
names the row, so nothing is half-read. Pure: no database here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import load_workbook

from warehouse.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = {
    "article": "article",
    "артикул": "article",
    "barcode": "barcode",
    "штрихкод": "barcode",
    "quantity": "quantity",
    "количество": "quantity",
    "кол-во": "quantity",
}


@dataclass(frozen=True)
class ExpectedRow:
    row: int
    article: str
    barcode: str
    quantity: int


def read(filename: str, data: bytes) -> list[ExpectedRow]:
    if len(data) > MAX_BYTES:
        raise DomainError("receipt_file_too_big", limit_mb=MAX_BYTES // (1024 * 1024))
    if filename.lower().endswith(".xlsx"):
        table = _xlsx(data)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _csv(data)
    else:
        raise DomainError("receipt_file_kind", filename=filename)
    if not table:
        raise DomainError("receipt_file_empty")
    return _rows(table)


def _csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")  # 1C and Excel on Russian Windows; every byte decodes
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as broken:  # openpyxl raises many kinds for a file that is no XLSX
        raise DomainError("receipt_file_unreadable", why=type(broken).__name__) from broken
    table = []
    for number, cells in enumerate(book.active.iter_rows(values_only=True), start=1):
        values = ["" if cell is None else str(cell).strip() for cell in cells]
        if any(value.startswith("=") for value in values):
            raise DomainError("receipt_file_formula", row=number)
        table.append(values)
        if number > MAX_ROWS + 1:
            raise DomainError("receipt_file_too_long", limit=MAX_ROWS)
    book.close()
    return table


def _rows(table: list[list[str]]) -> list[ExpectedRow]:
    header = [name.strip().lower() for name in table[0]]
    while header and header[-1] == "":
        header.pop()
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise DomainError("receipt_file_columns", columns=", ".join(unknown))
    names = [COLUMNS[name] for name in header]
    if "quantity" not in names or not {"article", "barcode"} & set(names):
        raise DomainError("receipt_file_columns", columns=", ".join(header) or "—")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = dict(zip(names, (cell.strip() for cell in cells), strict=False))
        if not any(values.values()):
            continue
        rows.append(_row(number, values))
    if len(rows) > MAX_ROWS:
        raise DomainError("receipt_file_too_long", limit=MAX_ROWS)
    if not rows:
        raise DomainError("receipt_file_empty")
    return rows


def _row(number: int, values: dict[str, str]) -> ExpectedRow:
    article, barcode = values.get("article", ""), values.get("barcode", "")
    if not article and not barcode:
        raise DomainError("receipt_row_no_product", row=number)
    raw = values.get("quantity", "").replace(" ", "")
    if raw.endswith(".0"):
        raw = raw[:-2]  # a whole number from a spreadsheet cell
    if not raw.isdecimal() or not 0 < int(raw) <= 1_000_000:
        raise DomainError("receipt_row_quantity", row=number, quantity=raw or "—")
    return ExpectedRow(number, article, barcode, int(raw))
