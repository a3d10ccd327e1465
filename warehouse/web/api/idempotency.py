"""``Idempotency-Key`` on every POST and PUT: a call sent again changes nothing twice.

The key is claimed before the view runs (its row flushed: unique per service account)
and committed together with the view's changes and the answer it gave (sealed: an answer
may hold a secret shown once). The same key again, with the same request, gets the stored
answer back (``Idempotent-Replayed: true``); with another request, a 422. A second call
while the first is under way waits on the key's unique index, then replays what the
first stored. Refusals are not stored: nothing changed, so a retry is judged afresh.
Kept ``API_LOG_DAYS`` (the daily prune).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.infra import db
from warehouse.infra.credentials import seal, unseal
from warehouse.models import IdempotentCall
from warehouse.web.api.problems import ApiProblem

HEADER = "Idempotency-Key"


class KeyHeader(BaseModel):
    """The header every POST and PUT carries."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    idempotency_key: str = Field(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="a key unique to this change (a UUID): sent again, the stored answer comes "
        "back and nothing is done twice",
    )


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``view`` (which flushes, never commits) once per key; commit with the key.

    The key is claimed first (its row flushed before the view runs): a second call with
    the same key waits on the unique index until the first is committed or rolled back,
    then replays the stored answer or runs itself."""

    @wraps(view)
    def once(*args: Any, **kwargs: Any) -> Any:
        session = db.session()
        key = request.headers.get(HEADER, "")
        digest = hashlib.sha256(
            b"\0".join([request.method.encode(), request.path.encode(), request.get_data()])
        ).hexdigest()
        claim = _claim(session, key, digest)
        if isinstance(claim, Response):
            return claim
        response: Response = view(*args, **kwargs)
        if response.status_code >= 400:
            session.rollback()
            return response
        # the stored answer is sealed: it may hold what is shown once (a webhook's secret)
        claim.status = response.status_code
        claim.body = seal({"body": response.get_data(as_text=True)}, _key()).decode()
        session.commit()
        return response

    return once


def _claim(session: Session, key: str, digest: str) -> IdempotentCall | Response:
    """This call's row for the key, flushed (the key is ours until the commit); or the
    answer stored under it by a call that came first."""
    for _attempt in range(2):  # a first call rolled back meanwhile: the key is free again
        stored = _stored(session, key)
        if stored is not None:
            return _replay(stored, digest)
        claim = IdempotentCall(
            account_id=g.api_caller.account_id,
            key=key,
            method=request.method,
            path=request.path[:300],
            request_hash=digest,
            status=0,
            body="",
        )
        session.add(claim)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            continue
        return claim
    raise ApiProblem("conflict", _("A call with this Idempotency-Key is under way: send again."))


def prune(session: Session, before: datetime) -> int:
    result = session.execute(delete(IdempotentCall).where(IdempotentCall.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _stored(session: Session, key: str) -> IdempotentCall | None:
    query = select(IdempotentCall).where(
        IdempotentCall.account_id == g.api_caller.account_id, IdempotentCall.key == key
    )
    return session.scalar(query)


def _replay(stored: IdempotentCall, digest: str) -> Response:
    if stored.request_hash != digest:
        raise ApiProblem(
            "idempotency_key_reused",
            _("This Idempotency-Key was used for another request: use a new key for a new change."),
        )
    body = unseal(stored.body.encode(), _key())["body"]
    response = Response(body, status=stored.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _key() -> str:
    return str(current_app.config["CREDENTIALS_KEY"])
