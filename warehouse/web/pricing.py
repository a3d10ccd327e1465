"""The desk's prices: price lists per marketplace account, their documents (drafted from a
file or a rule, held by the guards until confirmed, applied now or at a planned time) and
what each marketplace answered and shows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.catalog import catalogue_files, new_cards
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.models import Listing, MarketplaceAccount, PriceList, Product, User
from warehouse.pricing import documents, lists, price_files, push, rules, showcase
from warehouse.shipping.handovers import LOCAL
from warehouse.web import MAX_ID, form_id
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.downloads import attachment
from warehouse.web.messages import describe
from warehouse.web.price_words import refusal_lines

bp = Blueprint("pricing", __name__, url_prefix="/prices")
bp.before_request(supervisor_required(lambda: None))

MAX_PAGE = 10_000  # 2,000,000 cards: an OFFSET beyond is no page of ours


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


@bp.errorhandler(DomainError)
def refused(exc: DomainError):
    """A refusal: the page the form came from, with the reason above it and nothing of the
    form's change kept; a list or document that is not there: 404."""
    db.session().rollback()
    if isinstance(exc, NotFound):
        return render_template("_error.html", message=describe(exc.code, exc.params)), 404
    lines = refusal_lines(exc.refusals) if isinstance(exc, price_files.FileRefused) else []
    error = describe(exc.code, exc.params)
    view = request.view_args or {}
    try:
        if "document_id" in view:
            return _document_page(view["document_id"], error, lines, 422)
        if "list_id" in view:
            return _list_page(view["list_id"], error, lines, 422)
    except NotFound as missing:  # refused before the view looked (bad input to a wrong id)
        return render_template("_error.html", message=describe(missing.code, missing.params)), 404
    return _overview(error, 422)


def _done(message: str, target: str) -> Response:
    db.session().commit()
    flash(message)
    return redirect(target)  # type: ignore[return-value]


# --- the overview ------------------------------------------------------------------------


def _overview(error: str = "", status: int = 200):
    s = db.session()
    accounts = s.query(MarketplaceAccount).order_by(MarketplaceAccount.name).all()
    body = render_template(
        "supervisor/prices.html",
        summaries=lists.summaries(s),
        accounts=accounts,
        upcoming=documents.upcoming(s),
        recent=lists.documents_of(s),
        error=error,
    )
    return body, status


@bp.get("/")
def prices_page():
    return _overview()


@bp.post("/lists")
def create_list():
    s = db.session()
    account = s.get(MarketplaceAccount, form_id("account_id"))
    if account is None:
        raise DomainError("price_list_no_account")
    plist = lists.create(s, account, request.form.get("name", ""), **_figures())
    return _done(
        describe("price_list_created", {"name": plist.name}),
        url_for("pricing.list_page", list_id=plist.id),
    )


def _figures() -> dict[str, int]:
    try:
        commission = Decimal(request.form.get("commission", "0").replace(",", ".") or "0")
        change = int(request.form.get("max_change", "20") or 0)
    except (InvalidOperation, ValueError):
        raise DomainError("price_list_bad_figures") from None
    if not commission.is_finite() or not 0 <= commission < 100:
        raise DomainError("price_list_bad_figures")
    logistics = price_files.kopecks(request.form.get("logistics", ""), "logistics", zero=True)
    return {
        "commission_bp": int(commission * 100),
        "logistics": logistics or 0,
        "max_change_percent": change,
    }


# --- one list ----------------------------------------------------------------------------


def _list_page(list_id: int, error: str = "", refusals: list[str] | None = None, status=200):
    s = db.session()
    plist = documents.price_list(s, list_id)
    show = request.args.get("show", "all")
    if show not in lists.FILTERS:
        show = "all"
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    text = request.args.get("q", "")[:100]
    rows, more = lists.rows(s, plist, show, text, page)
    body = render_template(
        "supervisor/price_list.html",
        plist=plist,
        rows=rows,
        more=more,
        show=show,
        filters=lists.FILTERS,
        text=text,
        page=page,
        floor=lambda cost: documents.guards.floor(cost, plist),
        categories=rules.categories(s),
        endings=rules.ENDINGS,
        documents=lists.documents_of(s, plist),
        card_requests=new_cards.requests_of(s, plist.account_id),
        error=error,
        refusals=refusals or [],
    )
    return body, status


