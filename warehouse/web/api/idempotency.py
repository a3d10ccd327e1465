"""``Idempotency-Key`` on every POST and PUT: a call sent again changes nothing twice.

The view's changes and the answer it gave are committed together with the key (unique
per service account). The same key again, with the same request, gets the stored answer
back (``Idempotent-Replayed: true``); with another request, a 422. Two calls with one key
at the same moment: the database lets one commit the key, the other is rolled back and
answers what the first stored. Refusals are not stored: nothing changed, so a retry is
judged afresh. Kept ``API_LOG_DAYS`` (the daily prune).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Response, g, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.infra import db
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
    """Run ``view`` (which flushes, never commits) once per key; commit with the key."""

    @wraps(view)
    def once(*args: Any, **kwargs: Any) -> Any:
        session = db.session()
        key = request.headers.get(HEADER, "")
        digest = hashlib.sha256(
            b"\0".join([request.method.encode(), request.path.encode(), request.get_data()])
        ).hexdigest()
        stored = _stored(session, key)
        if stored is not None:
            return _replay(stored, digest)
        response: Response = view(*args, **kwargs)
        if response.status_code >= 400:
            session.rollback()
            return response
        session.add(
            IdempotentCall(
                account_id=g.api_caller.account_id,
                key=key,
                method=request.method,
                path=request.path[:300],
                request_hash=digest,
                status=response.status_code,
                body=response.get_data(as_text=True),
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            stored = _stored(session, key)
            if stored is None:  # not the key: what the view wrote met a change meanwhile
                detail = _("What the call changes was changed meanwhile: send it again.")
                raise ApiProblem("conflict", detail) from None
            return _replay(stored, digest)
        return response

    return once


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
    response = Response(stored.body, status=stored.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response
