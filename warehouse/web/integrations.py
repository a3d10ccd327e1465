"""The desk's Integrations page: service accounts of outside systems (МойСклад, 1C, an
analytics service), their scopes and tokens, and what each token was used for.

Supervisors see the accounts and their logs; only an admin makes an account, changes its
scopes, issues a token (shown once, on the answer to that form, never again) or revokes
one.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.integrations import service_accounts, webhooks
from warehouse.models import API_SCOPES, WEBHOOK_EVENTS, User
from warehouse.web.auth import admin_required, current_user, supervisor_required
from warehouse.web.messages import api_scope, delivery_state, describe, webhook_event

bp = Blueprint("integrations", __name__, url_prefix="/integrations")
bp.before_request(supervisor_required(lambda: None))


def _admin() -> User:
    user = current_user()
    assert user is not None
    return user


def _page(
    error: str = "",
    status: int = 200,
    new_token: str = "",
    token_for: int = 0,
    new_secret: str = "",
):
    s = db.session()
    user = current_user()
    accounts = service_accounts.all_accounts(s)
    body = render_template(
        "supervisor/integrations.html",
        accounts=accounts,
        receivers={a.id: webhooks.subscriptions_of(s, a.id) for a in accounts},
        scopes=API_SCOPES,
        events=WEBHOOK_EVENTS,
        api_scope=api_scope,
        webhook_event=webhook_event,
        is_admin=user is not None and user.role == "admin",
        error=error,
        new_token=new_token,
        new_secret=new_secret,
        token_for=token_for,
    )
    return body, status, {"Cache-Control": "no-store"}  # a new token is on it once


@bp.errorhandler(DomainError)
def refused(exc: DomainError):
    """A refusal here: the page again with the reason above it (nothing kept of the form's
    change); an account, token or receiver that is not there: 404."""
    db.session().rollback()
    return _page(describe(exc.code, exc.params), 404 if isinstance(exc, NotFound) else 422)


@bp.get("/")
def integrations_page():
    return _page()


@bp.post("/")
@admin_required
def create_account():
    s = db.session()
    account = service_accounts.create(
        s,
        request.form.get("name", ""),
        request.form.getlist("scope"),
        _admin(),
        note=request.form.get("note", ""),
    )
    s.commit()
    flash(describe("service_account_created", {"name": account.name}))
    return redirect(url_for("integrations.integrations_page") + f"#account-{account.id}")


@bp.post("/<int:account_id>/scopes")
@admin_required
def save_scopes(account_id: int):
    s = db.session()
    account = service_accounts.get(s, account_id)
    service_accounts.set_scopes(account, request.form.getlist("scope"))
    service_accounts.set_active(account, request.form.get("active") == "on")
    s.commit()
    flash(describe("service_account_saved", {"name": account.name}))
    return redirect(url_for("integrations.integrations_page") + f"#account-{account.id}")


@bp.post("/<int:account_id>/tokens")
@admin_required
def issue_token(account_id: int):
    s = db.session()
    account = service_accounts.get(s, account_id)
    token = service_accounts.issue_token(
        s,
        account,
        _admin(),
        label=request.form.get("label", ""),
        per_minute=request.form.get("per_minute", 120, type=int) or 0,
    )
    s.commit()
    # the one time the token is shown: on this answer, not after a redirect
    return _page(new_token=token, token_for=account.id)


@bp.post("/<int:account_id>/tokens/<int:token_id>/revoke")
@admin_required
def revoke_token(account_id: int, token_id: int):
    s = db.session()
    account = service_accounts.get(s, account_id)
    token = service_accounts.revoke(s, account, token_id, _admin())
    s.commit()
    flash(describe("api_token_revoked", {"prefix": token.prefix}))
    return redirect(url_for("integrations.integrations_page") + f"#account-{account.id}")


@bp.post("/<int:account_id>/webhooks")
@admin_required
def add_receiver(account_id: int):
    s = db.session()
    account = service_accounts.get(s, account_id)
    if "webhooks" not in account.scopes:
        raise DomainError("unknown_scope", scope="webhooks")
    found, secret = webhooks.subscribe(
        s,
        account,
        request.form.get("url", "").strip(),
        request.form.getlist("event"),
        current_app.config["CREDENTIALS_KEY"],
    )
    s.commit()
    # the secret is shown once, on this answer, as a token is
    return _page(new_secret=secret, token_for=found.account_id)


@bp.post("/<int:account_id>/webhooks/<int:subscription_id>/stop")
@admin_required
def stop_receiver(account_id: int, subscription_id: int):
    s = db.session()
    service_accounts.get(s, account_id)
    webhooks.unsubscribe(s, account_id, subscription_id)
    s.commit()
    flash(describe("webhook_stopped"))
    return redirect(url_for("integrations.integrations_page") + f"#account-{account_id}")


@bp.get("/<int:account_id>/webhooks")
def delivery_log(account_id: int):
    s = db.session()
    account = service_accounts.get(s, account_id)
    return render_template(
        "supervisor/webhook_log.html",
        account=account,
        deliveries=webhooks.deliveries_of(s, account.id),
        webhook_event=webhook_event,
        delivery_state=delivery_state,
    )


@bp.post("/<int:account_id>/webhooks/deliveries/<int:delivery_id>/retry")
def retry_delivery(account_id: int, delivery_id: int):
    """A supervisor sends a delivery again (the receiver is fixed)."""
    s = db.session()
    service_accounts.get(s, account_id)
    delivery = webhooks.retry(s, account_id, delivery_id)
    s.commit()
    flash(describe("webhook_retried", {"id": delivery.id}))
    return redirect(url_for("integrations.delivery_log", account_id=account_id))


@bp.get("/<int:account_id>/log")
def request_log(account_id: int):
    s = db.session()
    account = service_accounts.get(s, account_id)
    return render_template(
        "supervisor/integration_log.html",
        account=account,
        calls=service_accounts.request_log(s, account),
    )
