"""The supervisor's desk at /: every order of every marketplace, outbox and printers."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from warehouse import db, desk, shortages, sscc, users
from warehouse.web.auth import log_in, supervisor_required, user_by_password
from warehouse.web.label_printing import label_page
from warehouse.web.messages import describe

bp = Blueprint("supervisor", __name__)


@bp.get("/login")
def login():
    if not users.has_admin(db.session()):  # a fresh production start: create the first admin
        return redirect(url_for("users.setup"))
    return render_template("supervisor/login.html")


@bp.post("/login")
def login_post():
    user = user_by_password(request.form.get("login", ""), request.form.get("password", ""))
    if user is None or user.role not in ("supervisor", "admin"):
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
    return render_template(
        "supervisor/index.html",
        counts=desk.order_counts(s),
        orders=desk.recent_orders(s, request.args.get("status")),
        outbox=desk.outbox_problems(s),
        printers=desk.printers(s),
        failed_prints=desk.failed_print_jobs(s),
        accounts=desk.accounts(s),
        shortages=shortages.open_shortages(s),
    )


@bp.post("/shortages/<int:shortage_id>")
@supervisor_required
def resolve_shortage(shortage_id: int):
    shortages.resolve(db.session(), shortage_id, request.form.get("action", ""))
    db.session().commit()
    return redirect(url_for("supervisor.index"))


@bp.get("/orders")
@supervisor_required
def orders():
    status = request.args.get("status")
    s = db.session()
    return render_template(
        "supervisor/_orders.html", orders=desk.recent_orders(s, status), counts=desk.order_counts(s)
    )


@bp.get("/orders/<int:order_id>")
@supervisor_required
def order(order_id: int):
    s = db.session()
    page = desk.order_page(s, order_id)
    return label_page(
        "supervisor/order.html",
        page=page,
        ssccs=sscc.of_parcels(s, [parcel.id for parcel in page.parcels]),
        gs1=sscc.Gs1.from_config(current_app.config),
    )


@bp.get("/locations")
@supervisor_required
def locations():
    """Bins in walk order with their barcodes: a sheet to print or check labels against."""
    return label_page("supervisor/locations.html", rows=desk.locations(db.session()))


@bp.get("/badges")
@supervisor_required
def badges():
    """The pickers' badges as a sheet to print (cut out, laminate, scan to log in)."""
    return render_template("supervisor/badges.html", pickers=desk.pickers(db.session()))
