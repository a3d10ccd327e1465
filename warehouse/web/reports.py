"""The desk's reports: each shown on its page (its chart and its tables, the first rows of
each) for the parameters in the address, and made as an XLSX or CSV file in the
background for download, with its progress polled; the marketplaces' sales statistics
and realization reports read on request (and by cron)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import select

from warehouse.accounting import owed
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db, queue
from warehouse.models import AccountingAccount, CommissionReport, MarketplaceAccount, User
from warehouse.reports import commissioner, periods, realization_files, reorder, runs, sales
from warehouse.reports.tables import Report, shown
from warehouse.web import form_id
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.downloads import attachment
from warehouse.web.messages import describe

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(supervisor_required(lambda: None))

KINDS = ("stock", "work", "sales", "commissioner", "profit", "reorder")
# the report page a form of its own belongs to (a refusal is shown there)
PAGE_OF = {
    "reports.read_commission": "commissioner",
    "reports.load_commission_file": "commissioner",
    "reports.read_sales": "sales",
    "reports.send_purchase_order": "reorder",
}
SHOWN_ROWS = 200  # per table on the page; the file holds them all
# what each report's form asks (the same names its ``parse`` reads)
FIELDS = {
    "stock": ("day",),
    "work": ("start", "end"),
    "sales": ("start", "end", "account_id"),
    "commissioner": ("start", "end", "account_id"),
    "profit": ("start", "end", "account_id"),
    "reorder": ("lead_days", "cover_days", "history_days"),
}


READ_TIMEOUT = 1800  # as warehouse.jobs.READ_TIMEOUT (the web layer does not import jobs)


class QueueAway(Exception):
    def __init__(self) -> None:
        super().__init__("the job queue (Redis) does not answer: ask again in a minute")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


@bp.errorhandler(DomainError)
def refused(exc: DomainError):
    db.session().rollback()
    message = describe(exc.code, exc.params)
    if isinstance(exc, NotFound):
        return render_template("_error.html", message=message), 404
    kind = (request.view_args or {}).get("kind", "") or PAGE_OF.get(request.endpoint or "", "")
    if kind in KINDS:
        return _page(kind, error=message, status=422)
    return _index(error=message, status=422)


def _form() -> dict[str, str]:
    source = request.form if request.method == "POST" else request.args
    return {
        name: source.get(name, "")[:40]
        for name in ("day", "start", "end", "account_id", "lead_days", "cover_days", "history_days")
    }


# --- the list of reports -----------------------------------------------------------------


@bp.get("/")
def index():
    return _index()


def _index(error: str = "", status: int = 200):
    s = db.session()
    body = render_template(
        "supervisor/reports.html",
        kinds=KINDS,
        sales_reads=sales.reads(s),
        recent=runs.recent(s, limit=20),
        error=error,
    )
    return body, status


# --- one report --------------------------------------------------------------------------


@bp.get("/<kind>")
def report_page(kind: str):
    if kind not in KINDS:
        raise NotFound("report_not_found", kind=kind[:40])
    return _page(kind)


def _page(kind: str, error: str = "", status: int = 200):
    s = db.session()
    form = _form()
    report: Report | None = None
    params: dict[str, Any] = {}
    if not error:
        try:
            params = runs.KINDS[kind][0](s, form)
            report = runs.KINDS[kind][1](s, params, lambda _p, _s: None)
        except DomainError as exc:
            s.rollback()
            error = describe(exc.code, exc.params)
    accounts = list(s.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.name)))
    body = render_template(
        "supervisor/report.html",
        kind=kind,
        form=form,
        fields=FIELDS[kind],
        params=params,
        report=report,
        shown_rows=SHOWN_ROWS,
        accounts=accounts,
        runs=runs.recent(s, kind),
        commission=_commission_state(s, params) if kind == "commissioner" else [],
        no_api=[a for a in accounts if not commissioner.readable(a)],
        file_fields=realization_files.FIELDS,
        remembered={a.id: realization_files.columns_of(a) for a in accounts},
        accounting=_accounting(s) if kind == "reorder" else [],
        sales_reads=sales.reads(s) if kind == "sales" else [],
        error=error,
    )
    return body, status


def _accounting(s) -> list[AccountingAccount]:
    return list(
        s.scalars(
            select(AccountingAccount)
            .where(AccountingAccount.active.is_(True))
            .order_by(AccountingAccount.name)
        )
    )


def _commission_state(s, params: dict[str, Any]) -> list[tuple[CommissionReport, int]]:
    """Each cabinet's report for the period and its lines (counted, not loaded)."""
    if "start" not in params:
        return []
    found = commissioner.reports(s, periods.of(params))
    counts = commissioner.line_counts(s, [report.id for report in found])
    return [(report, counts.get(report.id, 0)) for report in found]


