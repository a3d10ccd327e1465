"""Every refusal of the integration API in one shape: RFC 9457 problem details.

``{"type", "title", "status", "detail", "instance", "code"}`` as ``application/problem+json``;
``type`` points at the problem's entry on the API's documentation page; ``code`` is the
same short name for programs; a refused body also lists what was wrong (``errors``).
Titles and details are in the language of ``Accept-Language`` (Russian by default).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from warehouse.web.messages import describe

# code → (status, title): the problems the API answers, listed on its documentation page
PROBLEMS: dict[str, tuple[int, Any]] = {
    "unauthorized": (401, _l("No valid token")),
    "forbidden": (403, _l("The token's account lacks a scope")),
    "not_found": (404, _l("Not found")),
    "method_not_allowed": (405, _l("Method not allowed")),
    "conflict": (409, _l("Conflict")),
    "too_large": (413, _l("Request too large")),
    "invalid_request": (422, _l("The request does not match the schema")),
    "idempotency_key_reused": (422, _l("The Idempotency-Key belongs to another request")),
    "refused": (422, _l("The warehouse refused the request")),
    "too_many_requests": (429, _l("Too many requests")),
    "busy": (503, _l("Busy, try again")),
    "server_error": (500, _l("Server error")),
}
BY_STATUS = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "refused",
    429: "too_many_requests",
    503: "busy",
}
MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    where: str = Field(description="the field's name or path, e.g. limit or items.0.sku")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="a link to this problem's entry in the documentation")
    title: str
    status: int
    detail: str = ""
    instance: str = Field(description="the path that was asked")
    code: str = Field(description="the problem's short name, stable for programs")
    errors: list[FieldError] = []


class ApiProblem(Exception):
    """Raised anywhere under /api/v1 to answer with a problem."""

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.code, self.detail = code, detail
        self.errors = errors or []
        self.headers = headers or {}


def answer(
    code: str,
    detail: str = "",
    *,
    status: int | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    known_status, title = PROBLEMS.get(code, PROBLEMS["server_error"])
    body = Problem(
        type=f"/api/v1/docs#problem-{code}",
        title=str(title),
        status=status or known_status,
        detail=detail,
        instance=request.path,
        code=code,
        errors=errors or [],
    )
    response = Response(body.model_dump_json(), status=body.status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def of_problem(exc: ApiProblem) -> Response:
    return answer(exc.code, exc.detail, errors=exc.errors, headers=exc.headers)


def of_refusal(code: str, params: dict[str, Any], status: int) -> Response:
    """A domain refusal (``DomainError``): its words as the detail, its code kept."""
    problem = "not_found" if status == 404 else "forbidden" if status == 403 else "refused"
    response = answer(problem, describe(code, params), status=status)
    return response


def of_http(status: int, headers: dict[str, str]) -> Response:
    code = BY_STATUS.get(status, "server_error" if status >= 500 else "invalid_request")
    kept = {name: value for name, value in headers.items() if name.lower() != "content-type"}
    return answer(code, status=status, headers=kept)


def of_validation(errors: list[dict[str, Any]]) -> ApiProblem:
    """Pydantic's errors of the request's query, body or headers."""
    fields = [
        FieldError(
            where=".".join(str(part) for part in error.get("loc", ())) or "request",
            message=str(error.get("msg", "")),
        )
        for error in errors
    ]
    return ApiProblem("invalid_request", _("Fix the fields listed and send again."), errors=fields)
