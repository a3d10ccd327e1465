"""The desk's alerts page: the Telegram bot alerts go out through — an admin sets its
token (sealed, never shown again) and chat, sends a test message, removes it — why it
sends nothing, in words, and the latest alerts with what became of each."""

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

from warehouse.alerts import bot as alert_bot
from warehouse.alerts import crossings
from warehouse.errors import DomainError
from warehouse.infra import db, queue
from warehouse.models import User
from warehouse.web.alert_words import alert_link, alert_text, test_text
from warehouse.web.auth import admin_required, current_user, supervisor_required
from warehouse.web.messages import alert_kind, alert_state, bot_problem, describe

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
bp.before_request(supervisor_required(lambda: None))


def _admin() -> User:
    """The admin acting (``admin_required`` let only an admin in)."""
    user = current_user()
    assert user is not None
    return user


@bp.get("/")
def alerts_page(error: str = "", status: int = 200):
    s = db.session()
    user = current_user()
    page = render_template(
        "supervisor/alerts.html",
        bot=alert_bot.get(s),
        alerts=crossings.recent(s),
        waiting=crossings.waiting(s),
        is_admin=user is not None and user.role == "admin",
        error=error,
        bot_problem=bot_problem,
        alert_text=alert_text,
        alert_link=alert_link,
        alert_kind=alert_kind,
        alert_state=alert_state,
    )
    return page, status


@bp.post("/bot")
@admin_required
def save_bot():
    user = _admin()
    s = db.session()
    try:
        alert_bot.save(
            s,
            token=request.form.get("token", ""),
            chat_id=request.form.get("chat_id", ""),
            user=user,
            credentials_key=current_app.config["CREDENTIALS_KEY"],
        )
    except DomainError as refusal:
        s.rollback()
        return alerts_page(describe(refusal.code, refusal.params), 422)
    s.commit()
    queue.enqueue_now("default", "warehouse.jobs.send_alerts")  # what waited goes now
    flash(describe("alert_bot_saved"))
    return redirect(url_for("alerts.alerts_page"))


@bp.post("/bot/test")
@admin_required
def test_bot():
    """One message now, in the request (like a cabinet's «Test connection»): the answer
    in words; a refused token or chat is remembered, a message that went resumes sending."""
    _admin()
    s = db.session()
    bot = alert_bot.get(s)
    if bot is None:
        abort(404)
    with alert_bot.client_for(bot) as client:
        code = alert_bot.test(bot, client, test_text())
    s.commit()
    if code == "alert_bot_ok":
        queue.enqueue_now("default", "warehouse.jobs.send_alerts")
    return render_template(
        "supervisor/_connection.html", ok=code == "alert_bot_ok", message=describe(code)
    )


@bp.post("/bot/delete")
@admin_required
def remove_bot():
    _admin()
    alert_bot.remove(db.session())
    db.session().commit()
    flash(describe("alert_bot_removed"))
    return redirect(url_for("alerts.alerts_page"))
