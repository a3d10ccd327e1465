"""Marketplace cabinets: several per marketplace, credentials sealed, connection checked;
edited (a blank secret keeps the old one), switched off, deleted while it has no orders.

A cabinet whose key the marketplace refused is marked (``problem = "auth"``) and is not
called again, neither by cron nor by the outbox, until it is edited or checked again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.infra.credentials import seal, unseal
from warehouse.marketplaces.base import AuthError, MarketplaceError, TransientError
from warehouse.marketplaces.connectors import (
    CREDENTIAL_FIELDS,
    OPTIONAL_CREDENTIALS,
    REQUIRED_SETTINGS,
    SETTING_FIELDS,
)
from warehouse.models import (
    MARKETPLACES,
    HandOver,
    Listing,
    MarketplaceAccount,
    Order,
    OutboxCommand,
)

logger = logging.getLogger(__name__)

_CUTOFF = re.compile(r"(\d{1,2}):(\d{2})")
_NUMBER = re.compile(r"\d{1,19}")


def get(session: Session, account_id: int) -> MarketplaceAccount:
    account = session.get(MarketplaceAccount, account_id)
    if account is None:
        raise NotFound("account_not_found")
    return account


def create(
    session: Session,
    *,
    kind: str,
    name: str,
    base_url: str,
    warehouse_id: int,
    fields: dict[str, str],
    credentials_key: str,
) -> MarketplaceAccount:
    """A new cabinet; every credential field of its marketplace must be given."""
    if kind not in MARKETPLACES:
        raise DomainError("unknown_marketplace", kind=kind)
    secrets = {key: fields.get(key, "").strip() for key in CREDENTIAL_FIELDS[kind]}
    missing = [k for k, value in secrets.items() if not value and k not in OPTIONAL_CREDENTIALS]
    _check(name, base_url, missing + _missing_settings(kind, fields))
    account = MarketplaceAccount(
        kind=kind,
        name=name.strip(),
        base_url=base_url.strip().rstrip("/"),
        credentials_encrypted=seal(secrets, credentials_key),
        warehouse_id=warehouse_id,
        settings=_settings(kind, fields),
    )
    session.add(account)
    session.flush()
    logger.info("account created account=%s kind=%s", account.id, kind)
    return account


def update(
    session: Session,
    account_id: int,
    *,
    name: str,
    base_url: str,
    fields: dict[str, str],
    credentials_key: str,
) -> MarketplaceAccount:
    """New name, address, settings and any secret typed in (a blank one keeps the old)."""
    account = get(session, account_id)
    _check(name, base_url, _missing_settings(account.kind, fields))
    settings = _settings(account.kind, fields)
    secrets = unseal(account.credentials_encrypted, credentials_key)
    for key in CREDENTIAL_FIELDS[account.kind]:
        if fields.get(key, "").strip():
            secrets[key] = fields[key].strip()
    account.name = name.strip()
    account.base_url = base_url.strip().rstrip("/")
    account.credentials_encrypted = seal(secrets, credentials_key)
    account.settings = settings
    account.problem = None  # edited: worth calling again
    account.last_error = None
    session.flush()
    logger.info("account edited account=%s", account.id)
    return account


def _check(name: str, base_url: str, missing: list[str]) -> None:
    if not name.strip():
        missing.append("name")
    if not base_url.strip().startswith(("http://", "https://")):
        missing.append("base_url")
    if missing:
        raise DomainError("account_incomplete", missing=missing)


def _missing_settings(kind: str, fields: dict[str, str]) -> list[str]:
    return [key for key in REQUIRED_SETTINGS.get(kind, ()) if not fields.get(key, "").strip()]


def _settings(kind: str, fields: dict[str, str]) -> dict[str, Any]:
    """The kind's settings typed in (blank ones left out), each checked."""
    given = {key: fields.get(key, "").strip() for key in SETTING_FIELDS[kind]}
    return {key: _setting(key, value) for key, value in given.items() if value}


def _setting(key: str, value: str) -> str:
    """A setting as kept; a malformed cutoff or delivery method id is refused, named."""
    if key == "cutoff":
        return cutoff_text(value)
    if key == "delivery_method_id" and not _NUMBER.fullmatch(value):
        raise DomainError("bad_account_setting", field=key, value=value)
    return value


def cutoff_text(value: str) -> str:
    """``"9:30"`` → ``"09:30"``; anything but a time 00:00–23:59 is refused."""
    match = _CUTOFF.fullmatch(value.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise DomainError("bad_account_setting", field="cutoff", value=value.strip())
    return f"{int(match[1]):02d}:{match[2]}"


@dataclass(frozen=True)
class DeliveryMethods:
    """What Ozon lists for the edit form: the methods, or why there are none to choose."""

    methods: tuple[tuple[str, str], ...]  # (id, name)
    problem: str = ""  # a result code for words, "" when the list came


def delivery_methods(account: MarketplaceAccount, client: Any) -> DeliveryMethods:
    """The Ozon cabinet's delivery methods (of its warehouse, when one is set), asked now.

    Nothing is recorded on the cabinet: showing a form does not change it.
    """
    if not account.may_be_called:
        return DeliveryMethods((), "methods_cabinet_off")
    warehouse = str((account.settings or {}).get("warehouse_id") or "")
    try:
        found = client.delivery_methods(int(warehouse) if warehouse.isdecimal() else None)
    except MarketplaceError as exc:
        logger.warning("delivery methods not listed account=%s: %s", account.id, exc)
        return DeliveryMethods((), f"methods_{problem_of(exc)}")
    methods = tuple(
        (str(method.get("id")), str(method.get("name") or ""))
        for method in found
        if method.get("id")
    )
    return DeliveryMethods(methods, "" if methods else "methods_none")


def set_active(session: Session, account_id: int, active: bool) -> MarketplaceAccount:
    """Switch a cabinet off (no import, no outbox calls; its commands wait) or on again."""
    account = get(session, account_id)
    account.active = active
    session.flush()
    logger.info("account %s account=%s", "enabled" if active else "disabled", account.id)
    return account


def delete(session: Session, account_id: int) -> None:
    """Delete a cabinet that never brought an order (its cards and commands go with it)."""
    account = get(session, account_id)
    orders = session.scalar(select(func.count(Order.id)).where(Order.account_id == account.id))
    if orders:
        raise DomainError("account_has_orders", name=account.name, orders=orders)
    for table in (Listing, OutboxCommand, HandOver):
        session.execute(sql_delete(table).where(table.account_id == account.id))
    session.delete(account)
    session.flush()
    logger.info("account deleted account=%s", account_id)


def problem_of(exc: MarketplaceError) -> str:
    """What kind of failure a marketplace error is (``ACCOUNT_PROBLEMS``)."""
    if isinstance(exc, AuthError):
        return "auth"
    if isinstance(exc, TransientError):
        return "unavailable"
    return "refused"


def record_failure(account: MarketplaceAccount, exc: MarketplaceError) -> None:
    account.problem = problem_of(exc)
    account.last_error = str(exc)[:1000]
    if account.problem == "auth":
        logger.error("account key refused account=%s: no calls until edited", account.id)


def check_connection(account: MarketplaceAccount, client: Any) -> tuple[bool, str]:
    """One harmless call; (ok, result code) for words a supervisor can act on.

    The answer is remembered: a refused key stops the calls, a working one resumes them.
    """
    try:
        client.ping()
    except MarketplaceError as exc:
        logger.warning("connection check failed account=%s: %s", account.id, exc)
        record_failure(account, exc)
        return False, f"connection_{account.problem}"
    account.problem = None
    account.last_error = None
    return True, "connection_ok"
