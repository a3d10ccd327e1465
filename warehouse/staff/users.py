"""People who use the system: the first admin, supervisors (login + password) and the
ТСД's people — pickers, packers, loaders (badge + PIN), one person possibly several of
these. Created, edited and deactivated — never deleted: their scans keep their id.

Who manages whom: an admin manages everyone; a supervisor manages the ТСД's people only
(a new temp worker on the floor cannot wait for the admin) and can neither create nor
change desk users, so no one raises their own rights. The last active admin stays active.

A new PIN or password, deactivation and «end the session» end every open session of the
person (``User.session_version``); each of these, like every change, is a ``StaffEvent``
with who did it.
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
from warehouse.models import StaffEvent, User, UserRole, Warehouse
from warehouse.models.work import ROLES, TSD_ROLES

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
    roles: tuple[str, ...] = ()  # a ТСД person's roles ticked (none: ``role`` alone)


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
    return by is None or by.role == "admin" or (by.role == "supervisor" and role in TSD_ROLES)


def managed(session: Session, user_id: int, by: User) -> User:
    """The person ``by`` may manage, else Forbidden; a missing id is NotFound."""
    user = get(session, user_id)
    if not may_manage(by, user.role):
        raise Forbidden("not_allowed")
    return user


def create(session: Session, form: UserForm, *, by: User | None, pin_secret: str) -> User:
    roles = _tsd_roles(form.roles or (form.role,)) if form.role in TSD_ROLES else [form.role]
    if roles[0] not in ROLES:
        raise DomainError("bad_role")
    if not may_manage(by, roles[0]):
        raise Forbidden("not_allowed")
    user = User(role=roles[0], active=True)
    _apply(session, user, form, pin_secret=pin_secret, creating=True)
    user.extra_roles = [UserRole(role=role) for role in roles[1:]]
    session.add(user)
    session.flush()
    record(session, user, "created", by, detail=",".join(roles))
    logger.info("user created user=%s roles=%s by=%s", user.id, roles, by.id if by else "-")
    return user


def update(session: Session, user_id: int, form: UserForm, *, by: User, pin_secret: str) -> User:
    """Name, login / badge and (if typed) a new password or PIN — which ends the person's
    open sessions; the roles stay (``set_roles``)."""
    user = managed(session, user_id, by)
    digest, password = user.pin_digest, user.password_hash
    _apply(session, user, form, pin_secret=pin_secret, creating=False)
    if user.password_hash != password:
        _end(session, user, "password_reset", by)
    elif form.pin.strip() and user.pin_digest != digest:
        _end(session, user, "pin_reset", by)
    else:
        record(session, user, "edited", by)
    session.flush()
    logger.info("user edited user=%s by=%s", user.id, by.id)
    return user


def set_roles(session: Session, user_id: int, roles: list[str], *, by: User) -> User:
    """A ТСД person's roles, at least one: the first in the table's order is the main one."""
    user = managed(session, user_id, by)
    if user.role not in TSD_ROLES:
        raise DomainError("roles_tsd_only")
    chosen = _tsd_roles(roles)
    user.role = chosen[0]
    user.extra_roles = [UserRole(role=role) for role in chosen[1:]]
    session.flush()
    record(session, user, "roles_changed", by, detail=",".join(chosen))
    logger.info("user roles user=%s roles=%s by=%s", user.id, chosen, by.id)
    return user


def _tsd_roles(roles: tuple[str, ...] | list[str]) -> list[str]:
    """The ТСД roles ticked, in the table's order; none or another role is refused."""
    if not roles or not set(roles) <= set(TSD_ROLES):
        raise DomainError("roles_missing")
    return [role for role in TSD_ROLES if role in roles]


def set_active(session: Session, user_id: int, active: bool, *, by: User) -> User:
    """Deactivating ends the person's open sessions; activating lets them log in again."""
    user = managed(session, user_id, by)
    if not active and user.role == "admin" and _active_admins(session) <= 1 and user.active:
        raise DomainError("last_admin")
    if not active and user.id == by.id:
        raise DomainError("not_yourself")
    if user.active == active:
        return user  # a form sent twice: nothing more to do or to log
    user.active = active
    if active:
        record(session, user, "activated", by)
    else:
        _end(session, user, "deactivated", by)
    session.flush()
    logger.info("user %s user=%s by=%s", "activated" if active else "deactivated", user.id, by.id)
    return user


def end_sessions(session: Session, user_id: int, *, by: User) -> User:
    """«Завершить сеанс»: every open session of the person ends; their ТСД shows the login
    page at its next request, saying who ended it and when."""
    user = managed(session, user_id, by)
    if user.id == by.id:
        raise DomainError("not_yourself_session")
    _end(session, user, "sessions_ended", by)
    session.flush()
    logger.info("user sessions ended user=%s by=%s", user.id, by.id)
    return user


def reset_pin(session: Session, user_id: int, pin: str, *, by: User, pin_secret: str) -> User:
    """A new PIN set by the desk (the person forgot theirs, or it was seen): their open
    sessions end, so a device logged in with the old PIN asks for the new one."""
    user = managed(session, user_id, by)
    if not pin.strip():
        raise DomainError("pin_missing")
    user.pin_digest = _pin_digest(pin, pin_secret)
    _end(session, user, "pin_reset", by)
    session.flush()
    logger.info("user pin reset user=%s by=%s", user.id, by.id)
    return user


def _end(session: Session, user: User, kind: str, by: User) -> None:
    user.session_version += 1
    record(session, user, kind, by)


def record(
    session: Session, user: User, kind: str, by: User | None, detail: str = ""
) -> StaffEvent:
    """What was done to ``user`` and by whom (the person's history, the login page's why)."""
    event = StaffEvent(user_id=user.id, by_id=by.id if by else None, kind=kind, detail=detail)
    session.add(event)
    return event


def _active_admins(session: Session) -> int:
    query = select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    return session.scalar(query) or 0


def _apply(
    session: Session, user: User, form: UserForm, *, pin_secret: str, creating: bool
) -> None:
    name, badge = form.name.strip(), form.badge.strip() or None
    if not name:
        raise DomainError("user_name_missing")
    if user.role in TSD_ROLES:
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
    if form.pin.strip():
        user.pin_digest = _pin_digest(form.pin, pin_secret)


def _pin_digest(typed: str, pin_secret: str) -> str:
    pin = typed.strip()
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdecimal() and low <= len(pin) <= high):
        raise DomainError("bad_pin", low=low, high=high)
    return pin_digest(pin, pin_secret)


def _unique(
    session: Session, user: User, column: InstrumentedAttribute[Any], value: str | None, code: str
) -> None:
    """Say which value is taken before the UNIQUE constraint refuses it (which stays behind)."""
    if value is None:
        return
    other = session.scalar(select(User.id).where(column == value, User.id != user.id))
    if other is not None:
        raise DomainError(code, value=value)
