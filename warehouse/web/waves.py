"""Waves on the desk (/waves): build a wave by rules or from ticked orders (a preview first,
nothing written), assign its batches and tasks to pickers, take work off a picker, cancel
a wave. Taking work in progress off someone and cancelling ask first and are logged with
who did it (warehouse.floor.waves)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from warehouse.errors import DomainError, NotFound
from warehouse.floor import waves
from warehouse.infra import db
from warehouse.models import (
    MARKETPLACES,
    MarketplaceAccount,
    PickBatch,
    PickTask,
    Warehouse,
    Wave,
)
from warehouse.shift import desk
from warehouse.shipping.handovers import LOCAL
from warehouse.web import messages
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.messages import describe

bp = Blueprint("waves", __name__, url_prefix="/waves")
FREE_SHOWN = 300  # orders listed to tick on the build form


@bp.get("/")
@supervisor_required
def waves_page() -> str:
    return _page()


def _page(error: str = "", form: dict[str, Any] | None = None) -> str:
    s = db.session()
    return render_template(
        "supervisor/waves.html",
        waves=waves.waves(s),
        free=waves.free_tasks(s, waves.Rules(limit=FREE_SHOWN)),
        error=error,
        form=form or {},
        ticked={int(v) for v in request.form.getlist("order") if v.isdecimal()},
        **_choices(),
    )


def _choices() -> dict[str, Any]:
    """What the rules' selects offer, and the names the rules are said in."""
    s = db.session()
    accounts = list(s.scalars(select(MarketplaceAccount).order_by(MarketplaceAccount.id)))
    warehouses = list(s.scalars(select(Warehouse).where(Warehouse.active.is_(True))))
    return {
        "marketplaces": MARKETPLACES,
        "accounts": accounts,
        "account_names": {a.id: a.name for a in accounts},
        "warehouses": warehouses,
        "warehouse_names": {w.id: w.name for w in warehouses},
        "zones": waves.zones(s),
        "cart_sizes": [1, *waves.CART_SIZES],
        "pickers": desk.pickers(s),
    }


def _rules() -> waves.Rules:
    return waves.parse_rules(request.form, request.form.getlist("order"))


@bp.post("/preview")
@supervisor_required
def preview() -> tuple[str, int] | str:
    """The units the form would make, written nowhere (htmx fragment)."""
    try:
        rules = _rules()
    except DomainError as refusal:
        return _preview(error=describe(refusal.code, refusal.params)), 422
    units = waves.plan(waves.free_tasks(db.session(), rules), rules)
    return _preview(units=units, nothing=describe("wave_nothing_to_build"))


def _preview(**context: Any) -> str:
    return render_template("supervisor/_wave_preview.html", **context)


@bp.post("/")
@supervisor_required
def build() -> Response | tuple[str, int]:
    user = current_user()
    assert user is not None
    s = db.session()
    try:
        wave = waves.build(s, _rules(), user)
    except DomainError as refusal:
        s.rollback()
        return _page(describe(refusal.code, refusal.params), dict(request.form)), 422
    units = len(waves.units_of(wave))
    s.commit()
    flash(describe("wave_built", {"wave": wave.id, "orders": wave.orders, "units": units}))
    return redirect(url_for(".wave_page", wave_id=wave.id))


@bp.get("/<int:wave_id>")
@supervisor_required
def wave_page(wave_id: int) -> str:
    wave = waves.get(db.session(), wave_id)
    return render_template(
        "supervisor/wave.html", wave=wave, units=waves.units_of(wave), **_choices()
    )


@bp.app_template_global("wave_state")
def wave_state(wave: Wave) -> str:
    return messages.wave_state(waves.state(wave))


@bp.app_template_global("wave_progress")
def wave_progress(wave: Wave) -> tuple[int, int]:
    return waves.progress(wave)


@bp.app_template_filter("unit_state")
def unit_state(unit: waves.Unit) -> str:
    return messages.unit_state(unit.state)


