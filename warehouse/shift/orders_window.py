"""The desk's orders window: every order of every cabinet, filtered, searched and paged by
its deadline.

Pages are keyset pages on (ship_by NULLS LAST, id), never OFFSET: the hundredth page of
50,000 orders costs what the first does, and an order that changes while someone pages
is neither shown twice nor skipped. Orders with a deadline come first, read through the
(…, ship_by, id) indexes; orders without one follow by id. The cursor is the last row's
key, encoded; a cursor that does not decode is refused (``BadFilter``), never guessed.

Filters arrive as a URL's query string (a link can be shared) and are read strictly:
anything the desk's form cannot produce is refused naming the parameter.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
    union,
)
from sqlalchemy.orm import Session, selectinload

from warehouse.errors import DomainError
from warehouse.models import (
    MARKETPLACES,
    ORDER_IN_WORK,
    ORDER_STATUSES,
    IssuedSscc,
    MarketplaceAccount,
    Order,
    OrderLine,
    OrderNumber,
    OutboxCommand,
    Parcel,
    PrintJob,
    Product,
    ProductBarcode,
    Shortage,
)
from warehouse.models.orders import IN_WORK
from warehouse.shipping.handovers import LOCAL

PAGE_SIZE = 50
IN_WORK_CHOICE, ALL_CHOICE = "in_work", "all"
STATUS_CHOICES = (IN_WORK_CHOICE, ALL_CHOICE, *ORDER_STATUSES)
SHIP_CHOICES = ("today", "tomorrow", "overdue", "range")
# short: an open shortage; unpaid: the marketplace still waits for the buyer's payment;
# no_label: a parcel without its marketplace label, or its last label job failed;
# failed_command: a marketplace call of the order failed or keeps failing; late: its
# deadline passed in the warehouse; at_risk: the deadline is near and it is not packed
PROBLEMS = ("short", "unpaid", "no_label", "failed_command", "late", "at_risk")
NOT_PACKED = ("new", "reserved", "awaiting_stock", "picking", "picked")
FAILED_PRINTS = ("failed", "unknown")
UNPAID = "UNPAID"  # Yandex Market's status until the buyer pays (UNPAID/WAITING_USER_INPUT…)
MAX_SEARCH = 200
MAX_ID = 2**63 - 1


class BadFilter(DomainError):
    """A query parameter the window cannot read: refused (400) in words, naming it."""

    def __init__(self, name: str, value: str) -> None:
        super().__init__("bad_orders_filter", name=name, value=value[:60])


@dataclass(frozen=True)
class Filters:
    """What the supervisor asked for; the defaults are the window as it first opens."""

    marketplace: str = ""
    account_id: int | None = None
    status: str = IN_WORK_CHOICE
    ship: str = ""
    ship_from: date | None = None
    ship_to: date | None = None
    problem: str = ""
    q: str = ""

    @property
    def searching_everywhere(self) -> bool:
        """A number names one order, whatever became of it: a search left on the default
        «in work» looks through every status."""
        return bool(self.q) and self.status == IN_WORK_CHOICE

    def query(self) -> dict[str, str]:
        """These filters as query parameters (defaults left out), for links and polling."""
        values = {
            "marketplace": self.marketplace,
            "account": str(self.account_id or ""),
            "status": "" if self.status == IN_WORK_CHOICE else self.status,
            "ship": self.ship,
            "from": self.ship_from.isoformat() if self.ship_from else "",
            "to": self.ship_to.isoformat() if self.ship_to else "",
            "problem": self.problem,
            "q": self.q,
        }
        return {name: value for name, value in values.items() if value}


def read_filters(args: Mapping[str, str]) -> Filters:
    """The filters of a query string; a value the form cannot produce is a ``BadFilter``."""
    ship_from, ship_to = _date(args, "from"), _date(args, "to")
    ship = _choice(args, "ship", SHIP_CHOICES)
    if not ship and (ship_from or ship_to):
        ship = "range"
    return Filters(
        marketplace=_choice(args, "marketplace", MARKETPLACES),
        account_id=_id(args, "account"),
        status=_choice(args, "status", STATUS_CHOICES) or IN_WORK_CHOICE,
        ship=ship,
        ship_from=ship_from if ship == "range" else None,
        ship_to=ship_to if ship == "range" else None,
        problem=_choice(args, "problem", PROBLEMS),
        q=_search(args),
    )


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = (args.get(name) or "").strip()
    if value and value not in choices:
        raise BadFilter(name, value)
    return value


def _id(args: Mapping[str, str], name: str) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not value.isdecimal() or int(value) > MAX_ID:
        raise BadFilter(name, value)
    return int(value)


def _date(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(name, value) from None


def _search(args: Mapping[str, str]) -> str:
    value = (args.get("q") or "").strip()
    if len(value) > MAX_SEARCH:
        raise BadFilter("q", value)
    return value


@dataclass(frozen=True)
class Cursor:
    """The key of the last row shown: (ship_by, id); ship_by None once past the dated ones."""

    ship_by: datetime | None
    id: int

    def encode(self) -> str:
        micros = "-" if self.ship_by is None else str(_micros(self.ship_by))
        return base64.urlsafe_b64encode(f"{micros}.{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
            micros, order_id = raw.split(".")
            ship_by = None if micros == "-" else _from_micros(int(micros))
            key = int(order_id)
        except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError):
            raise BadFilter("after", value) from None
        if not 0 < key <= MAX_ID:
            raise BadFilter("after", value)
        return cls(ship_by, key)

    @classmethod
    def of(cls, order: Order) -> Cursor:
        return cls(order.ship_by, order.id)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _from_micros(micros: int) -> datetime:
    if micros < 0:
        raise ValueError("before 1970")
    return EPOCH + timedelta(microseconds=micros)


def read_cursor(args: Mapping[str, str]) -> Cursor | None:
    value = (args.get("after") or "").strip()
    return Cursor.decode(value) if value else None


@dataclass
class Row:
    """One order of the window, with what makes it stand out."""

    order: Order
    late: bool = False
    at_risk: bool = False
    hours_left: float | None = None  # to the deadline; negative: hours past it
    problems: list[str] = field(default_factory=list)


@dataclass
class Page:
    filters: Filters
    rows: list[Row]
    next_cursor: str | None  # None on the last page
    first: bool  # the first page (no cursor)
    at_risk_hours: int


def page(
    session: Session,
    filters: Filters,
    after: Cursor | None = None,
    *,
    now: datetime | None = None,
    size: int = PAGE_SIZE,
    at_risk_hours: int = 4,
) -> Page:
    """One page of the window after ``after``, its rows marked late / at risk / problems."""
    now = now or datetime.now(UTC)
    where = conditions(filters, now, at_risk_hours)
    orders = _dated(session, where, after, size + 1)
    if len(orders) <= size:
        orders += _undated(session, where, after, size + 1 - len(orders))
    more = len(orders) > size
    orders = orders[:size]
    rows = _rows(session, orders, now, at_risk_hours)
    next_cursor = Cursor.of(orders[-1]).encode() if more else None
    return Page(filters, rows, next_cursor, after is None, at_risk_hours)


def _ordered(where: list[ColumnElement[bool]]) -> Select[tuple[Order]]:
    query = select(Order).where(*where)
    return query.options(
        selectinload(Order.account),
        selectinload(Order.lines).selectinload(OrderLine.product),
    )


def _dated(
    session: Session, where: list[ColumnElement[bool]], after: Cursor | None, limit: int
) -> list[Order]:
    if after is not None and after.ship_by is None:
        return []  # the cursor is already past every dated order
    query = _ordered([*where, Order.ship_by.is_not(None)])
    if after is not None:
        key = tuple_(literal(after.ship_by, Order.ship_by.type), literal(after.id))
        query = query.where(tuple_(Order.ship_by, Order.id) > key)
    return list(session.scalars(query.order_by(Order.ship_by, Order.id).limit(limit)))


def _undated(
    session: Session, where: list[ColumnElement[bool]], after: Cursor | None, limit: int
) -> list[Order]:
    query = _ordered([*where, Order.ship_by.is_(None)])
    if after is not None and after.ship_by is None:
        query = query.where(Order.id > after.id)
    return list(session.scalars(query.order_by(Order.id).limit(limit)))


def conditions(filters: Filters, now: datetime, at_risk_hours: int) -> list[ColumnElement[bool]]:
    """The WHERE terms of ``filters`` (their AND)."""
    where = [_status(filters)]
    if filters.marketplace:
        kind = select(MarketplaceAccount.id).where(MarketplaceAccount.kind == filters.marketplace)
        where.append(Order.account_id.in_(kind))
    if filters.account_id is not None:
        where.append(Order.account_id == filters.account_id)
    if filters.ship:
        where.append(_ship_by(filters, now))
    if filters.problem:
        where.append(_problem(filters.problem, now, at_risk_hours))
    if filters.q:
        where.append(Order.id.in_(search(filters.q)))
    return where


def _status(filters: Filters) -> ColumnElement[bool]:
    if filters.status == ALL_CHOICE or filters.searching_everywhere:
        return true()
    if filters.status == IN_WORK_CHOICE:
        # the very words of the partial index's WHERE, so both databases can use it
        return text(IN_WORK)  # type: ignore[return-value]
    return Order.status == filters.status


def _ship_by(filters: Filters, now: datetime) -> ColumnElement[bool]:
    if filters.ship == "overdue":
        return Order.ship_by < now
    if filters.ship in ("today", "tomorrow"):
        day = now.astimezone(LOCAL).date() + timedelta(days=filters.ship == "tomorrow")
        return and_(Order.ship_by >= _midnight(day), Order.ship_by < _midnight(day, 1))
    terms: list[ColumnElement[bool]] = [Order.ship_by.is_not(None)]
    if filters.ship_from:
        terms.append(Order.ship_by >= _midnight(filters.ship_from))
    if filters.ship_to:
        terms.append(Order.ship_by < _midnight(filters.ship_to, 1))
    return and_(*terms)


def _midnight(day: date, plus_days: int = 0) -> datetime:
    """The start of a Moscow day (the marketplaces' days) as a UTC moment."""
    return datetime.combine(day + timedelta(days=plus_days), time(), LOCAL).astimezone(UTC)


def _problem(problem: str, now: datetime, at_risk_hours: int) -> ColumnElement[bool]:
    if problem == "short":
        return Order.id.in_(select(Shortage.order_id).where(Shortage.status == "open"))
    if problem == "unpaid":
        return Order.marketplace_status.like(f"{UNPAID}%")
    if problem == "no_label":
        return Order.id.in_(_without_label())
    if problem == "failed_command":
        return Order.id.in_(_failing_commands())
    in_work = Order.status.in_(ORDER_IN_WORK)
    if problem == "late":
        return and_(Order.ship_by < now, in_work)
    soon = now + timedelta(hours=at_risk_hours)
    return and_(Order.ship_by >= now, Order.ship_by <= soon, Order.status.in_(NOT_PACKED))


def _without_label() -> Select[tuple[int]]:
    """Orders of a parcel with no marketplace label yet, or whose last label job failed."""
    unlabelled = select(Parcel.order_id).where(Parcel.label_barcode == "")
    last_job = (
        select(func.max(PrintJob.id))
        .where(PrintJob.parcel_id == Parcel.id)
        .correlate(Parcel)
        .scalar_subquery()
    )
    failed = (
        select(Parcel.order_id)
        .join(PrintJob, PrintJob.parcel_id == Parcel.id)
        .where(PrintJob.id == last_job, PrintJob.status.in_(FAILED_PRINTS))
    )
    return select(union(unlabelled, failed).subquery().c[0])


def _failing_commands() -> Select[tuple[int | None]]:
    """Orders whose marketplace command failed, or was tried and is not through yet."""
    return select(OutboxCommand.order_id).where(
        OutboxCommand.order_id.is_not(None),
        OutboxCommand.status != "done",
        or_(OutboxCommand.status == "failed", OutboxCommand.attempts > 0),
    )


def search(q: str) -> Select[tuple[int]]:
    """Ids of the orders ``q`` names exactly: one of the order's numbers, a parcel's
    sticker or our box label (SSCC), a line's article or barcode, a product's article or
    barcode (pack barcodes too)."""
    sscc = q[2:] if q.startswith("00") and len(q) == 20 else q  # AI (00) + SSCC
    products = union(
        select(ProductBarcode.product_id).where(ProductBarcode.barcode == q),
        select(Product.id).where(Product.article == q),
    ).subquery()
    found = union(
        select(OrderNumber.order_id).where(OrderNumber.number == q),
        select(Parcel.order_id).where(Parcel.label_barcode == q),
        select(Parcel.order_id)
        .join(IssuedSscc, IssuedSscc.parcel_id == Parcel.id)
        .where(IssuedSscc.code == sscc),
        select(OrderLine.order_id).where(OrderLine.article == q),
        select(OrderLine.order_id).where(OrderLine.barcode == q),
        select(OrderLine.order_id).where(OrderLine.product_id.in_(select(products.c[0]))),
    ).subquery()
    return select(found.c[0])


def _rows(session: Session, orders: list[Order], now: datetime, at_risk_hours: int) -> list[Row]:
    problems = _problems_of(session, [order.id for order in orders])
    return [_row(order, now, at_risk_hours, problems.get(order.id, [])) for order in orders]


def _row(order: Order, now: datetime, at_risk_hours: int, problems: list[str]) -> Row:
    unpaid = ["unpaid"] if order.marketplace_status.startswith(UNPAID) else []
    row = Row(order, problems=problems + unpaid)
    if order.ship_by is None or order.status not in ORDER_IN_WORK:
        return row
    row.hours_left = (order.ship_by - now) / timedelta(hours=1)
    row.late = row.hours_left < 0
    row.at_risk = not row.late and row.hours_left <= at_risk_hours and order.status in NOT_PACKED
    return row


def _problems_of(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """What is wrong with each order of a page: three small queries for the whole page."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    asks = (
        ("short", select(Shortage.order_id).where(Shortage.status == "open")),
        ("no_label", _without_label()),
        ("failed_command", _failing_commands()),
    )
    for problem, query in asks:
        column = query.selected_columns[0]
        for order_id in set(session.scalars(query.where(column.in_(ids)))):
            found.setdefault(order_id, []).append(problem)
    return found
