"""One way to answer errors: a domain refusal is a 422 fragment, anything else one banner."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from warehouse.errors import DomainError, NotFound
from warehouse.web.messages import describe

logger = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        status = 404 if isinstance(exc, NotFound) else 422
        if request.path.startswith("/api/"):
            return jsonify(error=exc.code, params=exc.params), status
        return render_template("_error.html", message=describe(exc.code, exc.params)), status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith(("/api/", "/sandbox/", "/healthz")):
            return jsonify(error=exc.name, detail=exc.description), exc.code
        return exc
