"""The way in: the first-run page (only while no admin exists) and the desk's staff page
(supervisors: login + password; pickers: name, badge, PIN) — create, edit, deactivate."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.models.work import ROLES
from warehouse.staff import users
from warehouse.web.auth import current_user, log_in, supervisor_required
from warehouse.web.messages import describe, role_label

bp = Blueprint("users", __name__)


def user_form(form: MultiDict[str, str], role: str | None = None) -> users.UserForm:
    fields = ("name", "login", "password", "badge", "pin")
    return users.UserForm(role=role or form.get("role", ""), **{k: form.get(k, "") for k in fields})


@bp.errorhandler(DomainError)
def refused(exc: DomainError):
    """A refusal on the staff page: the page again, the reason above it."""
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, users.Forbidden) else 422
    return _page(describe(exc.code, exc.params), status)


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
        may_manage=lambda role: users.may_manage(me, role),
        role_label=role_label,
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
    me = current_user()
    assert me is not None
    secret = current_app.config["SECRET_KEY"]
    users.update(db.session(), user_id, user_form(request.form), by=me, pin_secret=secret)
    db.session().commit()
    return redirect(url_for("users.users_page"))


@bp.post("/users/<int:user_id>/active")
@supervisor_required
def set_user_active(user_id: int):
    me = current_user()
    assert me is not None
    users.set_active(db.session(), user_id, request.form.get("active") == "1", by=me)
    db.session().commit()
    return redirect(url_for("users.users_page"))
