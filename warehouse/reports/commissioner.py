"""The commissioner report («отчёт комиссионера»): what each marketplace sold on the
seller's behalf in a period, from the marketplace's own realization / finance report,
matched to our orders, with the differences listed and a table an accountant loads into
1C («Отчёт комиссионера (агента) о продажах»: item, quantity, amount, the fee).

A read keeps the account's report for the period whole: its lines are replaced in one
transaction once every page was read; a failed read keeps the last full one and says why.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from warehouse.catalog.card_match import ProductMatcher
from warehouse.errors import DomainError
from warehouse.labels.own_labels import MARKETPLACE_NAMES
from warehouse.marketplaces import connectors
from warehouse.marketplaces.base import RealizationRow
from warehouse.models import (
    CommissionLine,
    CommissionReport,
    MarketplaceAccount,
    Order,
    OrderEvent,
    OrderLine,
    OrderNumber,
    utcnow,
)
from warehouse.reports import items, periods
from warehouse.reports.periods import Period
from warehouse.reports.tables import (
    MONEY_ROOM,
    Column,
    Progress,
    Report,
    Table,
    chart_roubles,
)
from warehouse.shift.charts import bar_chart

logger = logging.getLogger(__name__)

# differences between the marketplace's report and our orders
DIFFERENCE_KINDS = ("unknown_order", "amount", "not_in_report")
# our orders the marketplace should have in its report: delivered in the period
SOLD = "delivered"


def readable(account: MarketplaceAccount) -> bool:
    """Whether the account's marketplace gives its realization report by API."""
    return connectors.offers(account.kind, "realization")


def report_of(session: Session, account: MarketplaceAccount, period: Period) -> CommissionReport:
    found = session.scalar(
        select(CommissionReport).where(
            CommissionReport.account_id == account.id,
            CommissionReport.start == period.start,
            CommissionReport.end == period.end,
        )
    )
    if found is None:
        found = CommissionReport(
            account_id=account.id, start=period.start, end=period.end, status="reading"
        )
        session.add(found)
        session.flush()
    return found


def keep(
    session: Session, account: MarketplaceAccount, period: Period, rows: Iterable[RealizationRow]
) -> CommissionReport:
    """Replace the account's report for the period with ``rows``, matched to our orders
    (by the number the marketplace gives) and products (by the card)."""
    report = report_of(session, account, period)
    session.execute(delete(CommissionLine).where(CommissionLine.report_id == report.id))
    rows = list({row.row_id[:200]: row for row in rows}.values())  # a row read twice: one line
    orders = _orders_by_number(session, account, {row.order_number for row in rows})
    product_of = ProductMatcher(session, account)
    session.add_all(
        CommissionLine(
            report_id=report.id,
            row_id=row.row_id[:200],
            kind=row.kind,
            at=row.at,
            order_number=row.order_number[:100],
            scheme=row.scheme,
            order_id=orders.get(row.order_number),
            product_id=product_of(row),
            sku=row.sku[:100],
            article=row.article[:100],
            quantity=row.quantity,
            amount=row.amount,
            commission=row.commission,
            logistics=row.logistics,
            other=row.other,
            payout=row.payout,
            note=row.note[:300],
        )
        for row in rows
    )
    report.status, report.read_at, report.error = "ready", utcnow(), None
    session.flush()
    logger.info("commission report kept account=%s %s lines=%s", account.id, period, len(rows))
    return report


def record_failure(
    session: Session, account: MarketplaceAccount, period: Period, exc: Exception
) -> None:
    """The read failed: the last full read (if any) stands, the failure beside it."""
    report = report_of(session, account, period)
    report.status = "failed" if report.read_at is None else "ready"
    report.error = str(exc)[:500] or type(exc).__name__


def ask(session: Session, account: MarketplaceAccount, period: Period) -> CommissionReport:
    """The cabinet's report for the period is being read (again)."""
    report = report_of(session, account, period)
    report.status, report.asked_at = "reading", utcnow()
    return report


NO_ANSWER_AFTER = timedelta(minutes=40)  # a read job is killed after 30


