"""Marketplace cabinets: several per marketplace, credentials sealed, connection checked;
edited (a blank secret keeps the old one), switched off, deleted while it has no orders.

A cabinet whose key the marketplace refused is marked (``problem = "auth"``) and is not
called again, neither by cron nor by the outbox, until it is edited or checked again.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warehouse.errors import DomainError, NotFound
from warehouse.infra.credentials import seal, unseal
from warehouse.marketplaces.base import AuthError, MarketplaceError, TransientError
from warehouse.marketplaces.connectors import (
    CREDENTIAL_FIELDS,
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
    missing = [key for key, value in secrets.items() if not value]
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
    secrets = unseal(account.credentials_encrypted, credentials_key)
    for key in CREDENTIAL_FIELDS[account.kind]:
        if fields.get(key, "").strip():
            secrets[key] = fields[key].strip()
    account.name = name.strip()
    account.base_url = base_url.strip().rstrip("/")
    account.credentials_encrypted = seal(secrets, credentials_key)
    account.settings = _settings(account.kind, fields)
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
    return {key: fields[key].strip() for key in SETTING_FIELDS[kind] if fields.get(key, "").strip()}


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
