"""The supervisor's desk at /: every order of every marketplace, outbox and printers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.orm import Session

from warehouse.alerts import bot as alert_bot
from warehouse.errors import DomainError
from warehouse.floor import shortages
from warehouse.infra import db
from warehouse.labels import sscc
from warehouse.models import ORDER_STATUSES
from warehouse.shift import desk, order_timeline, orders_window
from warehouse.shipping.handovers import LOCAL
from warehouse.staff import access, users
from warehouse.web import security
from warehouse.web.auth import (
    current_user,
    ended_reason,
    log_in,
    supervisor_required,
    user_by_password,
)
from warehouse.web.htmx import htmx
from warehouse.web.label_printing import label_page
from warehouse.web.messages import bot_problem, describe

bp = Blueprint("supervisor", __name__)


@bp.get("/login")
def login():
    if not users.has_admin(db.session()):  # a fresh production start: create the first admin
        return redirect(url_for("users.setup"))
    ended = ended_reason()  # the desk ended this session: say who and when
    me = current_user()  # a ТСД person's session on this PC: the desk needs another login
    on_tsd = me is not None and not access.may(me, "desk")
    elsewhere = on_tsd and describe("desk_needs_login", {"name": me.name if me else ""})
    return render_template(
        "supervisor/login.html", ended=ended and describe(*ended), elsewhere=elsewhere
    )


@bp.post("/login")
@security.limiter.limit(security.per_device, deduct_when=security.failed)
@security.limiter.limit(
    security.per_person,
    key_func=lambda: "login:" + request.form.get("login", "").strip().lower()[:64],
    deduct_when=security.failed,
)
def login_post():
    user = user_by_password(request.form.get("login", ""), request.form.get("password", ""))
    if user is None or not access.may(user, "desk"):
        return render_template("supervisor/login.html", error=describe("bad_login")), 422
    log_in(user)
    return redirect(url_for("supervisor.index"))


@bp.post("/logout")
def logout():
    session.pop("user_id", None)
    return redirect(url_for("supervisor.login"))


@bp.get("/")
@supervisor_required
def index():
    s = db.session()
    window = _window()
    return render_template(
        "supervisor/index.html",
        window=window,
        flags=desk.count_flags(s, [row.order for row in window.rows]),
        statuses=ORDER_STATUSES,
        problems=orders_window.PROBLEMS,
        counts=desk.order_counts(s),
        outbox=desk.outbox_problems(s),
        printers=desk.printers(s),
        failed_prints=desk.failed_print_jobs(s),
        accounts=desk.accounts(s),
        shortages=shortages.open_shortages(s),
        alert_problem=_alert_problem(s),
    )


def _alert_problem(s: Session) -> str:
    """Why alerts to Telegram stopped (a refused token or chat), in words; "" if they go."""
    bot = alert_bot.get(s)
    return bot_problem(bot.problem) if bot is not None and bot.stopped else ""


@bp.post("/shortages/<int:shortage_id>")
@supervisor_required
def resolve_shortage(shortage_id: int):
    """«Собрать из других ячеек» / «Отменить заказ»: answered on the order's page."""
    s = db.session()
    order_id = shortages.order_of(s, shortage_id)
    try:
        shortage = shortages.resolve(s, shortage_id, request.form.get("action", ""))
    except DomainError as exc:
        s.rollback()
        return _order_page(order_id, error=describe(exc.code, exc.params)), 422
    s.commit()
    flash(describe(f"shortage_{shortage.status}", {}))
    return redirect(url_for("supervisor.order", order_id=order_id))


@bp.post("/shortages/<int:shortage_id>/count")
@supervisor_required
def count_shortage_bin(shortage_id: int):
    """The shortage's bin was counted: the suspected shortage is confirmed or corrected."""
    s = db.session()
    order_id = shortages.order_of(s, shortage_id)
    counted = request.form.get("counted", type=int)
    user = current_user()
    assert user is not None
    try:
        shortages.record_count(s, shortage_id, -1 if counted is None else counted, user)
    except DomainError as exc:
        s.rollback()
        return _order_page(order_id, error=describe(exc.code, exc.params)), 422
    bin_ = shortages.bin_of(s, shortage_id)
    s.commit()
    flash(describe("count_recorded", {"bin": bin_, "counted": counted}))
    return redirect(url_for("supervisor.order", order_id=order_id))


