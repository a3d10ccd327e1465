"""The desk's МойСклад page: the accounting account (token sealed), its connection check
and the assortment import (an RQ job; its progress shown from the database)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from warehouse.accounting import accounts, assortment
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db, queue
from warehouse.models import AccountingAccount, AccountingSync
from warehouse.web.auth import supervisor_required
from warehouse.web.messages import account_problem, account_result, describe

bp = Blueprint("accounting", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/")
def page(error: DomainError | None = None) -> tuple[str, int]:
    s = db.session()
    found = s.scalars(select(AccountingAccount).order_by(AccountingAccount.id)).all()
    syncs = {
        account.id: s.scalars(
            select(AccountingSync)
            .where(AccountingSync.account_id == account.id)
            .order_by(AccountingSync.id.desc())
        ).first()
        for account in found
    }
    html = render_template(
        "supervisor/accounting.html",
        accounts=found,
        syncs=syncs,
        default_url=accounts.DEFAULT_URLS["moysklad"],
        problem_words=account_problem,
        error=describe(error.code, error.params) if error else None,
    )
    return html, (422 if error else 200)


@bp.post("/")
def create():
    form = request.form
    try:
        accounts.create(
            db.session(),
            name=form.get("name", ""),
            base_url=form.get("base_url", ""),
            token=form.get("token", ""),
            credentials_key=current_app.config["CREDENTIALS_KEY"],
        )
    except DomainError as refusal:
        return page(refusal)
    db.session().commit()
    return redirect(url_for("accounting.page"))


@bp.post("/<int:account_id>")
def edit(account_id: int):
    form = request.form
    try:
        accounts.update(
            db.session(),
            account_id,
            name=form.get("name", ""),
            base_url=form.get("base_url", ""),
            token=form.get("token", ""),
            credentials_key=current_app.config["CREDENTIALS_KEY"],
        )
    except NotFound:
        raise
    except DomainError as refusal:
        db.session().rollback()
        return page(refusal)
    db.session().commit()
    return redirect(url_for("accounting.page"))


@bp.post("/<int:account_id>/test")
def test(account_id: int):
    account = accounts.get(db.session(), account_id)
    with accounts.client_for(account) as client:
        ok, code = accounts.check_connection(account, client)
    db.session().commit()
    return render_template("supervisor/_connection.html", ok=ok, message=account_result(code))


@bp.post("/<int:account_id>/assortment")
def import_assortment(account_id: int):
    sync = assortment.start(db.session(), accounts.get(db.session(), account_id))
    db.session().commit()
    queue.enqueue_now("default", "warehouse.jobs.sync_assortment", sync.id)
    return redirect(url_for("accounting.page"))
