"""The way in: the first-run page (only while no admin exists) and the desk's staff pages
(supervisors: login + password; the ТСД's people: name, badge, PIN, one or more ТСД roles)
— create, edit, deactivate; a person's page: their roles, badge, PIN reset, «end the
session», history and figures. Every destructive form asks first (``data-confirm``) and
is kept as a staff event with who did it."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict

from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.models import User
from warehouse.models.work import ROLES, TSD_ROLES
from warehouse.shipping.handovers import today
from warehouse.staff import access, people, users
from warehouse.web.auth import current_user, log_in, supervisor_required
from warehouse.web.label_printing import label_page
from warehouse.web.messages import describe, role_label, roles_label

bp = Blueprint("users", __name__)


def user_form(form: MultiDict[str, str], role: str | None = None) -> users.UserForm:
    fields = ("name", "login", "password", "badge", "pin")
    roles = tuple(form.getlist("roles"))
    chosen = role or form.get("role", "") or (roles[0] if roles else "")
    return users.UserForm(role=chosen, roles=roles, **{k: form.get(k, "") for k in fields})


@bp.errorhandler(DomainError)
def refused(exc: DomainError):
    """A refusal on a staff page: that page again, the reason above it."""
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, users.Forbidden) else 422
    message = describe(exc.code, exc.params)
    user_id = (request.view_args or {}).get("user_id")
    if user_id is not None and not isinstance(exc, NotFound):
        try:
            return _person_page(user_id, message, status)
        except NotFound:  # refused before the person was looked for, and there is none
            pass
    return _page(message, status)


@bp.get("/setup")
def setup():
    if users.has_admin(db.session()):
        abort(404)
    return render_template("supervisor/setup.html")


@bp.post("/setup")
def setup_post():
    if users.has_admin(db.session()):
        abort(404)  # the page exists only until the first admin does
    form = request.form
    try:
        admin = users.create_first_admin(
            db.session(),
            user_form(form, role="admin"),
            warehouse_name=form.get("warehouse", ""),
            pin_secret=current_app.config["SECRET_KEY"],
        )
    except DomainError as refusal:
        error = describe(refusal.code, refusal.params)
        return render_template("supervisor/setup.html", error=error, form=form), 422
    db.session().commit()
    log_in(admin)
    return redirect(url_for("supervisor.index"))


@bp.get("/users")
@supervisor_required
def users_page():
    return _page()


def _page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    me = current_user()
    page = render_template(
        "supervisor/users.html",
        people=users.listing(db.session()),
        roles=[role for role in ROLES if users.may_manage(me, role)],
        tsd_roles=TSD_ROLES,
        may_manage=lambda role: users.may_manage(me, role),
        role_label=role_label,
        roles_label=roles_label,
        error=error,
    )
    return page, status


@bp.post("/users")
@supervisor_required
def create_user():
    users.create(
        db.session(),
        user_form(request.form),
        by=current_user(),
        pin_secret=current_app.config["SECRET_KEY"],
    )
    db.session().commit()
    return redirect(url_for("users.users_page"))


@bp.post("/users/<int:user_id>")
@supervisor_required
def edit_user(user_id: int):
    secret = current_app.config["SECRET_KEY"]
    users.update(db.session(), user_id, user_form(request.form), by=_me(), pin_secret=secret)
    db.session().commit()
    return redirect(_back(user_id))


@bp.post("/users/<int:user_id>/active")
@supervisor_required
def set_user_active(user_id: int):
    users.set_active(db.session(), user_id, request.form.get("active") == "1", by=_me())
    db.session().commit()
    return redirect(_back(user_id))


# --- one person ---------------------------------------------------------------------------


@bp.get("/users/<int:user_id>")
@supervisor_required
def person(user_id: int):
    return _person_page(user_id)


def _person_page(user_id: int, error: str = "", status: int = 200) -> tuple[str, int]:
    s = db.session()
    found = users.get(s, user_id)
    args = request.args
    try:
        chosen = people.period(args.get("day", ""), args.get("span", "day"), today())
    except DomainError as exc:
        chosen, error, status = people.Period(today()), describe(exc.code), 422
    page = label_page(
        "supervisor/person.html",
        person=found,
        manage=users.may_manage(_me(), found.role),
        on_tsd=found.role in TSD_ROLES,
        tsd_roles=TSD_ROLES,
        role_label=role_label,
        roles_label=roles_label,
        work=access.tsd_work(found) + (["desk"] if access.may(found, "desk") else []),
        figures=people.figures(s, found.id, chosen),
        history=people.history(s, found.id, args.get("page", 0, type=int)),
        describe=describe,
        error=error,
    )
    return page, status


@bp.post("/users/<int:user_id>/roles")
@supervisor_required
def set_roles(user_id: int):
    users.set_roles(db.session(), user_id, request.form.getlist("roles"), by=_me())
    db.session().commit()
    return redirect(_person(user_id))


@bp.post("/users/<int:user_id>/pin")
@supervisor_required
def reset_pin(user_id: int):
    """«Сбросить PIN»: a new PIN typed by the desk; the person's sessions end."""
    secret = current_app.config["SECRET_KEY"]
    found = users.reset_pin(
        db.session(), user_id, request.form.get("pin", ""), by=_me(), pin_secret=secret
    )
    db.session().commit()
    flash(describe("pin_reset_done", {"name": found.name}))
    return redirect(_person(user_id))


@bp.post("/users/<int:user_id>/sessions/end")
@supervisor_required
def end_sessions(user_id: int):
    """«Завершить сеанс»: the person's ТСД (or desk) shows the login page at its next
    request, with who ended the session and when."""
    found = users.end_sessions(db.session(), user_id, by=_me())
    db.session().commit()
    flash(describe("sessions_ended_done", {"name": found.name}))
    return redirect(_person(user_id))


def _me() -> User:
    me = current_user()
    assert me is not None  # supervisor_required ran first
    return me


def _person(user_id: int) -> str:
    return url_for("users.person", user_id=user_id)


def _back(user_id: int) -> str:
    """Back to the page the form was on: the person's, or the staff list."""
    if request.form.get("back") == "person":
        return _person(user_id)
    return url_for("users.users_page")
