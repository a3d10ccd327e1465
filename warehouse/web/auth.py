"""Who is using the page: the ТСД's people by badge, the desk's by password (session cookie),
and whether their roles allow it (the table in warehouse.staff.access).

A session keeps the person's id and their ``session_version`` at login; the desk raises
the version to end every session of a person at once (end the session, a new PIN or
password, deactivation), so the next request of that session finds it stale, logs it out
and the login page says why.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, has_request_context, redirect, session, url_for
from sqlalchemy import bindparam, select
from werkzeug.exceptions import Forbidden
from werkzeug.security import check_password_hash

from warehouse.infra import db
from warehouse.infra.credentials import pin_digest
from warehouse.models import StaffEvent, User, UserRole
from warehouse.models.staff import ENDING_EVENTS
from warehouse.shipping.handovers import LOCAL
from warehouse.staff import access
from warehouse.web.htmx import htmx


def user_by_badge(badge: str) -> User | None:
    """The active user whose badge was scanned (a PIN alone never finds anyone)."""
    code = badge.strip()
    if not code or len(code) > 64:
        return None
    return db.session().scalar(select(User).where(User.badge == code, User.active.is_(True)))


def pin_matches(user: User, pin: str) -> bool:
    """The second factor after a badge: the PIN typed on the keypad."""
    if not user.pin_digest or not pin.strip() or len(pin) > 32:
        return False
    typed = pin_digest(pin.strip(), current_app.config["SECRET_KEY"])
    return hmac.compare_digest(typed, user.pin_digest)


def user_by_password(login: str, password: str) -> User | None:
    user = db.session().scalar(
        select(User).where(User.login == login.strip(), User.active.is_(True))
    )
    if user and user.password_hash and check_password_hash(user.password_hash, password):
        return user
    return None


def log_in(user: User) -> None:
    session.clear()
    session["user_id"] = user.id
    session["version"] = user.session_version
    session["seen"] = datetime.now(UTC).timestamp()
    session.permanent = True


@dataclass(frozen=True)
class Person:
    """Who this session belongs to, as every request checks them: read by plain SQL with
    their roles (the ORM's ``User`` is loaded only by the views that need it:
    ``current_user``). Loading the person through the ORM cost a scan more CPU than its
    statements."""

    id: int
    name: str
    roles: frozenset[str]


# the person with their further roles (a row each), a statement built once
_PERSON = (
    select(
        User.id,
        User.name,
        User.role,
        User.active,
        User.session_version,
        UserRole.role.label("extra_role"),
    )
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(User.id == bindparam("id"))
)


def current_person() -> Person | None:
    """The person logged in on this session, None when nobody is (or no longer: idle too
    long, their sessions ended from the desk, deactivated)."""
    if "person" not in g:
        g.person = None
        user_id = session.get("user_id")
        if user_id is not None and not _idle_too_long():
            rows = db.session().connection().execute(_PERSON, {"id": user_id}).all()
            if rows and _ended_elsewhere(rows[0]):
                _log_out_ended(user_id)
            elif rows:
                first = rows[0]
                extra = {row.extra_role for row in rows if row.extra_role is not None}
                g.person = Person(first.id, first.name, frozenset({first.role, *extra}))
                _seen_now()
    person: Person | None = g.person
    return person


def current_user() -> User | None:
    """The person logged in on this session as the ORM's ``User`` (for views that change
    them or hang things on them)."""
    if "user" not in g:
        person = current_person()
        g.user = None if person is None else db.session().get(User, person.id)
    user: User | None = g.user
    return user


def acting_user_id() -> int | None:
    """Who is acting now, for the history the models keep (an order's status changes):
    the logged-in person of this request; None outside a request (a worker job)."""
    if not has_request_context():
        return None
    person = current_person()
    return person.id if person else None


def _ended_elsewhere(person: Any) -> bool:
    """The desk ended this person's sessions after this one began (or deactivated them):
    ``person`` is their row (``active``, ``session_version``)."""
    return not person.active or session.get("version", 0) != person.session_version


def _log_out_ended(user_id: int) -> None:
    """Forget the person in this session; the login page will say why (``ended_reason``)."""
    session.pop("user_id", None)
    session.pop("version", None)
    session["ended"] = user_id


def ended_reason() -> tuple[str, dict[str, str]] | None:
    """Why this device was logged out from the desk, once (the login page shows it): the
    newest event that ended the person's sessions, with who did it and when."""
    current_person()  # a stale session found on this very request is logged out first
    user_id = session.pop("ended", None)
    if user_id is None:
        return None
    event = db.session().scalar(
        select(StaffEvent)
        .where(StaffEvent.user_id == user_id, StaffEvent.kind.in_(ENDING_EVENTS))
        .order_by(StaffEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return "session_ended_unknown", {}
    at = event.at.astimezone(LOCAL).strftime("%H:%M")
    return f"session_{event.kind}", {"by": event.by.name if event.by else "—", "at": at}


SEEN_EVERY_SECONDS = 30


def _seen_now() -> None:
    """Keep the idle clock; written at most every 30 s, so that most requests leave the
    session (cookie) alone and two in flight at once cannot undo each other's steps."""
    now = datetime.now(UTC).timestamp()
    if now - float(session.get("seen") or 0) >= SEEN_EVERY_SECONDS:
        session["seen"] = now


def _idle_too_long() -> bool:
    seen = session.get("seen")
    limit = timedelta(minutes=current_app.config["TSD_IDLE_LOGOUT_MINUTES"])
    return seen is None or datetime.now(UTC) - datetime.fromtimestamp(seen, UTC) > limit


class WrongRole(Forbidden):
    """A person logged in whose roles do not include this work: 403, said in words."""

    def __init__(self, area: str) -> None:
        super().__init__()
        self.area = area


def require(area: str, login_endpoint: str, *, in_words: bool = True) -> Callable[..., Any]:
    """A view (or a blueprint's ``before_request``) for ``area`` of the access table: nobody
    logged in goes to the login page (htmx: a 401 with ``HX-Redirect``), a person whose
    roles do not include it gets a 403 in words — or, ``in_words`` off, the login page too.
    The area stays on the view (``AREA``) so the tests walk every route with every role."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_person()
            allowed = access.may(user, area)
            if user is None or (not allowed and not in_words):
                target = url_for(login_endpoint)
                if htmx:
                    return "", 401, {"HX-Redirect": target}
                return redirect(target)
            if not allowed:
                raise WrongRole(area)
            return view(*args, **kwargs)

        setattr(wrapped, AREA, area)
        return wrapped

    return decorator


AREA = "access_area"


def tsd_required(area: str) -> Callable[..., Any]:
    """A ТСД page of ``area`` (see warehouse.staff.access.ACCESS)."""
    return require(area, "tsd.login")


def guard(blueprint: Any, area: str, login_endpoint: str = "tsd.login") -> None:
    """Every route of ``blueprint`` belongs to ``area``."""
    blueprint.before_request(require(area, login_endpoint)(lambda: None))


def area_of(app: Flask, endpoint: str) -> str | None:
    """The access area a route checks: its own, or its blueprint's; None when it checks
    none (the login pages, the language switch, the API with its own tokens)."""
    view = app.view_functions.get(endpoint)
    if hasattr(view, AREA):
        return str(getattr(view, AREA))
    blueprint = endpoint.rpartition(".")[0]
    for hook in app.before_request_funcs.get(blueprint, []):
        if hasattr(hook, AREA):
            return str(getattr(hook, AREA))
    return None


picker_required = tsd_required("pick")  # the picking pages
# every desk page: the desk is another surface with its own login, so a ТСД person who
# opens it (a picker's session on the office PC) is asked for a supervisor's login there
supervisor_required = require("desk", "supervisor.login", in_words=False)
# a desk action only an admin may take: a supervisor is told so in words (403)
admin_required = require("admin", "supervisor.login")
