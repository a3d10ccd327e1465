"""The dates a report is asked for (Moscow days) and the parameters every form shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from warehouse.errors import DomainError
from warehouse.models import MarketplaceAccount, utcnow
from warehouse.shipping.handovers import LOCAL

LONGEST = timedelta(days=366)
FIRST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), LOCAL)

    @property
    def until(self) -> datetime:  # exclusive
        return datetime.combine(self.end + timedelta(days=1), time(0), LOCAL)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def params(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def today() -> date:
    return utcnow().astimezone(LOCAL).date()


def day(text: str, default: date | None = None) -> date:
    """A date from a form (``YYYY-MM-DD``); blank is ``default`` (today when None)."""
    text = (text or "").strip()
    if not text:
        return default or today()
    try:
        found = date.fromisoformat(text[:10])
    except ValueError:
        raise DomainError("report_bad_date", value=text[:20]) from None
    if not FIRST_YEAR <= found.year <= today().year + 1:  # no marketplace sold before
        raise DomainError("report_bad_date", value=text[:20])
    return found


def period(form: dict[str, str], days_back: int = 30, month: bool = False) -> Period:
    """``start``..``end`` from a form; blank: the last ``days_back`` days to today, or
    (``month``) the month so far — what an accountant closes."""
    end = day(form.get("end", ""))
    first = end.replace(day=1) if month else end - timedelta(days=days_back - 1)
    start = day(form.get("start", ""), first)
    if start > end:
        raise DomainError("report_bad_period")
    if end - start > LONGEST:
        raise DomainError("report_period_too_long")
    return Period(start, end)


def of(params: dict[str, str]) -> Period:
    return Period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))


def account_id(session: Session, form: dict[str, str]) -> int | None:
    """The cabinet chosen on a form (blank: every cabinet); one that does not exist is refused."""
    text = (form.get("account_id") or "").strip()
    if not text:
        return None
    if not text.isdecimal() or len(text) > 10 or session.get(MarketplaceAccount, int(text)) is None:
        raise DomainError("report_no_account")
    return int(text)
