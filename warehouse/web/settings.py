"""Supervisor settings: marketplace cabinets, product cards, the status map, the outbox."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from warehouse.catalog import listings, megamarket_offers
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db, queue
from warehouse.marketplaces import accounts, outbox
from warehouse.marketplaces.connectors import (
    CREDENTIAL_FIELDS,
    DEFAULT_URLS,
    OPTIONAL_CREDENTIALS,
    SETTING_FIELDS,
    client_for,
)
from warehouse.models import (
    MARKETPLACES,
    ORDER_STATUSES,
    MarketplaceAccount,
    Product,
    Warehouse,
)
from warehouse.orders import statuses
from warehouse.stock import stock_sync
from warehouse.web import form_id
from warehouse.web.auth import supervisor_required
from warehouse.web.messages import account_field, account_problem, account_result, describe

bp = Blueprint("settings", __name__)
bp.before_request(supervisor_required(lambda: None))


@bp.get("/accounts")
def accounts_page():
    return _accounts_page()


def _accounts_page(
    error: DomainError | None = None, refused_form: str | int | None = None
) -> tuple[str, int]:
    """The cabinets and their forms; a refusal is said above them (422) and the refused
    form (a cabinet's id, or the kind being added) is shown open with what was typed."""
    s = db.session()
    page = render_template(
        "supervisor/accounts.html",
        accounts=s.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.id)).all(),
        kinds=MARKETPLACES,
        credential_fields=CREDENTIAL_FIELDS,
        optional_credentials=OPTIONAL_CREDENTIALS,
        setting_fields=SETTING_FIELDS,
        default_urls=DEFAULT_URLS,
        field_label=account_field,
        problem_words=account_problem,
        error=describe(error.code, error.params) if error else None,
        refused_form=refused_form,
        typed=request.form.to_dict() if refused_form is not None else {},
    )
    return page, (422 if error else 200)


@bp.post("/accounts")
def create_account():
    form = request.form
    warehouse = db.session().scalars(select(Warehouse).order_by(Warehouse.id)).first()
    try:
        accounts.create(
            db.session(),
            kind=form.get("kind", ""),
            name=form.get("name", ""),
            base_url=form.get("base_url", ""),
            warehouse_id=warehouse.id if warehouse else 0,
            fields=form.to_dict(),
            credentials_key=current_app.config["CREDENTIALS_KEY"],
        )
    except DomainError as refusal:
        return _accounts_page(refusal, form.get("kind", ""))
    db.session().commit()
    return redirect(url_for("settings.accounts_page"))


@bp.post("/accounts/<int:account_id>")
def edit_account(account_id: int):
    form = request.form
    try:
        accounts.update(
            db.session(),
            account_id,
            name=form.get("name", ""),
            base_url=form.get("base_url", ""),
            fields=form.to_dict(),
            credentials_key=current_app.config["CREDENTIALS_KEY"],
        )
    except NotFound:
        raise
    except DomainError as refusal:
        db.session().rollback()
        return _accounts_page(refusal, account_id)
    db.session().commit()
    return redirect(url_for("settings.accounts_page"))


@bp.get("/accounts/<int:account_id>/delivery-methods")
def delivery_methods(account_id: int):
    """The Ozon cabinet's delivery methods as a select for its edit form, asked when the
    form is opened; a text field and the reason in words when Ozon cannot list them."""
    account = accounts.get(db.session(), account_id)
    if account.kind != "ozon":
        raise NotFound("account_not_found")
    with client_for(account) as client:
        found = accounts.delivery_methods(account, client)
    return render_template(
        "supervisor/_delivery_method.html",
        found=found,
        chosen=request.args.get("chosen", ""),
        field_label=account_field,
        note=account_result(found.problem) if found.problem else "",
    )


@bp.post("/accounts/<int:account_id>/active")
def set_account_active(account_id: int):
    accounts.set_active(db.session(), account_id, request.form.get("active") == "1")
    db.session().commit()
    return redirect(url_for("settings.accounts_page"))


@bp.post("/accounts/<int:account_id>/delete")
def delete_account(account_id: int):
    try:
        accounts.delete(db.session(), account_id)
    except NotFound:
        raise
    except DomainError as refusal:
        return _accounts_page(refusal)
    db.session().commit()
    return redirect(url_for("settings.accounts_page"))


@bp.post("/accounts/<int:account_id>/test")
def test_account(account_id: int):
    account = accounts.get(db.session(), account_id)
    with client_for(account) as client:
        ok, code = accounts.check_connection(account, client)
    db.session().commit()
    return render_template("supervisor/_connection.html", ok=ok, message=account_result(code))


@bp.post("/accounts/<int:account_id>/cards")
def import_cards(account_id: int):
    accounts.get(db.session(), account_id)
    queue.enqueue_now("default", "warehouse.jobs.import_cards", account_id)
    return redirect(url_for("settings.cards_page"))


@bp.post("/accounts/<int:account_id>/resync")
def resync_stock(account_id: int):
    stock_sync.resync(db.session(), accounts.get(db.session(), account_id))
    db.session().commit()
    return redirect(url_for("settings.accounts_page"))


@bp.get("/cards")
def cards_page(error: str = "", status: int = 200):
    s = db.session()
    page = render_template(
        "supervisor/cards.html",
        unlinked=listings.unlinked(s),
        products=s.scalars(select(Product).order_by(Product.name)).all(),
        offer_accounts=s.scalars(
            select(MarketplaceAccount).where(MarketplaceAccount.kind == "megamarket")
        ).all(),
        error=error,
    )
    return page, status


@bp.post("/cards/megamarket/<int:account_id>")
def load_megamarket_offers(account_id: int):
    """Megamarket's offers from the file its cabinet exports (its API lists none)."""
    s = db.session()
    account = accounts.get(s, account_id)
    upload = request.files.get("file")
    try:
        text = upload.read().decode("utf-8-sig") if upload else ""
        result = megamarket_offers.load(s, account, text)
    except UnicodeDecodeError:
        return cards_page(describe("offers_not_utf8"), 422)
    except DomainError as refusal:
        s.rollback()
        return cards_page(describe(refusal.code, refusal.params), 422)
    s.commit()
    flash(
        describe(
            "offers_loaded",
            {"new": result.created, "linked": result.linked, "unlinked": result.unlinked},
        )
    )
    return redirect(url_for("settings.cards_page"))


@bp.post("/cards/<int:listing_id>/link")
def link_card(listing_id: int):
    listings.link(db.session(), listing_id, form_id("product_id"))
    db.session().commit()
    return redirect(url_for("settings.cards_page"))


@bp.get("/statuses")
def statuses_page():
    s = db.session()
    tables = {kind: statuses.mapping(s, kind) for kind in MARKETPLACES}
    return render_template("supervisor/statuses.html", tables=tables, order_statuses=ORDER_STATUSES)


@bp.post("/statuses")
def set_status():
    form = request.form
    statuses.set_override(
        db.session(), form.get("marketplace", ""), form.get("external", ""), form.get("status", "")
    )
    db.session().commit()
    return redirect(url_for("settings.statuses_page"))


@bp.post("/outbox/<int:command_id>/retry")
def retry_command(command_id: int):
    outbox.retry_failed(db.session(), command_id)
    db.session().commit()
    return redirect(url_for("supervisor.index"))