@bp.get("/lists/<int:list_id>")
def list_page(list_id: int):
    return _list_page(list_id)


@bp.post("/lists/<int:list_id>")
def save_list(list_id: int):
    plist = documents.price_list(db.session(), list_id)
    lists.set_figures(plist, **_figures())
    return _done(
        describe("price_list_saved", {"name": plist.name}),
        url_for("pricing.list_page", list_id=plist.id),
    )


@bp.post("/lists/<int:list_id>/import")
def import_file(list_id: int):
    s = db.session()
    plist = documents.price_list(s, list_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError("price_file_missing")
    data = upload.read(catalogue_files.MAX_BYTES + 1)
    doc = price_files.draft_from_file(s, plist, upload.filename, data, _user())
    return _done(
        describe("price_document_drafted", {"id": doc.id, "lines": len(doc.lines)}),
        url_for("pricing.document_page", document_id=doc.id),
    )


@bp.get("/lists/<int:list_id>/export.<fmt>")
def export(list_id: int, fmt: str):
    if fmt not in catalogue_files.FORMATS:
        abort(404)
    plist = documents.price_list(db.session(), list_id)
    data = price_files.export(db.session(), plist, fmt)
    return attachment(data, f"prices-{plist.id}.{fmt}")


@bp.post("/lists/<int:list_id>/rule")
def rule(list_id: int):
    s = db.session()
    plist = documents.price_list(s, list_id)
    try:
        markup = int(request.form.get("markup", ""))
        discount = int(request.form.get("discount", "0") or 0)
    except ValueError:
        raise DomainError("price_bad_markup") from None
    made = rules.Rule(
        markup_percent=markup,
        ending=request.form.get("ending", ""),
        discount_percent=discount,
        category=request.form.get("category", ""),
        product_ids=rules.products_by_article(s, request.form.get("articles", "")),
    )
    doc = rules.draft(s, plist, made, _user(), request.form.get("reason", ""))
    return _done(
        describe("price_document_drafted", {"id": doc.id, "lines": len(doc.lines)}),
        url_for("pricing.document_page", document_id=doc.id),
    )


@bp.post("/lists/<int:list_id>/one")
def price_one(list_id: int):
    """One product's (or one card's) new price from the desk: a document like any other."""
    s = db.session()
    plist = documents.price_list(s, list_id)
    card = request.form.get("card", "").strip()[:100]
    values = {
        "sku" if _is_sku(s, plist, card) else "article": card,
        "price": request.form.get("price", ""),
        "old_price": request.form.get("old_price", ""),
        "discount": request.form.get("discount", ""),
        "min_price": request.form.get("min_price", ""),
    }
    doc = price_files.draft_one(s, plist, values, _user(), request.form.get("reason", ""))
    return _done(
        describe("price_document_drafted", {"id": doc.id, "lines": len(doc.lines)}),
        url_for("pricing.document_page", document_id=doc.id),
    )


def _is_sku(s: Session, plist: PriceList, card: str) -> bool:
    """Whether a typed key is one of the account's card SKUs (else it is an article)."""
    found = select(Listing.id).where(Listing.account_id == plist.account_id, Listing.sku == card)
    return s.scalar(found) is not None


@bp.post("/lists/<int:list_id>/read")
def read_back(list_id: int):
    """Ask the marketplace what it shows now (the outbox's ``read_prices``)."""
    plist = documents.price_list(db.session(), list_id)
    push.queue(db.session(), plist.account, push.READ_KIND, delay=0)
    return _done(describe("price_read_queued"), url_for("pricing.list_page", list_id=list_id))


@bp.post("/lists/<int:list_id>/showcase")
def set_showcase(list_id: int):
    """Cards off the marketplace's showcase, or back on it."""
    s = db.session()
    plist = documents.price_list(s, list_id)
    ids = _ids(request.form.getlist("listing"))
    hidden = request.form.get("hidden") == "1"
    count = showcase.set_hidden(s, plist.account, ids, hidden)
    code = "showcase_hidden" if hidden else "showcase_shown"
    back = url_for(
        "pricing.list_page",
        list_id=list_id,
        show=request.args.get("show", "all"),
        q=request.args.get("q", ""),
    )
    return _done(describe(code, {"count": count}), back)


@bp.post("/lists/<int:list_id>/cards")
def ask_card(list_id: int):
    """A new Wildberries card from one of our products (the content API)."""
    s = db.session()
    plist = documents.price_list(s, list_id)
    article = request.form.get("article", "").strip()
    product = s.scalar(select(Product).where(Product.article == article))
    if product is None:
        raise DomainError("card_no_product", article=article[:100])
    subject = request.form.get("subject_id", "").strip()[:9]  # WB subject ids are small
    price = price_files.kopecks(request.form.get("price", ""), "price")
    card = new_cards.ask(
        s,
        plist.account,
        product,
        subject_id=int(subject) if subject.isdecimal() else 0,
        brand=request.form.get("brand", ""),
        description=request.form.get("description", ""),
        price=price or 0,
        user=_user(),
    )
    words = describe("card_asked_now", {"article": card.vendor_code})
    return _done(words, url_for("pricing.list_page", list_id=list_id) + "#cards")


# --- one document ------------------------------------------------------------------------


def _document_page(document_id: int, error: str = "", refusals=None, status: int = 200):
    s = db.session()
    doc = documents.document(s, document_id)
    body = render_template(
        "supervisor/price_document.html",
        doc=doc,
        plist=doc.price_list,
        waiting=[line for line in doc.lines if line.waits],
        current=documents.current_prices(
            s, doc.price_list.account_id, [line.listing_id for line in doc.lines]
        ),
        change=documents.guards.change_percent,
        error=error,
        refusals=refusals or [],
    )
    return body, status


@bp.get("/documents/<int:document_id>")
def document_page(document_id: int):
    return _document_page(document_id)


@bp.post("/documents/<int:document_id>/submit")
def submit(document_id: int):
    s = db.session()
    doc = documents.document(s, document_id)
    when = request.form.get("when", "now")
    run_at, restore_at = _moment("run_at"), _moment("restore_at")
    weekly = request.form.get("weekly") == "on"
    if when == "now" and (run_at or restore_at or weekly):
        raise DomainError("price_now_with_times")  # a time typed and «now» ticked: ask
    if when == "later" and run_at is None:
        raise DomainError("price_repeat_needs_time")
    back = documents.submit(
        s,
        doc,
        _user(),
        run_at=run_at,
        repeat_days=7 if weekly else None,
        restore_at=restore_at,
    )
    code = {"held": "price_document_held", "scheduled": "price_document_scheduled"}.get(
        doc.status, "price_document_applied"
    )
    words = describe(code, {"id": doc.id})
    if back is not None:
        words += " " + describe("price_document_restore", {"id": back.id})
    return _done(words, url_for("pricing.document_page", document_id=doc.id))


def _ids(values: list[str]) -> list[int]:
    """Row ids from a form's checkboxes; anything not a row id of ours is left out."""
    return [int(v) for v in values if v.isdecimal() and len(v) <= 10 and int(v) <= MAX_ID]


def _moment(field: str) -> datetime | None:
    """A datetime-local field (Moscow time) as UTC; blank is None."""
    raw = request.form.get(field, "").strip()
    if not raw:
        return None
    try:
        local = datetime.fromisoformat(raw)
        if local.tzinfo is None:
            local = local.replace(tzinfo=LOCAL)
        moment = local.astimezone(UTC)
    except (ValueError, OverflowError):
        raise DomainError("price_bad_time", value=raw[:40]) from None
    if not 2000 <= moment.year <= 2999:
        raise DomainError("price_bad_time", value=raw[:40])
    return moment


@bp.post("/documents/<int:document_id>/confirm")
def confirm(document_id: int):
    s = db.session()
    doc = documents.document(s, document_id)
    wanted = _ids(request.form.getlist("line"))
    if request.form.get("all") == "1":
        wanted = [line.id for line in doc.lines if line.waits]
    if not wanted:
        raise DomainError("price_confirm_nothing")
    still = documents.confirm(s, doc, wanted, _user())
    words = describe("price_lines_confirmed", {"count": len(wanted), "still": still})
    return _done(words, url_for("pricing.document_page", document_id=doc.id))


@bp.post("/documents/<int:document_id>/cancel")
def cancel(document_id: int):
    s = db.session()
    doc = documents.document(s, document_id)
    documents.cancel(s, doc)
    return _done(
        describe("price_document_cancelled", {"id": doc.id}),
        url_for("pricing.document_page", document_id=doc.id),
    )