@bp.post("/<kind>/files")
def ask_file(kind: str):
    s = db.session()
    form = _form()
    lang = str(get_locale() or "ru")
    run = runs.ask(s, kind, request.form.get("fmt", "xlsx"), form, _user(), lang)
    s.commit()
    flash(describe("report_file_asked", {"id": run.id}))
    return redirect(url_for("reports.report_page", kind=kind, **_kept(form)), 303)


def _kept(form: dict[str, str]) -> dict[str, Any]:
    return {name: value for name, value in form.items() if value}


@bp.get("/<kind>/files")
def file_rows(kind: str):
    """The report's files, polled while one is being made."""
    if kind not in KINDS:
        raise NotFound("report_not_found", kind=kind[:40])
    return render_template(
        "supervisor/_report_runs.html", kind=kind, runs=runs.recent(db.session(), kind)
    )


@bp.get("/files/<int:run_id>")
def download(run_id: int):
    run = runs.get(db.session(), run_id)
    if run.status != "done" or run.content is None:
        raise NotFound("report_run_not_ready", id=run_id)
    return attachment(run.content, run.file_name)


@bp.post("/files/<int:run_id>/delete")
def delete_file(run_id: int):
    s = db.session()
    run = runs.get(s, run_id)
    kind = run.kind
    runs.remove(s, run_id)
    s.commit()
    flash(describe("report_file_removed", {"id": run_id}))
    return redirect(url_for("reports.report_page", kind=kind), 303)


# --- reading the marketplaces ---------------------------------------------------------------


@bp.post("/commissioner/read")
def read_commission():
    """Ask each cabinet's marketplace (or the chosen one's) for its realization report."""
    s = db.session()
    form = _form()
    period = periods.period(form, month=True)
    chosen = periods.account_id(s, form)
    query = select(MarketplaceAccount).where(MarketplaceAccount.callable_clause())
    if chosen is not None:
        query = query.where(MarketplaceAccount.id == chosen)
    asked = [account for account in s.scalars(query) if commissioner.readable(account)]
    for account in asked:
        commissioner.ask(s, account, period)
    s.commit()
    for account in asked:
        start, end = period.start.isoformat(), period.end.isoformat()
        if not queue.enqueue_now(
            "default",
            "warehouse.jobs.read_commission_report",
            account.id,
            start,
            end,
            job_id=f"realization-{account.id}-{start}-{end}",
            job_timeout=READ_TIMEOUT,
        ):
            commissioner.record_failure(s, account, period, QueueAway())
    s.commit()
    flash(describe("commission_reads_asked", {"count": len(asked)}))
    return redirect(url_for("reports.report_page", kind="commissioner", **_kept(form)), 303)


@bp.post("/commissioner/file")
def load_commission_file():
    """A cabinet's realization report from the marketplace's own file (its API has none)."""
    s = db.session()
    form = _form()
    period = periods.period(form, month=True)
    account = s.get(MarketplaceAccount, form_id("account_id"))
    if account is None:
        raise DomainError("report_no_account")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError("realization_file_none")
    columns = realization_files.form_columns(request.form)
    report = realization_files.load(s, account, period, upload.filename, upload.read(), columns)
    s.commit()
    flash(describe("realization_file_loaded", {"lines": len(report.lines), "name": account.name}))
    return redirect(url_for("reports.report_page", kind="commissioner", **_kept(form)), 303)


@bp.post("/sales/read")
def read_sales():
    s = db.session()
    ids = list(s.scalars(select(MarketplaceAccount.id).where(MarketplaceAccount.callable_clause())))
    for account_id in ids:
        queue.enqueue_now(
            "default",
            "warehouse.jobs.read_sales",
            account_id,
            job_id=f"sales-{account_id}",
            job_timeout=READ_TIMEOUT,
        )
    flash(describe("sales_reads_asked", {"count": len(ids)}))
    return redirect(url_for("reports.report_page", kind="sales", **_kept(_form())), 303)


@bp.post("/reorder/purchase-order")
def send_purchase_order():
    """«What to order next» as a Заказ поставщику in МойСклад, through the outbox."""
    s = db.session()
    form = _form()
    params = reorder.parse(s, form)
    account = s.get(AccountingAccount, form_id("accounting_account_id"))
    if account is None:
        raise DomainError("purchase_order_no_account")
    lines = [
        {"product": p.id, "article": p.article, "quantity": needed, "price": p.cost_price or 0}
        for p, *_figures, needed in reorder.suggestions(s, params)
        if needed > 0
    ]
    document = owed.purchase_order(s, account, lines, request.form.get("request_id", ""))
    s.commit()
    words = {"id": document.id, "lines": len(lines), "account": account.name}
    flash(describe("purchase_order_owed", words))
    return redirect(url_for("reports.report_page", kind="reorder", **_kept(form)), 303)


@bp.app_template_filter("report_cell")
def report_cell(value: Any, kind: str) -> str:
    return shown(value, kind)
