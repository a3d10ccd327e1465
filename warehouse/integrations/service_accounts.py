"""Service accounts: who may call the integration API, with which tokens and scopes.

The desk makes an account (a name, its scopes), issues tokens (shown once: only their
SHA-256 is stored), revokes them and reads each token's request log. The API finds the
token of a call here (``authenticate``) and logs the call (``log_call``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from warehouse.errors import DomainError, NotFound
from warehouse.models import (
    API_SCOPES,
    ApiRequest,
    ApiToken,
    ServiceAccount,
    ServiceAccountScope,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

TOKEN_START = "wh_"
PREFIX_BYTES = 6  # 12 hex characters: finds the row, names the token on the desk
SECRET_BYTES = 32
LOG_PAGE = 100
# last_used_at is written at most this often per token: a busy integration would
# otherwise rewrite its token's row on every call
LAST_USED_STEP = timedelta(seconds=60)


@dataclass(frozen=True)
class Caller:
    """The token a request came with, as the API's views need it (no ORM object)."""

    token_id: int
    account_id: int
    account_name: str
    scopes: frozenset[str]
    per_minute: int


def create(
    session: Session, name: str, scopes: Iterable[str], by: User, note: str = ""
) -> ServiceAccount:
    name = name.strip()
    if not name:
        raise DomainError("service_account_name_missing")
    if session.scalar(select(ServiceAccount.id).where(ServiceAccount.name == name)):
        raise DomainError("service_account_name_taken", name=name)
    account = ServiceAccount(name=name, note=note.strip()[:300], created_by_id=by.id)
    session.add(account)
    set_scopes(account, scopes)
    session.flush()
    logger.info("service account created id=%s by=%s", account.id, by.id)
    return account


def get(session: Session, account_id: int) -> ServiceAccount:
    account = session.get(ServiceAccount, account_id)
    if account is None:
        raise NotFound("service_account_not_found")
    return account


def all_accounts(session: Session) -> list[ServiceAccount]:
    query = select(ServiceAccount).options(joinedload(ServiceAccount.tokens))
    return list(session.scalars(query.order_by(ServiceAccount.name)).unique())


def set_scopes(account: ServiceAccount, scopes: Iterable[str]) -> None:
    wanted = set(scopes)
    unknown = wanted - set(API_SCOPES)
    if unknown:
        raise DomainError("unknown_scope", scope=", ".join(sorted(unknown)))
    account.scope_rows[:] = [row for row in account.scope_rows if row.scope in wanted] + [
        ServiceAccountScope(scope=scope) for scope in sorted(wanted - account.scopes)
    ]


def set_active(account: ServiceAccount, active: bool) -> None:
    """A switched-off account's tokens are refused until it is switched on again."""
    account.active = active


def issue_token(
    session: Session, account: ServiceAccount, by: User, label: str = "", per_minute: int = 120
) -> str:
    """A new token for ``account``: the whole token is returned once, to be shown once."""
    if not 1 <= per_minute <= 100_000:
        raise DomainError("token_limit_out_of_range")
    prefix = secrets.token_hex(PREFIX_BYTES)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    session.add(
        ApiToken(
            account_id=account.id,
            label=label.strip()[:100],
            prefix=prefix,
            secret_hash=_hash(token),
            per_minute=per_minute,
            created_by_id=by.id,
        )
    )
    session.flush()
    logger.info("api token issued account=%s prefix=%s by=%s", account.id, prefix, by.id)
    return token


def revoke(session: Session, account: ServiceAccount, token_id: int, by: User) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.account_id != account.id:
        raise NotFound("api_token_not_found")
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by_id = utcnow(), by.id
        logger.info("api token revoked prefix=%s by=%s", token.prefix, by.id)
    return token


def authenticate(session: Session, given: str) -> Caller | None:
    """The live token ``given`` is (an active account's, not revoked), or None."""
    prefix = _prefix_of(given)
    if prefix is None:
        return None
    row = session.execute(
        select(ApiToken, ServiceAccount)
        .join(ServiceAccount, ServiceAccount.id == ApiToken.account_id)
        .where(ApiToken.prefix == prefix)
    ).first()
    if row is None:
        return None
    token, account = row
    if not hmac.compare_digest(token.secret_hash, _hash(given)):
        return None
    if token.revoked_at is not None or not account.active:
        return None
    return Caller(token.id, account.id, account.name, account.scopes, token.per_minute)


def log_call(
    session: Session, caller: Caller, method: str, path: str, status: int, ms: int
) -> None:
    """One line of the token's request log, and its last-used time (at most once a
    minute). The caller commits."""
    now = utcnow()
    session.add(
        ApiRequest(
            token_id=caller.token_id, at=now, method=method, path=path[:300], status=status, ms=ms
        )
    )
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == caller.token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - LAST_USED_STEP),
        )
        .values(last_used_at=now)
    )


def request_log(
    session: Session, account: ServiceAccount, limit: int = LOG_PAGE
) -> list[tuple[ApiRequest, str]]:
    """The account's latest calls, newest first, with the prefix of the token used."""
    query = (
        select(ApiRequest, ApiToken.prefix)
        .join(ApiToken, ApiToken.id == ApiRequest.token_id)
        .where(ApiToken.account_id == account.id)
        .order_by(ApiRequest.id.desc())
        .limit(limit)
    )
    return [(request, prefix) for request, prefix in session.execute(query)]


def prune_log(session: Session, before: datetime) -> int:
    """Forget calls older than ``before`` (the log is for finding out what an
    integration did lately, not an archive)."""
    result = session.execute(delete(ApiRequest).where(ApiRequest.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _prefix_of(given: str) -> str | None:
    if not given.startswith(TOKEN_START):
        return None
    prefix, _, secret = given.removeprefix(TOKEN_START).partition("_")
    if len(prefix) != PREFIX_BYTES * 2 or not secret:
        return None
    return prefix


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