def sweep(session: Session) -> int:
    """Cron: a read asked long ago that never answered (its job lost or killed) is over:
    the last full read stands and the page says it was not answered."""
    late = list(
        session.scalars(
            select(CommissionReport).where(
                CommissionReport.status == "reading",
                CommissionReport.asked_at < utcnow() - NO_ANSWER_AFTER,
            )
        )
    )
    for report in late:
        report.status = "failed" if report.read_at is None else "ready"
        report.error = "the marketplace's report did not arrive in time: ask again"
    return len(late)


def _orders_by_number(
    session: Session, account: MarketplaceAccount, numbers: set[str]
) -> dict[str, int]:
    numbers.discard("")
    found: dict[str, int] = {}
    listed = sorted(numbers)
    for start in range(0, len(listed), 500):
        chunk = listed[start : start + 500]
        found.update(
            session.execute(
                select(Order.external_id, Order.id).where(
                    Order.account_id == account.id, Order.external_id.in_(chunk)
                )
            )
            .tuples()
            .all()
        )
        found.update(
            session.execute(
                select(OrderNumber.number, Order.id)
                .join(Order, Order.id == OrderNumber.order_id)
                .where(Order.account_id == account.id, OrderNumber.number.in_(chunk))
            )
            .tuples()
            .all()
        )
    return found


# --- what the report says -------------------------------------------------------------------


@dataclass
class Totals:
    rows: int = 0
    sale_amount: int = 0
    return_amount: int = 0
    commission: int = 0
    logistics: int = 0
    other: int = 0
    payout: int = 0

    def add(self, line: CommissionLine) -> None:
        self.rows += 1
        if line.kind == "sale":
            self.sale_amount += line.amount
        elif line.kind == "return":
            self.return_amount += line.amount
        self.commission += line.commission
        self.logistics += line.logistics
        self.other += line.other
        self.payout += line.payout

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Difference:
    kind: str  # one of DIFFERENCE_KINDS
    account: MarketplaceAccount
    order_number: str
    order_id: int | None
    ours: int | None  # kopecks
    theirs: int | None


def reports(
    session: Session, period: Period, account_id: int | None = None
) -> list[CommissionReport]:
    query = (
        select(CommissionReport)
        .where(CommissionReport.start == period.start, CommissionReport.end == period.end)
        .order_by(CommissionReport.account_id)
    )
    if account_id is not None:
        query = query.where(CommissionReport.account_id == account_id)
    return list(session.scalars(query))


def line_counts(session: Session, report_ids: list[int]) -> dict[int, int]:
    return {
        report_id: int(count)
        for report_id, count in session.execute(
            select(CommissionLine.report_id, func.count())
            .where(CommissionLine.report_id.in_(report_ids))
            .group_by(CommissionLine.report_id)
        ).tuples()
    }


def totals(report: CommissionReport) -> Totals:
    found = Totals()
    for line in report.lines:
        found.add(line)
    return found


def differences(session: Session, report: CommissionReport) -> list[Difference]:
    """Lines about orders we never had, sale amounts unlike our order's price, and our
    orders delivered in the period the report does not mention."""
    account, found = report.account, []
    ours = _our_amounts(session, [line.order_id for line in report.lines if line.order_id])
    for line in report.lines:
        if line.scheme != "fbs" or line.kind not in ("sale", "return") or not line.order_number:
            continue
        if line.order_id is None:
            found.append(
                Difference("unknown_order", account, line.order_number, None, None, line.amount)
            )
            continue
        if line.kind == "sale":
            expected = ours.get((line.order_id, line.product_id))
            if expected is None:
                expected = ours.get((line.order_id, None))
            if expected is not None and line.quantity > 0:
                price = expected
                if price * line.quantity != line.amount:
                    found.append(
                        Difference(
                            "amount",
                            account,
                            line.order_number,
                            line.order_id,
                            price * line.quantity,
                            line.amount,
                        )
                    )
    mentioned = {line.order_id for line in report.lines if line.order_id}
    period = Period(report.start, report.end)
    delivered = session.execute(
        select(Order.id, Order.external_id)
        .join(OrderEvent, OrderEvent.order_id == Order.id)
        .where(
            Order.account_id == account.id,
            OrderEvent.to_status == SOLD,
            OrderEvent.at >= period.since,
            OrderEvent.at < period.until,
        )
        .distinct()
    ).all()
    for order_id, number in delivered:
        if order_id not in mentioned:
            found.append(Difference("not_in_report", account, number, order_id, None, None))
    return found


