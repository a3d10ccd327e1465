"""Marketplace cabinets: several per marketplace, credentials sealed, connection checked."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from warehouse.credentials import seal
from warehouse.errors import DomainError
from warehouse.marketplaces.base import AuthError, MarketplaceError, TransientError
from warehouse.marketplaces.connectors import CREDENTIAL_FIELDS, SETTING_FIELDS
from warehouse.models import MARKETPLACES, MarketplaceAccount

logger = logging.getLogger(__name__)


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
    if missing or not name.strip() or not base_url.startswith(("http://", "https://")):
        raise DomainError("account_incomplete", missing=", ".join(missing) or "name / URL")
    settings = {key: fields[key].strip() for key in SETTING_FIELDS[kind] if fields.get(key)}
    account = MarketplaceAccount(
        kind=kind,
        name=name.strip(),
        base_url=base_url.strip().rstrip("/"),
        credentials_encrypted=seal(secrets, credentials_key),
        warehouse_id=warehouse_id,
        settings=settings,
    )
    session.add(account)
    session.flush()
    logger.info("account created account=%s kind=%s", account.id, kind)
    return account


def check_connection(client: Any) -> tuple[bool, str, dict[str, Any]]:
    """One harmless call; (ok, result code, details) in words a supervisor can act on."""
    try:
        client.ping()
    except AuthError:
        return False, "connection_refused_credentials", {}
    except TransientError as exc:
        return False, "connection_unavailable", {"detail": str(exc)}
    except MarketplaceError as exc:
        return False, "connection_error", {"detail": str(exc)}
    return True, "connection_ok", {}
