"""The integration API under /api/v1 (JSON), for accounting systems and analytics services.

Every call carries a service account's bearer token (``warehouse.integrations``); no
session cookie is read, so the blueprint needs no CSRF token. Each call is checked for
its token (401), the scope of its endpoint (403) and the token's rate limit (429), and
is written to the token's request log. Every refusal is a problem document
(``problems``); the contract is ``spec``'s OpenAPI 3.1 document.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from warehouse.infra import db, feeds
from warehouse.integrations import service_accounts
from warehouse.web.api import catalogue, handovers, orders, stock, webhooks
from warehouse.web.api.problems import PROBLEMS, ApiProblem, of_problem
from warehouse.web.api.spec import document

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__)
docs_bp = Blueprint("api_docs", __name__)

for area in (orders, stock, catalogue, handovers, webhooks):
    area.register(bp)


@bp.before_request
def authenticate() -> None:
    g.api_started = time.perf_counter()
    given = request.headers.get("Authorization", "")
    scheme, _space, token = given.partition(" ")
    caller = None
    if scheme.lower() == "bearer" and token.strip():
        caller = service_accounts.authenticate(db.session(), token.strip())
    if caller is None:
        logger.warning("api token refused path=%s", request.path)
        detail = _("Send a live token: Authorization: Bearer wh_… (Integrations on the desk).")
        challenge = {"WWW-Authenticate": 'Bearer realm="warehouse"'}
        raise ApiProblem("unauthorized", detail, headers=challenge)
    g.api_caller = caller


@bp.before_request
def refuse_unstorable_text() -> None:
    """A body over ``API_MAX_BODY_BYTES`` is refused unread. A string in a JSON body
    holding a NUL or half of a UTF-16 surrogate pair (``\\u0000``, a lone ``\\ud83d``) is
    refused in words: no database of ours can store it, and no
    article, barcode or name holds one."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.is_json:
        return
    if (request.content_length or 0) > current_app.config["API_MAX_BODY_BYTES"]:
        raise ApiProblem("too_large", _("Send at most 1,000 items per call."))
    try:
        body = request.get_json(silent=True)
        unstorable = body is not None and any(_unstorable(text) for text in _strings(body))
    except RecursionError:  # nested deeper than any body of ours
        raise ApiProblem("invalid_request", _("The body is nested too deep.")) from None
    if unstorable:
        raise ApiProblem(
            "invalid_request", _("A text in the body holds a NUL or a broken character.")
        )


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _unstorable(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)


@bp.after_request
def log_call(response: Response) -> Response:
    """The call goes to its token's request log, in a transaction of its own (the view
    has committed what it changed; a read's open transaction is let go)."""
    caller = g.get("api_caller")
    if caller is None:
        return response
    session = db.session()
    session.rollback()
    ms = round((time.perf_counter() - g.api_started) * 1000)
    service_accounts.log_call(
        session, caller, request.method, request.path, response.status_code, ms
    )
    session.commit()
    return response


@bp.errorhandler(IntegrityError)
def changed_meanwhile(exc: IntegrityError):
    """Two calls wrote the same thing at once (a new article, a document number): the one
    that lost is told so, not given a 500."""
    db.session().rollback()
    logger.warning("api write lost a race path=%s error=%s", request.path, exc.orig)
    detail = _("Another call changed the same data meanwhile: read it again and send again.")
    return of_problem(ApiProblem("conflict", detail))


@bp.errorhandler(feeds.Busy)
def busy(_exc: feeds.Busy):
    return of_problem(ApiProblem("busy", headers={"Retry-After": "2"}))


@docs_bp.get("/openapi.json")
def openapi_document():
    return jsonify(document())


@docs_bp.get("/docs")
def docs_page():
    """The OpenAPI document, readable: every endpoint, its scope, parameters and answers."""
    return render_template("api/docs.html", doc=document(), problems=PROBLEMS)
