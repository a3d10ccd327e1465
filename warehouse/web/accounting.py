"""The desk's МойСклад pages: the accounting accounts (token sealed), their connection
check and assortment import (an RQ job; its progress shown from the database); each
account's own page: what its documents name (legal entity, store, a counterparty per
marketplace — picked from МойСклад's lists, or typed when it cannot list them), the
documents written or owed (left-out lines, refusals in words, «Повторить»), and
МойСклад's stock by store beside ours."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from warehouse.accounting import accounts, assortment, documents, stock
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db, queue
from warehouse.marketplaces.accounts import problem_of
from warehouse.marketplaces.base import MarketplaceError
from warehouse.models import AccountingAccount, AccountingSync
from warehouse.web.auth import supervisor_required
from warehouse.web.messages import (
    account_field,
    account_problem,
    account_result,
    describe,
    document_error,
    document_kind,
    document_state,
    skip_reason,
)

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


# --- one account: what its documents name, the documents, МойСклад's stock -----------------


@bp.get("/<int:account_id>")
def account_page(account_id: int, error: DomainError | None = None) -> tuple[str, int]:
    s = db.session()
    account = accounts.get(s, account_id)
    settings = accounts.document_settings(account)
    written = documents.recent(s, account.id)
    html = render_template(
        "supervisor/accounting_account.html",
        account=account,
        settings=settings,
        agent_kinds=accounts.AGENT_KINDS,
        documents=written,
        commands={d.id: documents.command_of(s, d) for d in written},
        seen=stock.compare(s, account, settings.store_id),
        problem_words=account_problem,
        field_label=account_field,
        document_error=document_error,
        document_kind=document_kind,
        document_state=document_state,
        skip_reason=skip_reason,
        error=describe(error.code, error.params) if error else None,
    )
    return html, (422 if error else 200)


@bp.get("/<int:account_id>/choices")
def choices(account_id: int) -> str:
    """Selects of МойСклад's legal entities, stores and counterparties for the account's
    form, asked when the page opens; typed ids and the reason in words when МойСклад
    cannot list them. Asking records nothing on the account."""
    account = accounts.get(db.session(), account_id)
    lists: dict[str, Any] | None = None
    note = "choices_off"
    if account.may_be_called:
        try:
            with accounts.client_for(account) as client:
                lists = accounts.directory(client)
        except MarketplaceError as exc:
            note = f"choices_{problem_of(exc)}"
    return render_template(
        "supervisor/_accounting_choices.html",
        lists=lists,
        settings=accounts.document_settings(account),
        agent_kinds=accounts.AGENT_KINDS,
        field_label=account_field,
        note=account_result(note) if lists is None else "",
    )


@bp.post("/<int:account_id>/documents")
def save_documents(account_id: int):
    form = request.form
    try:
        accounts.set_document_settings(
            db.session(),
            account_id,
            write=form.get("write") == "1",
            organization_id=form.get("organization_id", ""),
            store_id=form.get("store_id", ""),
            agents={kind: form.get(f"agent_{kind}", "") for kind in accounts.AGENT_KINDS},
        )
    except NotFound:
        raise
    except DomainError as refusal:
        db.session().rollback()
        return account_page(account_id, refusal)
    db.session().commit()
    return redirect(url_for("accounting.account_page", account_id=account_id))


@bp.post("/<int:account_id>/documents/<int:document_id>/retry")
def retry_document(account_id: int, document_id: int):
    documents.retry(db.session(), account_id, document_id)
    db.session().commit()
    return redirect(url_for("accounting.account_page", account_id=account_id))


@bp.post("/<int:account_id>/stock")
def read_stock(account_id: int):
    accounts.get(db.session(), account_id)
    queue.enqueue_now("default", "warehouse.jobs.read_accounting_stock", account_id)
    return redirect(url_for("accounting.account_page", account_id=account_id))