@bp.app_template_filter("moment_local")
def moment_local(moment: datetime | str | None) -> str:
    """A moment (or one kept as ISO text in a wave's rules) as Moscow day and time."""
    if not moment:
        return "—"
    found = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return found.astimezone(LOCAL).strftime("%d.%m %H:%M")


@bp.post("/<int:wave_id>/assign")
@supervisor_required
def assign_wave(wave_id: int) -> Response:
    """Every unit of the wave not started yet to one picker (or to nobody)."""
    user = current_user()
    assert user is not None
    s = db.session()
    waves.get(s, wave_id)  # 404 before anything else

    def assign() -> str:
        picker = waves.picker_of(s, _picker_id())
        n = waves.assign_wave(s, wave_id, picker.id if picker else None, user)
        if picker is None:
            return describe("wave_unassigned", {"wave": wave_id, "n": n})
        return describe("wave_assigned", {"wave": wave_id, "n": n, "picker": picker.name})

    return _decided(wave_id, assign)


@bp.post("/<int:wave_id>/cancel")
@supervisor_required
def cancel(wave_id: int) -> Response:
    user = current_user()
    assert user is not None
    s = db.session()
    waves.get(s, wave_id)

    def cancel_it() -> str:
        done = waves.cancel(s, wave_id, user)
        return describe(
            "wave_cancel_done", {"wave": wave_id, "freed": done.freed, "picking": done.picking}
        )

    return _decided(wave_id, cancel_it)


@bp.post("/tasks/<int:task_id>/assign")
@supervisor_required
def assign_task(task_id: int) -> Response:
    """A single task to a picker («— никому —»: free for anyone); one being picked is taken
    off its picker (the page asked first)."""
    user = current_user()
    assert user is not None
    task = db.session().get(PickTask, task_id)
    if task is None:
        raise NotFound("task_not_found")

    def assign() -> str:
        return _assigned(waves.assign_task(db.session(), task_id, _picker_id(), user))

    return _decided(task.wave_id, assign)


@bp.post("/batches/<int:batch_id>/assign")
@supervisor_required
def assign_batch(batch_id: int) -> Response:
    """A batch to a picker, or to nobody; one being picked is taken off its picker whole."""
    user = current_user()
    assert user is not None
    cart = db.session().get(PickBatch, batch_id)
    if cart is None:
        raise NotFound("batch_not_found")

    def assign() -> str:
        return _assigned(waves.assign_cart(db.session(), batch_id, _picker_id(), user))

    return _decided(cart.wave_id, assign)


NOBODY = "nobody"  # the picker select's «— никому —»: free for any picker


def _picker_id() -> int | None:
    """The form's picker: «nobody» unassigns; an id that is no active picker, or nothing
    chosen, is refused in words (``picker_of``)."""
    value = request.form.get("picker_id", "").strip()
    if value == NOBODY:
        return None
    if value.isdecimal() and len(value) < 19:
        return int(value)
    raise DomainError("wave_not_a_picker")


def _assigned(done: waves.Assigned) -> str:
    unit = {"kind": done.kind, "name": done.name}
    if done.taken_off and done.was is not None:
        taken = describe("unit_taken_off", {**unit, "was": done.was.name, "picked": done.picked})
        if done.picker is None:
            return taken
        assigned = describe("unit_assigned", {**unit, "picker": done.picker.name})
        return f"{taken}. {assigned}"
    if done.picker is None:
        return describe("unit_unassigned", unit)
    return describe("unit_assigned", {**unit, "picker": done.picker.name})


def _decided(wave_id: int | None, decide: Callable[[], str]) -> Response:
    """Run a desk decision: committed with its words as a notice, or refused in words."""
    s = db.session()
    try:
        message = decide()
    except NotFound:
        raise
    except DomainError as refusal:
        s.rollback()
        flash(describe(refusal.code, refusal.params), "error")
    else:
        s.commit()
        flash(message)
    if wave_id is None:  # a picker's own batch or a task outside any wave
        return redirect(url_for(".waves_page"))
    return redirect(url_for(".wave_page", wave_id=wave_id))