@bp.get("/orders")
@supervisor_required
def orders():
    """The orders window's list alone (htmx: the filters changed, a page turned, or the
    list's own refresh); the address bar shows the desk's own link to the same view."""
    window = _window()
    page_url = url_for("supervisor.index", **dict[str, Any](_query(window)))
    return (
        render_template(
            "supervisor/_orders.html",
            window=window,
            counts=desk.order_counts(db.session()),
            flags=desk.count_flags(db.session(), [row.order for row in window.rows]),
        ),
        {"HX-Push-Url": page_url} if request.headers.get("HX-Trigger") != "orders" else {},
    )


def _window() -> orders_window.Page:
    """The orders window the query string asks for (filters, then the page's cursor)."""
    filters = orders_window.read_filters(request.args)
    return orders_window.page(
        db.session(),
        filters,
        orders_window.read_cursor(request.args),
        at_risk_hours=current_app.config["ORDERS_AT_RISK_HOURS"],
        size=current_app.config["ORDERS_PAGE_SIZE"],
    )


def _query(window: orders_window.Page) -> dict[str, str]:
    """The window's filters and, past the first page, its cursor: the link to this view."""
    query = window.filters.query()
    if not window.first and request.args.get("after"):
        query["after"] = request.args["after"]
    return query


@bp.errorhandler(orders_window.BadFilter)
def bad_filter(exc: orders_window.BadFilter):
    """A hand-edited or broken link: 400 in words, naming what could not be read."""
    message = describe(exc.code, exc.params)
    if htmx:
        return render_template("_error.html", message=message), 400
    back = url_for("supervisor.index")
    page = render_template("supervisor/error.html", message=message, status=400, back=back)
    return page, 400


@bp.app_template_filter("deadline")
def deadline(moment: datetime | None, with_year: bool = False) -> str:
    """A ship-by moment as the desk reads it: Moscow day and minute (the marketplaces'
    days; the database keeps UTC)."""
    if moment is None:
        return "—"
    return moment.astimezone(LOCAL).strftime("%d.%m.%Y %H:%M" if with_year else "%d.%m %H:%M")


@bp.app_template_global("orders_url")
def orders_url(endpoint: str, window: orders_window.Page, **changes: str) -> str:
    """A link to the window with some filters changed (``after=""`` drops the cursor)."""
    query: dict[str, Any] = {**_query(window), **changes}
    return url_for(endpoint, **{name: value for name, value in query.items() if value})


@bp.get("/orders/<int:order_id>")
@supervisor_required
def order(order_id: int):
    return _order_page(order_id)


def _order_page(order_id: int, error: str = "") -> str:
    s = db.session()
    page = desk.order_page(s, order_id)
    return label_page(
        "supervisor/order.html",
        page=page,
        partial_cancel=shortages.PARTIAL_CANCEL,
        ssccs=sscc.of_parcels(s, [parcel.id for parcel in page.parcels]),
        gs1=sscc.Gs1.from_config(current_app.config),
        timeline=order_timeline.of(s, order_id),
        error=error,
    )


@bp.get("/locations")
@supervisor_required
def locations():
    """Bins in walk order with their barcodes: a sheet to print or check labels against."""
    return label_page("supervisor/locations.html", rows=desk.locations(db.session()))


@bp.get("/badges")
@supervisor_required
def badges():
    """The badges of the ТСД's people (and of whoever the viewer manages) as a sheet to print
    (cut out, laminate, scan to log in); one person's badge goes to a Zebra from their page."""
    me = current_user()
    badges = [p for p in desk.pickers(db.session()) if users.may_manage(me, p.role)]
    return render_template("supervisor/badges.html", people=badges)
