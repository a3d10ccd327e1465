"""A realization report loaded from the marketplace's own file, for a cabinet whose API
gives none (Megamarket: «Отчёт по отправлениям», CSV or Excel from the cabinet's
«Отчётность»). No public description of that file's columns exists, so nothing is
guessed: the person names, once per cabinet, which of the file's own headings holds the
order number, the amount, the fee…; the names are remembered on the cabinet, and every
row becomes a line of the commissioner report for the period, matched like any other.

A file is taken whole or refused whole, naming its first bad row; loading the period's
file again replaces the lines loaded before.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from warehouse.catalog import catalogue_files
from warehouse.errors import DomainError
from warehouse.marketplaces.base import RealizationRow
from warehouse.models import CommissionReport, MarketplaceAccount
from warehouse.reports import commissioner
from warehouse.reports.periods import Period
from warehouse.shipping.handovers import LOCAL

# what a line of ours is made of, in the order the desk's form asks
FIELDS = (
    "order_number",
    "article",
    "quantity",
    "amount",
    "commission",
    "logistics",
    "other",
    "payout",
    "at",
    "kind",
)
REQUIRED = ("amount",)
SETTING = "realization_columns"  # on the cabinet's settings: field → the file's heading
MONEY_LIMIT = 2**31 - 1  # kopecks: the columns are INTEGER
RETURN_WORDS = ("возврат", "return")
CENT = Decimal("0.01")


def columns_of(account: MarketplaceAccount) -> dict[str, str]:
    stored = (account.settings or {}).get(SETTING) or {}
    return {field: str(stored.get(field, "")) for field in FIELDS}


def load(
    session: Session,
    account: MarketplaceAccount,
    period: Period,
    filename: str,
    data: bytes,
    columns: dict[str, str],
) -> CommissionReport:
    """The file's rows as the cabinet's realization lines for ``period``."""
    table = catalogue_files.read(filename, data)
    named = {field: columns.get(field, "").strip() for field in FIELDS}
    named = {field: heading for field, heading in named.items() if heading}
    headings = ", ".join(table.header[:30])
    for field in REQUIRED:
        if field not in named:
            raise DomainError("realization_file_no_column", field=field, headings=headings)
    keys = {field: heading.lower() for field, heading in named.items()}  # the file's, read
    for field, key in keys.items():
        if key not in table.header:
            raise DomainError(
                "realization_file_unknown_heading", heading=named[field][:60], headings=headings
            )
    rows = []
    for line, cells in table.rows:
        values = {field: cells.get(key, "").strip() for field, key in keys.items()}
        if not any(values.values()):
            continue
        rows.append(_row(line, values, period))
    if not rows:
        raise DomainError("realization_file_empty")
    settings = dict(account.settings or {})
    settings[SETTING] = {field: named.get(field, "") for field in FIELDS}
    account.settings = settings
    return commissioner.keep(session, account, period, rows)


def _row(line: int, values: dict[str, str], period: Period) -> RealizationRow:
    amount = _money(line, "amount", values["amount"])
    charges = {f: _money(line, f, values.get(f, "")) for f in ("commission", "logistics", "other")}
    kind = _kind(values.get("kind", ""), amount, charges)
    amount = -abs(amount) if kind == "return" else amount
    payout_text = values.get("payout", "")
    payout = _money(line, "payout", payout_text) if payout_text else amount - sum(charges.values())
    quantity = _quantity(line, values.get("quantity", ""), kind)
    return RealizationRow(
        row_id=f"file:{line}",
        kind=kind,
        at=_moment(line, values.get("at", ""), period),
        order_number=values.get("order_number", "")[:100],
        article=values.get("article", "")[:100],
        quantity=quantity,
        amount=amount,
        payout=payout,
        commission=charges["commission"],
        logistics=charges["logistics"],
        other=charges["other"],
        note=values.get("kind", "")[:300],
    )


def _kind(text: str, amount: int, charges: dict[str, int]) -> str:
    if any(word in text.lower() for word in RETURN_WORDS) or amount < 0:
        return "return"
    if amount == 0:
        return "charge"
    return "sale"


def _money(line: int, field: str, text: str) -> int:
    """Roubles as the file writes them («1 234,50», «-99.9», «1234 ₽»): kopecks; blank: 0."""
    clean = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    clean = clean.removesuffix("₽").replace("−", "-")
    if not clean:
        return 0
    try:
        hundreds = Decimal(clean) * 100
        # an Excel float may end …0000001: within a hundredth of a kopeck is that kopeck
        kopecks = round(hundreds) if hundreds.is_finite() else None
    except InvalidOperation:
        kopecks = None
    if kopecks is None or abs(kopecks) > MONEY_LIMIT or abs(hundreds - kopecks) > CENT:
        raise DomainError("realization_row_bad_sum", line=line, field=field, value=text[:40])
    return int(kopecks)


def _quantity(line: int, text: str, kind: str) -> int:
    if not text:
        return 0 if kind == "charge" else 1
    clean = text.replace(" ", "").replace(",", ".").removesuffix(".0").lstrip("-")
    if not clean.isdecimal() or len(clean) > 6:
        raise DomainError("realization_row_bad_quantity", line=line, value=text[:40])
    return int(clean)


def _moment(line: int, text: str, period: Period) -> datetime:
    """A date as the file writes it (31.12.2026, 2026-12-31, with a time or not); blank:
    the period's last day. A date outside the period is refused: the file is another's."""
    if not text:
        return datetime.combine(period.end, time(12), LOCAL)
    patterns = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")
    for pattern in (*patterns, "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M"):
        try:
            found = datetime.strptime(text[:19].strip(), pattern)
            break
        except ValueError:
            continue
    else:
        raise DomainError("realization_row_bad_date", line=line, value=text[:40])
    if not period.start <= found.date() <= period.end:
        raise DomainError("realization_row_outside", line=line, value=text[:40])
    return found.replace(tzinfo=LOCAL)


def form_columns(form: Any) -> dict[str, str]:
    """The headings a desk form names (``col_<field>``)."""
    return {field: str(form.get(f"col_{field}", ""))[:200] for field in FIELDS}
