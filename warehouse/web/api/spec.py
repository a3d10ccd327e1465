"""The API's contract: the models that validate requests and answers also write the
OpenAPI 3.1 document (SpecTree over pydantic), so the document cannot drift from the code.

``endpoint`` is the one decorator of an API view: the scope its token needs, the shared
per-token rate limit, and SpecTree's validation of the query, the body and the answer.
The document is served at ``/api/v1/openapi.json`` and read on ``/api/v1/docs``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g
from flask_babel import gettext as _
from spectree import Response as Answers
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType

from warehouse.web.api.idempotency import KeyHeader, idempotent
from warehouse.web.api.problems import MEDIA_TYPE, ApiProblem, Problem, of_validation
from warehouse.web.security import limiter

logger = logging.getLogger(__name__)

SECURITY = "token"
DESCRIPTION = (
    "The warehouse's integration API for accounting systems (МойСклад, 1C) and analytics "
    "services. Each system calls with a service account's bearer token "
    "(`Authorization: Bearer wh_…`), issued on the desk with the scopes it needs. "
    "Lists page by cursor: pass the `next` of a page as `after` to read on. The feeds "
    "(orders, order changes, movements, webhook deliveries) skip nothing and give nothing "
    "twice while new rows arrive: keep the cursor and poll. The lists of what is there now "
    "(products, bins, stock, hand-overs) are read whole each time. Errors are RFC 9457 "
    "problem details."
)
# the refusals every endpoint may answer (documented on each)
COMMON = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_429": Problem}


def _refuse_invalid(
    _req: Any, _resp: Any, error: Exception | None, _instance: Any, _adapter: Any
) -> None:
    if error is not None:
        errors = error.errors() if hasattr(error, "errors") else []
        raise of_validation(errors)


def _answer_checked(
    _req: Any, _resp: Any, error: Exception | None, _instance: Any, _adapter: Any
) -> None:
    """An answer that does not fit its own schema is our bug: logged, never sent."""
    if error is not None:
        logger.error("api answer does not match its schema: %s", error)
        raise ApiProblem("server_error")


spec = SpecTree(
    "flask",
    title="Warehouse API",
    version="1",
    description=DESCRIPTION,
    # SpecTree's own routes are not used: /api/v1/openapi.json and the readable page
    # (/api/v1/docs, no CDN scripts) are ours; its route prefix must not be /api/v1,
    # which it would leave out of the document
    path="_spectree",
    page_templates={},
    mode="strict",
    annotations=True,
    security_schemes=[
        SecurityScheme(
            name=SECURITY,
            data=SecuritySchemeData(
                type=SecureType.HTTP, scheme="bearer", description="a service account's token, wh_…"
            ),
        )
    ],
    validation_error_status=422,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    before=_refuse_invalid,
    after=_answer_checked,
)


def document() -> dict[str, Any]:
    """The OpenAPI document as served: SpecTree's, with the problems' own media type."""
    doc = copy.deepcopy(spec.spec)
    for operations in doc["paths"].values():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                content = answer.get("content", {})
                media = content.get("application/json")
                if media and media.get("schema", {}).get("$ref", "").endswith("/Problem"):
                    content[MEDIA_TYPE] = content.pop("application/json")
    return doc


def endpoint(
    scope: str,
    *,
    tags: tuple[str, ...],
    ok: type | None = None,
    status: int = 200,
    query: type | None = None,
    json: type | None = None,
    headers: type | None = None,
    more: dict[str, type | None] | None = None,
    write: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An API view that needs ``scope``, counted against its token's limit, validated
    and documented by SpecTree (``ok`` is the success answer's model). A ``write`` view
    (POST, PUT) flushes its changes and is committed once per ``Idempotency-Key``."""
    answers: dict[str, Any] = {**COMMON, f"HTTP_{status}": ok, **(more or {})}
    if write:
        headers = headers or KeyHeader
        answers["HTTP_409"] = Problem
    if query or json or headers:
        answers["HTTP_422"] = Problem

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        validated = spec.validate(
            query=query,
            json=json,
            headers=headers,
            resp=Answers(**answers),
            tags=tags,
            security={SECURITY: [scope]},
        )(view)

        run = idempotent(validated) if write else validated

        @wraps(validated)
        def scoped(*args: Any, **kwargs: Any) -> Any:
            if scope not in g.api_caller.scopes:
                raise ApiProblem(
                    "forbidden", _("The account needs the scope %(scope)s.", scope=scope)
                )
            return run(*args, **kwargs)

        return limiter.shared_limit(per_token, scope="api", key_func=token_key)(scoped)

    return decorate


def per_token() -> str:
    return f"{g.api_caller.per_minute}/minute"


def token_key() -> str:
    return f"token:{g.api_caller.token_id}"
