"""A report as tables of typed cells, drawn on the page and written to XLSX or CSV from the
same object, so a downloaded file holds exactly the figures the page shows.

Money is kept in kopecks and written in roubles (a number with two decimals in XLSX, text
with a comma in CSV, as a Russian Excel opens it); a column's kind says how.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from warehouse.shift.charts import BarChart
from warehouse.shipping.handovers import LOCAL

# text, whole numbers, kopecks written as roubles, a percent (a float), a date
KINDS = ("text", "int", "money", "percent", "date")
# a cell a spreadsheet would run as a formula: written with a leading apostrophe in CSV
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # already in the reader's language
    kind: str = "text"


@dataclass
class Table:
    name: str  # the sheet's name (≤ 31 characters in XLSX)
    title: str
    columns: list[Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    totals: tuple[Any, ...] | None = None  # the last row, in bold on the page and the file

    def column(self, key: str) -> list[Any]:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]


@dataclass
class Report:
    kind: str
    title: str
    tables: list[Table]
    chart: BarChart | None = None
    chart_title: str = ""
    notes: list[str] = field(default_factory=list)  # what the reader should know about it


Progress = Callable[[int, str], None]  # percent done, the step in words


def no_progress(_percent: int, _step: str) -> None:
    return None


def chart_roubles(value: float) -> str:
    """A chart's money: whole roubles, «133 750 ₽»."""
    return f"{value:,.0f}".replace(",", "\u00a0").replace("-", "−") + " ₽"


def chart_number(value: float) -> str:
    """A chart's count or days: «12», «309,2»."""
    return f"{value:g}".replace(".", ",")


MONEY_ROOM = 110  # a chart's room for «1 234 567 ₽» after the longest bar


def roubles(kopecks: int | None) -> str:
    """«1 234,50» for the page and CSV (a Russian spreadsheet reads the comma)."""
    if kopecks is None:
        return ""
    sign = "−" if kopecks < 0 else ""
    whole, part = divmod(abs(kopecks), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{part:02d}"


def shown(value: Any, kind: str) -> str:
    """A cell as the page and the CSV write it (a word in a number's column, «Итого» in a
    totals row, as it is)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "money":
        return roubles(int(value))
    if kind == "percent":
        return f"{value:.1f}".replace(".", ",")
    if kind == "date":
        return _day(value).strftime("%d.%m.%Y")
    if kind == "int":
        return str(int(value))
    return str(value)


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return value.astimezone(LOCAL).date()
    return value


def to_csv(table: Table) -> bytes:
    """One table as CSV (UTF-8 with a BOM, «;» between cells: what Excel in Russia opens)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.heading for c in table.columns])
    for row in _all_rows(table):
        writer.writerow(
            [_csv_cell(value, c.kind) for value, c in zip(row, table.columns, strict=True)]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any, kind: str) -> str:
    text = shown(value, kind)
    if kind == "money":
        text = text.replace("\u00a0", "").replace("−", "-")
    elif kind == "text" and text.startswith(FORMULA_START):
        text = "'" + text
    return text


def to_xlsx(report: Report) -> bytes:
    """Every table of the report on its own sheet (openpyxl's write-only mode: a row at a
    time, however long); money as numbers in roubles, dates as dates, text never a
    formula and stripped of the control characters XLSX cannot hold."""
    book = Workbook(write_only=True)
    taken: list[str] = []
    for table in report.tables:
        taken.append(_sheet_name(table.name, taken))
        sheet = book.create_sheet(taken[-1])
        for n, column in enumerate(table.columns, start=1):
            width = max(12, min(40, len(column.heading) + 4))
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, c.heading, "text", bold=True) for c in table.columns])
        for row in _all_rows(table):
            sheet.append([_cell(sheet, v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any, kind: str, bold: bool = False) -> Any:
    value = _xlsx_value(value, kind)
    if not bold and not isinstance(value, str) and kind not in ("money", "date"):
        return value  # a plain number or an empty cell: nothing to dress
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # «=…» is a name, never a formula the reader's Excel runs
    elif kind == "money":
        cell.number_format = "#,##0.00"
    elif kind == "date":
        cell.number_format = "DD.MM.YYYY"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if kind == "money":
        return round(int(value) / 100, 2)  # float: exact to the kopeck below 2**53
    if kind == "percent":
        return round(float(value), 1)
    if kind == "date":
        return _day(value)
    if kind == "int":
        return int(value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _all_rows(table: Table) -> Sequence[tuple[Any, ...]]:
    return [*table.rows, table.totals] if table.totals is not None else table.rows


def _sheet_name(name: str, taken: list[str]) -> str:
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in taken:
        candidate, n = f"{clean[:28]} {n}", n + 1
    return candidate
