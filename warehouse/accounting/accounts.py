"""Accounting-system accounts (МойСклад): created and edited on the desk (the token sealed
like a marketplace key; a blank token keeps the old one), checked, switched off; what the
documents we write there name (legal entity, store, a counterparty per marketplace)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.accounting.moysklad import BASE_URL, Choice, MoySkladClient
from warehouse.errors import DomainError, NotFound
from warehouse.infra.credentials import seal, unseal
from warehouse.marketplaces.accounts import problem_of
from warehouse.marketplaces.base import MarketplaceError
from warehouse.models import MARKETPLACES, AccountingAccount

# whose counterparty ids the documents name: each marketplace (shipments, returns) and the
# supplier the purchase orders of «what to order next» go to
AGENT_KINDS = (*MARKETPLACES, "supplier")

logger = logging.getLogger(__name__)

DEFAULT_URLS = {"moysklad": BASE_URL}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DIRECTORIES = ("organization", "store", "counterparty")


@dataclass(frozen=True)
class DocumentSettings:
    """Whether our shipments and returns are written to the account, and the ids of what
    they name there: our legal entity, the store, the counterparty of each marketplace."""

    write: bool = False
    organization_id: str = ""
    store_id: str = ""
    agents: dict[str, str] = field(default_factory=dict)


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


def document_settings(account: AccountingAccount) -> DocumentSettings:
    stored = (account.settings or {}).get("documents") or {}
    return DocumentSettings(
        write=bool(stored.get("write")),
        organization_id=str(stored.get("organization_id") or ""),
        store_id=str(stored.get("store_id") or ""),
        agents={k: str(v) for k, v in (stored.get("agents") or {}).items() if v},
    )


def set_document_settings(
    session: Session,
    account_id: int,
    *,
    write: bool,
    organization_id: str,
    store_id: str,
    agents: dict[str, str],
) -> AccountingAccount:
    """Keep what the documents name. Writing needs the legal entity and the store; every id
    given must look like МойСклад's (a UUID), so a typo is refused here, not by МойСклад
    at the first shipment."""
    account = get(session, account_id)
    given = {"organization_id": organization_id, "store_id": store_id}
    given |= {f"agent_{kind}": agents.get(kind, "") for kind in AGENT_KINDS}
    given = {name: value.strip().lower() for name, value in given.items()}
    missing = [name for name in ("organization_id", "store_id") if write and not given[name]]
    if missing:
        raise DomainError("account_incomplete", missing=missing)
    wrong = [name for name, value in given.items() if value and not UUID.match(value)]
    if wrong:
        raise DomainError("moysklad_bad_id", fields=wrong)
    account.settings = {
        **(account.settings or {}),
        "documents": {
            "write": write,
            "organization_id": given["organization_id"],
            "store_id": given["store_id"],
            "agents": {kind: given[f"agent_{kind}"] for kind in AGENT_KINDS},
        },
    }
    session.flush()
    logger.info("accounting account document settings account=%s write=%s", account.id, write)
    return account


def writing_accounts(session: Session) -> list[AccountingAccount]:
    """Active accounts our shipments and returns are written to (a refused token only
    makes their documents wait)."""
    found = session.scalars(
        select(AccountingAccount)
        .where(AccountingAccount.active.is_(True))
        .order_by(AccountingAccount.id)
    )
    return [account for account in found if document_settings(account).write]


def directory(client: MoySkladClient) -> dict[str, list[Choice]]:
    """The lists the desk offers: legal entities, stores, counterparties."""
    return {entity: client.choices(entity) for entity in DIRECTORIES}