def _our_amounts(session: Session, order_ids: Sequence[int]) -> dict[tuple[int, int | None], int]:
    """The price of one unit per (order, product), and per order alone (None) when the
    order has a single product."""
    found: dict[tuple[int, int | None], int] = {}
    per_order: dict[int, set[int]] = defaultdict(set)
    ids = sorted(set(order_ids))
    for start in range(0, len(ids), 500):
        for order_id, product_id, price in session.execute(
            select(OrderLine.order_id, OrderLine.product_id, OrderLine.price_kopecks).where(
                OrderLine.order_id.in_(ids[start : start + 500])
            )
        ):
            found[(order_id, product_id)] = price
            per_order[order_id].add(price)
    for order_id, prices in per_order.items():
        if len(prices) == 1:
            found[(order_id, None)] = next(iter(prices))
    return found


# --- the report on the page and in the files -------------------------------------------------


def parse(session: Session, form: dict[str, str]) -> dict[str, Any]:
    period = periods.period(form, month=True)
    return {**period.params(), "account_id": periods.account_id(session, form)}


def build(session: Session, params: dict[str, Any], progress: Progress) -> Report:
    period = periods.of(params)
    every_report = reports(session, period, params.get("account_id"))
    found = [report for report in every_report if report.read_at is not None]
    if not found:
        raise DomainError("commission_not_read")
    summary = Table(
        "Итоги",
        _("Totals by cabinet"),
        [
            Column("marketplace", _("Marketplace")),
            Column("account", _("Cabinet")),
            Column("rows", _("Lines"), "int"),
            Column("sales", _("Sales"), "money"),
            Column("returns", _("Returns"), "money"),
            Column("commission", _("Fee"), "money"),
            Column("logistics", _("Logistics"), "money"),
            Column("other", _("Other charges"), "money"),
            Column("payout", _("To be paid"), "money"),
        ],
    )
    every = Totals()
    diffs: list[Difference] = []
    for n, report in enumerate(found, start=1):
        progress(int(n / len(found) * 60), report.account.name)
        sums = totals(report)
        summary.rows.append(
            (
                MARKETPLACE_NAMES.get(report.account.kind, report.account.kind),
                report.account.name,
                sums.rows,
                sums.sale_amount,
                sums.return_amount,
                sums.commission,
                sums.logistics,
                sums.other,
                sums.payout,
            )
        )
        for key, value in sums.as_dict().items():
            setattr(every, key, getattr(every, key) + value)
        diffs += differences(session, report)
    summary.totals = (
        _("Total"),
        "",
        every.rows,
        every.sale_amount,
        every.return_amount,
        every.commission,
        every.logistics,
        every.other,
        every.payout,
    )
    progress(70, _("Items for 1C"))
    sold, returned = _for_1c(session, found, "sale"), _for_1c(session, found, "return")
    progress(85, _("Lines"))
    tables = [summary, sold, returned, _differences_table(diffs), _lines_table(session, found)]
    chart = bar_chart(
        [
            (_("Sales"), every.sale_amount / 100),
            (_("Returns"), -every.return_amount / 100),
            (_("Fee"), every.commission / 100),
            (_("Logistics"), every.logistics / 100),
            (_("Other charges"), every.other / 100),
            (_("To be paid"), every.payout / 100),
        ],
        chart_roubles,
        MONEY_ROOM,
    )
    notes = [
        _("%(account)s: %(error)s", account=r.account.name, error=r.error) for r in found if r.error
    ]
    unread = [r.account.name for r in every_report if r.read_at is None]
    if unread:
        notes.append(_("Not read yet, not in this report: %(names)s", names=", ".join(unread)))
    return Report(
        "commissioner",
        _(
            "Commissioner report %(start)s – %(end)s",
            start=f"{period.start:%d.%m.%Y}",
            end=f"{period.end:%d.%m.%Y}",
        ),
        tables,
        chart,
        _("Money of the period, roubles"),
        notes,
    )


