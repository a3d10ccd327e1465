"""Catalogue files as tables: CSV (UTF-8, or Windows-1251 as 1C writes it), XLSX
(openpyxl) and a 1C CommerceML 2 export (``commerceml``) read into rows of text, and rows
written back as CSV or XLSX.

Pure file handling: which columns mean what is ``catalogue_csv``'s business. A file that
cannot be read as a table is refused as a whole, in words naming the row and the column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from warehouse.catalog import commerceml
from warehouse.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024  # a 10,000-product XLSX is well under 2 MB
MAX_ROWS = 200_000  # a table longer than any catalogue or price list: refused, not read on
MAX_COLUMNS = 64  # cells to the right of these are not read
FORMATS = ("csv", "xlsx")

Row = tuple[int, dict[str, str]]  # the file's line number (the header is line 1), the cells


@dataclass
class Table:
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    encoding: str = "utf-8"


def read(filename: str, data: bytes) -> Table:
    """The table in an uploaded file, its format told by the file name's ending."""
    if len(data) > MAX_BYTES:
        raise DomainError("catalogue_too_big", megabytes=MAX_BYTES // (1024 * 1024))
    ending = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ending == "xlsx":
        return _read_xlsx(data)
    if ending in ("csv", "txt"):
        return _read_csv(data)
    if ending in ("xml", "zip"):  # a 1C catalogue as CommerceML 2
        header, rows = commerceml.read(filename, data)
        return Table(header=header, rows=rows, encoding="commerceml")
    raise DomainError("catalogue_bad_format", filename=filename)


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data:
        raise DomainError("catalogue_not_text")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:  # 1C and old Excel save CSV in Windows-1251
            text, encoding = data.decode("cp1251"), "cp1251"
        except UnicodeDecodeError as error:
            raise DomainError("catalogue_not_text") from error
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    table = _table(records)
    table.encoding = encoding
    return table


def _read_xlsx(data: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise DomainError("catalogue_not_xlsx") from error
    try:
        sheet = book.worksheets[0]
        # the sheet's declared size is the file's word, not its cells: read what is there
        sheet.reset_dimensions()
        records = []
        for line, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            if line > MAX_ROWS:
                raise DomainError("catalogue_too_many_rows", rows=MAX_ROWS)
            records.append([_xlsx_text(cell, line) for cell in cells])
    except (ValueError, KeyError, TypeError, SyntaxError) as error:  # a broken sheet's XML
        raise DomainError("catalogue_not_xlsx") from error
    finally:
        book.close()
    return _table(records)


def _xlsx_text(cell: Any, line: int) -> str:
    if getattr(cell, "data_type", None) == "f":
        raise DomainError("catalogue_formula", line=line, column=cell.column_letter)
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _table(records: list[list[str]]) -> Table:
    if not records:
        raise DomainError("catalogue_empty")
    header = [name.strip().lower() for name in records[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise DomainError("catalogue_empty")
    for position, name in enumerate(header, start=1):
        if not name:
            raise DomainError("catalogue_unnamed_column", position=position)
        if header.index(name) != position - 1:
            raise DomainError("catalogue_column_twice", column=name)
    table = Table(header=header)
    for line, record in enumerate(records[1:], start=2):
        cells = [value.strip() for value in record]
        if not any(cells):
            continue
        if any(cells[len(header) :]):
            raise DomainError("catalogue_extra_cells", line=line)
        cells += [""] * (len(header) - len(cells))
        table.rows.append((line, dict(zip(header, cells, strict=False))))
    return table


def write(fmt: str, header: list[str], rows: list[list[str]]) -> bytes:
    """``rows`` under ``header`` as a file: CSV in UTF-8 with a BOM (Excel reads the
    Cyrillic right), or XLSX with every cell text (a name starting with = stays text)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for record in rows:
        sheet.append(record)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    binary = io.BytesIO()
    book.save(binary)
    return binary.getvalue()
