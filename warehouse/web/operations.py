"""Operations health on the desk (/operations): commands owed to the marketplaces with
retry and cancel, RQ queues and failed jobs with retry and delete, the workers'
heartbeats, printers and cabinets. Cancel and delete ask first and are logged."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from warehouse.errors import DomainError, NotFound
from warehouse.infra import db, queue
from warehouse.models import OutboxCommand
from warehouse.shift import operations
from warehouse.web.auth import current_user, supervisor_required
from warehouse.web.messages import describe

bp = Blueprint("operations", __name__, url_prefix="/operations")


@bp.get("/")
@supervisor_required
def operations_page() -> str:
    s = db.session()
    try:
        rq = operations.queues(queue.connection())
    except OSError:  # the embedded Redis could not even start
        rq = operations.Queues(reachable=False)
    return render_template(
        "supervisor/operations.html",
        commands=operations.commands_owed(s),
        rq=rq,
        accounts=operations.accounts(s),
        printers=operations.printers(s),
    )


@bp.post("/commands/<int:command_id>/retry")
@supervisor_required
def retry_command(command_id: int) -> Response:
    return _decided(lambda: operations.retry_command(db.session(), command_id), "retried")


@bp.post("/commands/<int:command_id>/cancel")
@supervisor_required
def cancel_command(command_id: int) -> Response:
    user = current_user()
    assert user is not None
    return _decided(lambda: operations.cancel_command(db.session(), command_id, user), "cancelled")


def _decided(decide: Callable[[], OutboxCommand], outcome: str) -> Response:
    s = db.session()
    try:
        command = decide()
    except NotFound:
        raise  # a 404 page, not a banner
    except DomainError as refusal:
        s.rollback()
        flash(describe(refusal.code, refusal.params), "error")
        return redirect(url_for(".operations_page"))
    s.commit()
    flash(describe(f"command_{outcome}", {"command": command.id}))
    return redirect(url_for(".operations_page"))


@bp.post("/jobs/<name>/<job_id>/retry")
@supervisor_required
def retry_job(name: str, job_id: str) -> Response:
    operations.retry_job(queue.connection(), name, job_id)
    flash(describe("job_retried", {"job": job_id[:12]}))
    return redirect(url_for(".operations_page"))


@bp.post("/jobs/<name>/<job_id>/delete")
@supervisor_required
def delete_job(name: str, job_id: str) -> Response:
    user = current_user()
    assert user is not None
    operations.delete_job(queue.connection(), name, job_id, user)
    flash(describe("job_deleted", {"job": job_id[:12]}))
    return redirect(url_for(".operations_page"))