def _for_1c(session: Session, found: list[CommissionReport], kind: str) -> Table:
    """Per item, what 1C's «Отчёт комиссионера (агента) о продажах» takes: the item
    (article, name), quantity, price, amount and the agent's fee — the sales on one sheet,
    the returns (positive quantities and amounts) on another, as 1C keeps them apart.
    Logistics and charges the marketplace did not tie to a sale are in the totals only."""
    sums: dict[tuple[str, items.Item], list[int]] = {}
    for report in found:
        for line in report.lines:
            if line.kind != kind:
                continue
            which = (report.account.name, items.item(line.product_id, line.article))
            figures = sums.setdefault(which, [0, 0, 0])
            figures[0] += abs(line.quantity)
            figures[1] += abs(line.amount)
            figures[2] += line.commission if kind == "sale" else -line.commission
    names = items.names(session, [item for _account, item in sums])
    title = _("Items sold, for 1C") if kind == "sale" else _("Items returned, for 1C")
    table = Table(
        "Продажи для 1С" if kind == "sale" else "Возвраты для 1С",
        title,
        [
            Column("account", _("Cabinet")),
            Column("article", _("Article")),
            Column("name", _("Name")),
            Column("quantity", _("Quantity"), "int"),
            Column("price", _("Price"), "money"),
            Column("amount", _("Amount"), "money"),
            Column("fee", _("Agent's fee"), "money"),
        ],
    )
    for (account, item), (quantity, amount, fee) in sorted(sums.items()):
        article, name = names[item]
        price = round(amount / quantity) if quantity else amount
        table.rows.append((account, article, name, quantity, price, amount, fee))
    table.totals = (
        _("Total"),
        "",
        "",
        sum(q for q, _a, _f in sums.values()),
        None,
        sum(a for _q, a, _f in sums.values()),
        sum(f for _q, _a, f in sums.values()),
    )
    return table


def _differences_table(diffs: list[Difference]) -> Table:
    table = Table(
        "Расхождения",
        _("Differences from our orders"),
        [
            Column("kind", _("Difference")),
            Column("account", _("Cabinet")),
            Column("order", _("Order")),
            Column("ours", _("Ours"), "money"),
            Column("theirs", _("Marketplace's"), "money"),
        ],
    )
    words = difference_words()
    table.rows = [(words[d.kind], d.account.name, d.order_number, d.ours, d.theirs) for d in diffs]
    return table


def difference_words() -> dict[str, str]:
    return {
        "unknown_order": _("An order we do not have"),
        "amount": _("The amount differs from our order"),
        "not_in_report": _("Delivered, not in the report"),
    }


def _lines_table(session: Session, found: list[CommissionReport]) -> Table:
    words = {"sale": _("Sale"), "return": _("Return"), "charge": _("Charge")}
    table = Table(
        "Строки",
        _("The marketplace's lines"),
        [
            Column("account", _("Cabinet")),
            Column("at", _("Date"), "date"),
            Column("kind", _("Line")),
            Column("order", _("Order")),
            Column("article", _("Article")),
            Column("quantity", _("Quantity"), "int"),
            Column("amount", _("Amount"), "money"),
            Column("commission", _("Fee"), "money"),
            Column("logistics", _("Logistics"), "money"),
            Column("other", _("Other charges"), "money"),
            Column("payout", _("To be paid"), "money"),
            Column("note", _("The marketplace's words")),
        ],
    )
    for report in found:
        for line in report.lines:
            table.rows.append(
                (
                    report.account.name,
                    line.at,
                    words[line.kind],
                    line.order_number,
                    line.article,
                    line.quantity,
                    line.amount,
                    line.commission,
                    line.logistics,
                    line.other,
                    line.payout,
                    line.note,
                )
            )
    return table
