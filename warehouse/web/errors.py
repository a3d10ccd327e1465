"""One way to answer errors: a domain refusal is a 422 fragment, anything else one page.

Every answer is in the interface language and says what to do next: a fragment (htmx,
the ТСД's scan queue) lands in ``#feedback``; a page keeps its surface's layout (ТСД or
desk) with a way back. The API, the sandboxes and /healthz answer JSON.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as HTTPNotFound

from warehouse.errors import DomainError, NotFound
from warehouse.staff.users import Forbidden
from warehouse.web.api import problems
from warehouse.web.auth import WrongRole
from warehouse.web.htmx import htmx
from warehouse.web.messages import describe, wrong_role

logger = logging.getLogger(__name__)
JSON_PREFIXES = ("/sandbox/", "/healthz")
API_PREFIX = "/api/"  # answers RFC 9457 problem details (warehouse.web.api.problems)
LOGIN_PAGES = {
    "tsd.login_post": "tsd/login.html",
    "tsd.login_pin_post": "tsd/login.html",
    "supervisor.login_post": "supervisor/login.html",
}


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else 422
        if request.path.startswith(API_PREFIX):
            return problems.of_refusal(exc.code, exc.params, status)
        return render_template("_error.html", message=describe(exc.code, exc.params)), status

    @app.errorhandler(NoResultFound)
    def no_row(exc: NoResultFound):
        """``session.get_one`` of an id that is not there: the page does not exist."""
        return http_error(HTTPNotFound())

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        logger.warning("csrf refused path=%s reason=%s", request.path, exc.description)
        message = _("This page is out of date. Open it again and repeat.")
        if _is_fragment_request():
            # htmx reloads the page (a fresh token); the ТСД's scan queue keeps the scan
            return render_template("_error.html", message=message), 400, {"HX-Refresh": "true"}
        return _page(message, 400)

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        """A login page over its limit stays the login page and says how long to wait."""
        template = LOGIN_PAGES.get(request.endpoint or "")
        wait = exc.limit.limit.get_expiry()
        if request.path.startswith(API_PREFIX):  # a token over its own limit
            detail = _("Wait %(seconds)s seconds and send again.", seconds=wait)
            return problems.answer("too_many_requests", detail, headers={"Retry-After": str(wait)})
        if template is None:
            return http_error(exc)
        logger.warning("login limited endpoint=%s limit=%s", request.endpoint, exc.limit.limit)
        message = describe("too_many_logins", {"minutes": max(1, round(wait / 60))})
        return render_template(template, error=message), 429, {"Retry-After": str(wait)}

    @app.errorhandler(problems.ApiProblem)
    def api_problem(exc: problems.ApiProblem):
        return problems.of_problem(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith(API_PREFIX) and (exc.code or 500) >= 400:
            return problems.of_http(exc.code or 500, dict(exc.get_headers()))
        if request.path.startswith(JSON_PREFIXES):
            return jsonify(error=exc.name, detail=exc.description), exc.code
        if exc.code is None or exc.code < 400:
            return exc
        message = _words(exc)
        headers = dict(exc.get_headers())
        headers.pop("Content-Type", None)
        if _is_fragment_request():
            return render_template("_error.html", message=message), exc.code, headers
        return _page(message, exc.code, headers)


def _is_fragment_request() -> bool:
    return bool(htmx) or request.headers.get("HX-Request") == "true"


def _words(exc: HTTPException) -> str:
    if isinstance(exc, WrongRole):
        return wrong_role(exc.area)
    texts = {
        400: _("The request could not be understood. Go back and try again."),
        403: _("You may not do this. Ask the shift supervisor."),
        404: _("There is no such page. Go back to the list."),
        405: _("This page cannot be opened this way. Go back to the list."),
        413: _("The request is too large. Send less at once."),
        429: _("Too many attempts. Wait a minute and try again."),
    }
    return texts.get(exc.code or 500, _("Something went wrong. Go back and try again."))


def _page(message: str, status: int, headers: dict[str, str] | None = None):
    on_tsd = request.path.startswith("/tsd")
    back = url_for("tsd.tasks") if on_tsd else url_for("supervisor.index")
    template = "tsd/error.html" if on_tsd else "supervisor/error.html"
    body = render_template(template, message=message, status=status, back=back)
    return body, status, headers or {}
