"""What guards every page: CSRF tokens, security headers and the session cookie's flags.

- CSRF: Flask-WTF's ``CSRFProtect`` checks every POST/PUT/PATCH/DELETE. Forms carry the
  token as a hidden field (``{{ csrf_field() }}``); htmx sends it in the ``X-CSRFToken``
  header from ``hx-headers`` on ``<body>``; the ТСД's offline queue reads it from the page.
  The integration API (bearer tokens, no cookies) and the marketplace sandboxes (stand-ins
  for outside servers) are exempt.
- Login attempts: Flask-Limiter counts failed logins in Redis (all gunicorn workers share
  it) per device (its address) and per person (the badge waiting for its PIN, the
  supervisor's login name). Over the limit, the login page says how long to wait. When
  Redis is away the counts are kept in the process's memory instead of failing the login.
- Headers: Flask-Talisman sets a Content-Security-Policy that allows only our own scripts
  and styles, ``frame-ancestors 'none'``, ``nosniff`` and a Referrer-Policy; HTTPS is not
  forced (a warehouse LAN often has none) but behind TLS the session cookie is ``Secure``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from warehouse.errors import DomainError
from warehouse.infra.config import EMBEDDED

csrf = CSRFProtect()


class ViewLimiter(Limiter):
    """Flask-Limiter with every limit set by a view's own decorator (the login routes;
    each integration API view, per token), checked when the view is called. There are no
    default, application or blueprint limits, so the check Flask-Limiter makes before
    every request has nothing to find: it is skipped (it cost a scan as much CPU as one
    of its SQL statements)."""

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if not in_middleware:
            super()._check_request_limit(callable_name, in_middleware)


limiter = ViewLimiter(
    key_func=get_remote_address,
    strategy="fixed-window",
    swallow_errors=True,
    in_memory_fallback_enabled=True,
    headers_enabled=True,
)

# Scripts and styles come from static/ only; inline style attributes are used by a few
# templates for widths and colours (no inline scripts anywhere).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def csrf_field() -> Markup:
    """The hidden field every POST form carries (a template global)."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


def failed(response: Response) -> bool:
    """Only refused attempts count towards a login limit."""
    return response.status_code >= 400


def per_device() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_DEVICE"])


def per_person() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_PERSON"])


def pending_pin_key() -> str:
    """The person a PIN is typed for: the badge scanned before it."""
    return f"pin:{session.get('pin_for', 'none')}"


def storage_uri(redis_url: str) -> str:
    """The limits library names a Redis on a unix socket ``redis+unix://``; an embedded
    Redis not started yet (a ``flask`` command) counts in memory."""
    if redis_url == EMBEDDED:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url


def refuse_nul() -> None:
    """A NUL character in a query or form value (a misconfigured scanner, a fuzzer) is
    refused in words before anything reads it: PostgreSQL cannot store or even compare it,
    and no barcode, name or number of ours holds one."""
    values = [*request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        values += request.form.items(multi=True)
    if any("\x00" in key or "\x00" in value for key, value in values):
        raise DomainError("nul_in_input")


class Headers(Talisman):
    """Flask-Talisman with its per-request work done once. No view of ours sets options of
    its own (``@talisman(...)``) and the policy has no nonce, so the options and the
    Content-Security-Policy line are the same for every answer: Talisman would rebuild
    them four times per request."""

    _options: dict[str, Any] | None = None
    _policy_line: str | None = None

    def _get_local_options(self) -> dict[str, Any]:
        if self._options is None:
            self._options = super()._get_local_options()
        return self._options

    def _parse_policy(self, policy: Any) -> str:
        if policy is not self.content_security_policy:
            return str(super()._parse_policy(policy))
        if self._policy_line is None:
            self._policy_line = str(super()._parse_policy(policy))
        return self._policy_line


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
    hops = int(app.config["PROXY_HOPS"])
    if hops:  # behind nginx: the client's address and scheme are in its headers
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a shift is long; the session bounds it
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)  # Origin is checked below instead
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config["REDIS_URL"]))
    # a stalled Redis must not stall a login: give up quickly and count in memory
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 1, "socket_connect_timeout": 1}
    )
    limiter.init_app(app)
    app.add_template_global(csrf_field, "csrf_field")
    Headers(
        app,
        force_https=False,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
    )
