"""Who is using the page: a picker by badge, a supervisor by password (session cookie)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from flask import current_app, g, has_request_context, redirect, session, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash

from warehouse.infra import db
from warehouse.infra.credentials import pin_digest
from warehouse.models import User
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
    session["seen"] = datetime.now(UTC).timestamp()
    session.permanent = True


def current_user() -> User | None:
    if "user" not in g:
        g.user = None
        user_id = session.get("user_id")
        if user_id is not None and not _idle_too_long():
            user = db.session().get(User, user_id)
            g.user = user if user and user.active else None
            _seen_now()
    return g.user


def acting_user_id() -> int | None:
    """Who is acting now, for the history the models keep (an order's status changes):
    the logged-in person of this request; None outside a request (a worker job)."""
    if not has_request_context():
        return None
    user = current_user()
    return user.id if user else None


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


def require(roles: tuple[str, ...], login_endpoint: str) -> Callable[..., Any]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None or user.role not in roles:
                target = url_for(login_endpoint)
                if htmx:
                    return "", 401, {"HX-Redirect": target}
                return redirect(target)
            return view(*args, **kwargs)

        return wrapped

    return decorator


picker_required = require(("picker", "supervisor", "admin"), "tsd.login")
supervisor_required = require(("supervisor", "admin"), "supervisor.login")
