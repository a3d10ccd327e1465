"""The supervisor's desk at /: every order of every marketplace, outbox and printers."""

from __future__ import annotations

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

from warehouse.errors import DomainError
from warehouse.floor import shortages
from warehouse.infra import db
from warehouse.labels import sscc
from warehouse.shift import desk
from warehouse.staff import access, users
from warehouse.web import security
from warehouse.web.auth import (
    current_user,
    ended_reason,
    log_in,
    supervisor_required,
    user_by_password,
)
from warehouse.web.label_printing import label_page
from warehouse.web.messages import describe

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
    orders = desk.recent_orders(s, request.args.get("status"))
    return render_template(
        "supervisor/index.html",
        counts=desk.order_counts(s),
        orders=orders,
        flags=desk.count_flags(s, orders),
        outbox=desk.outbox_problems(s),
        printers=desk.printers(s),
        failed_prints=desk.failed_print_jobs(s),
        accounts=desk.accounts(s),
        shortages=shortages.open_shortages(s),
    )


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
    status = request.args.get("status")
    s = db.session()
    orders = desk.recent_orders(s, status)
    return render_template(
        "supervisor/_orders.html",
        orders=orders,
        counts=desk.order_counts(s),
        flags=desk.count_flags(s, orders),
    )


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
