"""People who use the system: the first admin, supervisors (login + password) and pickers
(badge + PIN). Created, edited and deactivated — never deleted: their scans keep their id.

Who manages whom: an admin manages everyone; a supervisor manages pickers only (a new
temp worker on the floor cannot wait for the admin) and can neither create nor change
desk users, so no one raises their own rights. The last active admin stays active.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from werkzeug.security import generate_password_hash

from warehouse.errors import DomainError, NotFound
from warehouse.infra.credentials import pin_digest
from warehouse.models import User, Warehouse
from warehouse.models.work import ROLES

logger = logging.getLogger(__name__)

MIN_PASSWORD = 8
PIN_DIGITS = (4, 8)
FIRST_WAREHOUSE_CODE = "MAIN"


class Forbidden(DomainError):
    """This user may not manage that user (answered 403)."""


@dataclass(frozen=True)
class UserForm:
    """What a person typed; blank password / PIN on an edit keeps the saved one."""

    name: str = ""
    role: str = "picker"
    login: str = ""
    password: str = ""
    badge: str = ""
    pin: str = ""


def has_admin(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    return user


def listing(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.role, User.name)))


def create_first_admin(
    session: Session, form: UserForm, *, warehouse_name: str = "", pin_secret: str
) -> User:
    """The first-run page and ``flask create-admin``: an admin, and a warehouse if none."""
    admin = create(session, form, by=None, pin_secret=pin_secret)
    if session.scalar(select(Warehouse.id).limit(1)) is None:
        name = warehouse_name.strip() or "Основной склад"
        session.add(Warehouse(code=FIRST_WAREHOUSE_CODE, name=name))
        session.flush()
        logger.info("first warehouse created name=%s", name)
    return admin


def may_manage(by: User | None, role: str) -> bool:
    """``by`` None is the operator at the server (the flask command, the first-run page)."""
    return by is None or by.role == "admin" or (by.role == "supervisor" and role == "picker")


def create(session: Session, form: UserForm, *, by: User | None, pin_secret: str) -> User:
    if form.role not in ROLES:
        raise DomainError("bad_role")
    if not may_manage(by, form.role):
        raise Forbidden("not_allowed")
    user = User(role=form.role, active=True)
    _apply(session, user, form, pin_secret=pin_secret, creating=True)
    session.add(user)
    session.flush()
    logger.info("user created user=%s role=%s by=%s", user.id, user.role, by.id if by else "-")
    return user


def update(session: Session, user_id: int, form: UserForm, *, by: User, pin_secret: str) -> User:
    """Name, login / badge and (if typed) a new password or PIN; the role stays."""
    user = get(session, user_id)
    if not may_manage(by, user.role):
        raise Forbidden("not_allowed")
    _apply(session, user, form, pin_secret=pin_secret, creating=False)
    session.flush()
    logger.info("user edited user=%s by=%s", user.id, by.id)
    return user


def set_active(session: Session, user_id: int, active: bool, *, by: User) -> User:
    user = get(session, user_id)
    if not may_manage(by, user.role):
        raise Forbidden("not_allowed")
    if not active and user.role == "admin" and _active_admins(session) <= 1 and user.active:
        raise DomainError("last_admin")
    if not active and user.id == by.id:
        raise DomainError("not_yourself")
    user.active = active
    session.flush()
    logger.info("user %s user=%s by=%s", "activated" if active else "deactivated", user.id, by.id)
    return user


def _active_admins(session: Session) -> int:
    query = select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    return session.scalar(query) or 0


def _apply(
    session: Session, user: User, form: UserForm, *, pin_secret: str, creating: bool
) -> None:
    name, badge = form.name.strip(), form.badge.strip() or None
    if not name:
        raise DomainError("user_name_missing")
    if user.role == "picker":
        if badge is None:
            raise DomainError("picker_needs_badge")
        login = None
    else:
        login = form.login.strip()
        if not login:
            raise DomainError("user_login_missing")
        if form.password or creating:
            if len(form.password) < MIN_PASSWORD:
                raise DomainError("password_too_short", length=MIN_PASSWORD)
            user.password_hash = generate_password_hash(form.password)
    _unique(session, user, User.login, login, "login_taken")
    _unique(session, user, User.badge, badge, "badge_taken")
    user.name, user.login, user.badge = name, login, badge
    pin = form.pin.strip()
    if pin:
        low, high = PIN_DIGITS
        if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
            raise DomainError("bad_pin", low=low, high=high)
        user.pin_digest = pin_digest(pin, pin_secret)


def _unique(
    session: Session, user: User, column: InstrumentedAttribute[Any], value: str | None, code: str
) -> None:
    """Say which value is taken before the UNIQUE constraint refuses it (which stays behind)."""
    if value is None:
        return
    other = session.scalar(select(User.id).where(column == value, User.id != user.id))
    if other is not None:
        raise DomainError(code, value=value)
