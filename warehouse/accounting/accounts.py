"""Accounting-system accounts (МойСклад): created and edited on the desk (the token sealed
like a marketplace key; a blank token keeps the old one), checked, switched off."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.orm import Session

from warehouse.accounting.moysklad import BASE_URL, MoySkladClient
from warehouse.errors import DomainError, NotFound
from warehouse.infra.credentials import seal, unseal
from warehouse.marketplaces.accounts import problem_of
from warehouse.marketplaces.base import MarketplaceError
from warehouse.models import AccountingAccount

logger = logging.getLogger(__name__)

DEFAULT_URLS = {"moysklad": BASE_URL}


def get(session: Session, account_id: int) -> AccountingAccount:
    account = session.get(AccountingAccount, account_id)
    if account is None:
        raise NotFound("account_not_found")
    return account


def create(
    session: Session, *, name: str, base_url: str, token: str, credentials_key: str
) -> AccountingAccount:
    _check(name, base_url, [] if token.strip() else ["token"])
    account = AccountingAccount(
        kind="moysklad",
        name=name.strip(),
        base_url=base_url.strip().rstrip("/"),
        credentials_encrypted=seal({"token": token.strip()}, credentials_key),
        settings={},
    )
    session.add(account)
    session.flush()
    logger.info("accounting account created account=%s", account.id)
    return account


def update(
    session: Session,
    account_id: int,
    *,
    name: str,
    base_url: str,
    token: str,
    credentials_key: str,
) -> AccountingAccount:
    account = get(session, account_id)
    _check(name, base_url, [])
    account.name = name.strip()
    account.base_url = base_url.strip().rstrip("/")
    if token.strip():
        account.credentials_encrypted = seal({"token": token.strip()}, credentials_key)
    account.problem = None
    account.last_error = None
    session.flush()
    logger.info("accounting account edited account=%s", account.id)
    return account


def _check(name: str, base_url: str, missing: list[str]) -> None:
    if not name.strip():
        missing.append("name")
    if not base_url.strip().startswith(("http://", "https://")):
        missing.append("base_url")
    if missing:
        raise DomainError("account_incomplete", missing=missing)


def set_active(session: Session, account_id: int, active: bool) -> AccountingAccount:
    account = get(session, account_id)
    account.active = active
    session.flush()
    return account


def client_for(account: AccountingAccount) -> MoySkladClient:
    token = unseal(account.credentials_encrypted)["token"]
    timeout = float(current_app.config["MARKETPLACE_TIMEOUT"])
    return MoySkladClient(account.base_url, token, timeout=timeout)


def record_failure(account: AccountingAccount, exc: MarketplaceError) -> None:
    account.problem = problem_of(exc)
    account.last_error = str(exc)[:1000]


def check_connection(account: AccountingAccount, client: MoySkladClient) -> tuple[bool, str]:
    """One harmless call; (ok, result code) for words. A refused token stops the imports."""
    try:
        client.ping()
    except MarketplaceError as exc:
        logger.warning("connection check failed accounting account=%s: %s", account.id, exc)
        record_failure(account, exc)
        return False, f"connection_{account.problem}"
    account.problem = None
    account.last_error = None
    return True, "connection_ok"
