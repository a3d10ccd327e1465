"""Alerts to Telegram against a fake Bot API on a loopback port: one message per crossing
(again after a recovery), Telegram's 429 / 5xx / timeouts / refused token or chat, nothing
sent without a bot, and the cron tick's cabinets, printers and pickups."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests import factories as f
from tests.telegram_fake import CHAT, TOKEN
from warehouse import jobs
from warehouse.alerts import bot as alert_bot
from warehouse.alerts import crossings, low_stock
from warehouse.alerts.telegram import TelegramClient
from warehouse.infra import db, queue
from warehouse.models import (
    Alert,
    AlertBot,
    HandOver,
    MarketplaceAccount,
    Order,
    Stock,
    User,
    utcnow,
)
from warehouse.shipping import handovers
from warehouse.stock import ledger, receiving

MUG = "4607001234562"


def _shop(app, *, bot: bool = True, token: str = TOKEN, chat: str = CHAT) -> dict[str, int]:
    """A mug (minimum 5) with 6 units in A-01, a cabinet, an admin; the bot set."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        mug = f.make_product(s, "Кружка", MUG, article="MUG-1")
        mug.min_stock = 5
        stock = f.put_stock(s, mug, f.make_location(s, warehouse, "A-01"), 6)
        admin = f.make_supervisor(s, "root", "root", role="admin")
        if bot:
            alert_bot.save(s, token=token, chat_id=chat, user=admin)
        s.commit()
        return {"mug": mug.id, "stock": stock.id, "account": account.id, "admin": admin.id}


def _move(app, stock_id: int, quantity: int) -> None:
    """Units in or out of the bin, as a count would (a ledger movement, committed)."""
    with app.app_context():
        s = db.session()
        stock = s.get_one(Stock, stock_id)
        ledger.move(s, stock, quantity, "count", document="test", user=None)
        s.commit()


def _alerts(app) -> list[Alert]:
    with app.app_context():
        return list(db.session().scalars(select(Alert).order_by(Alert.id)))


def _bot(app) -> AlertBot:
    with app.app_context():
        found = alert_bot.get(db.session())
        assert found is not None
        return found


def _unpause(s) -> None:  # type: ignore[no-untyped-def]
    """As if the pause were over."""
    bot = alert_bot.get(s)
    assert bot is not None
    bot.paused_until = None
    s.commit()


def test_one_message_per_crossing_and_again_after_a_recovery(app, telegram, worker):
    ids = _shop(app)
    _move(app, ids["stock"], -2)  # 4 free < 5: crossed
    worker()  # the movement's check job, then the sending it rings
    assert telegram.texts() == ["⚠️ Мало товара: Кружка (MUG-1) — свободно 4, минимум 5"]
    _move(app, ids["stock"], -1)  # still below: the same crossing
    worker()
    with app.app_context():
        jobs.check_alerts()  # the cron tick finds it open too
    worker()
    assert len(telegram.messages) == 1
    _move(app, ids["stock"], 3)  # 6: back at the minimum or above
    worker()
    (first,) = _alerts(app)
    assert first.status == "sent" and first.resolved_at is not None and first.message_id == 1
    _move(app, ids["stock"], -4)  # 2: a new crossing
    worker()
    assert len(telegram.messages) == 2 and "свободно 2" in telegram.texts()[1]
    assert [alert.status for alert in _alerts(app)] == ["sent", "sent"]
    assert {message.chat_id for message in telegram.messages} == {CHAT}


def test_a_stock_change_checks_its_products_once_after_the_commit(app):
    ids = _shop(app, bot=False)
    with app.app_context():
        queue.queue("default").empty()
        s = db.session()
        stock = s.get_one(Stock, ids["stock"])
        ledger.move(s, stock, -1, "count", document="t", user=None)
        ledger.move(s, stock, -1, "count", document="t", user=None)
        assert queue.queue("default").count == 0  # nothing before the commit
        s.commit()
        queued = queue.queue("default").jobs
        assert [(job.func_name, job.args) for job in queued] == [
            ("warehouse.jobs.check_stock_alerts", ([ids["mug"]],))
        ]
        s.rollback()
        ledger.move(s, s.get_one(Stock, ids["stock"]), 1, "count", document="t", user=None)
        s.rollback()  # rolled back: nothing to check
        assert queue.queue("default").count == 1


def test_a_pick_and_a_receipt_into_the_receiving_area_check_nothing(app):
    ids = _shop(app, bot=False)
    with app.app_context():
        queue.queue("default").empty()
        s = db.session()
        stock = s.get_one(Stock, ids["stock"])
        stock.reserved = 1
        s.flush()
        ledger.move(s, stock, -1, "pick", reserved=-1, document="task:1", user=None)
        s.commit()
        assert queue.queue("default").count == 0  # free units did not change
        dock = receiving.receiving_bin(s, stock.location.warehouse)
        ledger.move(
            s, ledger.stock_of(s, ids["mug"], dock.id), 4, "receipt", document="r", user=None
        )
        s.commit()
        assert queue.queue("default").count == 0  # the receiving area's goods are not free


def test_the_same_crossing_twice_at_once_is_one_alert(app):
    ids = _shop(app, bot=False)
    with app.app_context():
        s = db.session()
        s.add(Alert(kind="low_stock", subject_id=ids["mug"], details={}))
        s.commit()
        with pytest.raises(IntegrityError):  # the partial unique index
            s.add(Alert(kind="low_stock", subject_id=ids["mug"], details={}))
            s.flush()
        s.rollback()
        # a second check that did not see the first's row yet opens nothing
        assert crossings._open(s, "low_stock", ids["mug"], {}) is None
        s.commit()
        assert len(s.scalars(select(Alert)).all()) == 1


def test_429_waits_what_telegram_asked_for(app, telegram):
    ids = _shop(app)
    _move(app, ids["stock"], -2)
    telegram.fail(429, retry_after=1)
    with app.app_context():
        s = db.session()
        assert low_stock.check(s, [ids["mug"]])
        s.commit()
        assert jobs.send_alerts() == "paused"
        bot = alert_bot.get(s)
        assert bot is not None and bot.paused_until is not None
        assert 0.5 < (bot.paused_until - utcnow()).total_seconds() <= 1.0
        assert bot.problem == "unavailable"
        # the sending is scheduled for the moment the pause ends (RQ's scheduler)
        scheduled = ScheduledJobRegistry(queue=queue.queue("default"))
        assert scheduled.count == 1
        assert jobs.send_alerts() == "not sending"  # asked again at once: nothing is sent
        assert len(telegram.calls) == 1 and not telegram.messages
        time.sleep(max(0.0, (bot.paused_until - utcnow()).total_seconds()) + 0.05)
        assert jobs.send_alerts() == "sent"
    assert telegram.calls[1] - telegram.calls[0] >= 1.0
    assert len(telegram.messages) == 1
    (alert,) = _alerts(app)
    assert alert.status == "sent" and alert.attempts == 2 and alert.last_error is None
    bot = _bot(app)
    assert (bot.problem, bot.failures, bot.paused_until) == (None, 0, None)


def test_5xx_and_timeouts_pause_with_backoff_then_the_alert_goes(app, telegram):
    app.config.update(ALERT_BACKOFF_SECONDS=(0, 0, 0), TELEGRAM_TIMEOUT=0.3)
    ids = _shop(app)
    _move(app, ids["stock"], -2)
    telegram.fail(500)
    telegram.fail(502)
    with app.app_context():
        s = db.session()
        low_stock.check(s)
        s.commit()
        assert jobs.send_alerts() == "paused"
        assert _bot(app).failures == 1
        assert jobs.send_alerts() == "paused"
        assert _bot(app).failures == 2
        telegram.delay = 0.6  # slower than the client waits
        assert jobs.send_alerts() == "paused"
        assert "did not answer in time" in (_bot(app).last_error or "")
        telegram.delay = 0
        assert jobs.send_alerts() == "sent"
    (alert,) = _alerts(app)
    assert alert.status == "sent" and alert.attempts == 4
    # a timed-out call may have reached the chat (Telegram keeps no request ids): the
    # alert is sent again rather than lost
    assert 1 <= len(telegram.messages) <= 2


def test_the_backoff_grows_with_failures_in_a_row(app, telegram):
    app.config["ALERT_BACKOFF_SECONDS"] = (5, 15, 60)
    ids = _shop(app)
    _move(app, ids["stock"], -2)
    telegram.fail(500, times=2)
    with app.app_context():
        s = db.session()
        low_stock.check(s)
        s.commit()
        jobs.send_alerts()
        first = _bot(app).paused_until
        _unpause(s)
        jobs.send_alerts()
        second = _bot(app).paused_until
    assert first is not None and second is not None
    assert 4 < (first - utcnow()).total_seconds() <= 5
    assert 14 < (second - utcnow()).total_seconds() <= 15


def test_a_refused_token_stops_the_sending_and_is_said_on_the_desk(app, client, telegram):
    ids = _shop(app, token="987654321:AAWrongTokenWrongTokenWrong")
    _move(app, ids["stock"], -2)
    with app.app_context():
        s = db.session()
        low_stock.check(s)
        s.commit()
        assert jobs.send_alerts() == "stopped"
        assert jobs.send_alerts() == "not sending"  # no more calls until it is fixed
    assert len(telegram.calls) == 1 and not telegram.messages
    bot = _bot(app)
    assert bot.problem == "token" and "Unauthorized" in (bot.last_error or "")
    (alert,) = _alerts(app)
    assert alert.status == "pending" and alert.attempts == 0  # kept, never dropped
    client.post("/login", data={"login": "root", "password": "root"})
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Telegram отклонил токен бота" in page and "WrongToken" not in page
    desk = client.get("/").get_data(as_text=True)
    assert "Оповещения в Telegram не отправляются" in desk
    # the right token saved: the waiting alert goes
    saved = client.post("/alerts/bot", data={"token": TOKEN, "chat_id": CHAT})
    assert saved.status_code == 302
    with app.app_context():
        assert jobs.send_alerts() == "sent"
    assert len(telegram.messages) == 1
    assert "не отправляются" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("chat", "fail"),
    [("-100777", None), (CHAT, (403, "Forbidden: bot was blocked by the user"))],
)
def test_a_chat_the_bot_cannot_write_to_stops_the_sending(app, telegram, chat, fail):
    ids = _shop(app, chat=chat)
    if fail:
        telegram.fail(fail[0], description=fail[1])
    _move(app, ids["stock"], -2)
    with app.app_context():
        s = db.session()
        low_stock.check(s)
        s.commit()
        assert jobs.send_alerts() == "stopped"
    assert _bot(app).problem == "chat" and not telegram.messages
    assert _alerts(app)[0].status == "pending"


def test_nothing_is_sent_without_a_bot_and_what_waited_goes_once_one_is_set(app, telegram):
    ids = _shop(app, bot=False)
    _move(app, ids["stock"], -2)
    with app.app_context():
        s = db.session()
        jobs.check_alerts()
        assert jobs.send_alerts() == "not sending"
        assert [a.status for a in s.scalars(select(Alert))] == ["pending"]
        other = f.make_product(s, "Ложка", article="SPOON-1")
        other.min_stock = 3
        spoon = f.put_stock(s, other, s.scalars(select(Stock)).first().location, 1)
        s.commit()
        jobs.check_alerts()
        _move(app, spoon.id, 5)  # the spoon is back before any bot exists
        _move(app, ids["stock"], -1)  # the mug lower still: the waiting alert says so
        jobs.check_alerts()
        assert jobs.send_alerts() == "not sending"
    assert telegram.calls == []  # nothing, not even a try
    with app.app_context():
        s = db.session()
        alert_bot.save(s, token=TOKEN, chat_id=CHAT, user=s.get_one(User, ids["admin"]))
        s.commit()
        assert jobs.send_alerts() == "sent"
    # the mug is still below: said now; the spoon's crossing was over: listed, not sent
    assert telegram.texts() == ["⚠️ Мало товара: Кружка (MUG-1) — свободно 3, минимум 5"]
    assert sorted(a.status for a in _alerts(app)) == ["sent", "skipped"]


def test_a_message_telegram_refuses_is_failed_and_the_next_one_goes(app, telegram):
    ids = _shop(app)
    telegram.fail(400, description="Bad Request: message is too long")
    _move(app, ids["stock"], -2)
    with app.app_context():
        s = db.session()
        warehouse = s.get_one(Stock, ids["stock"]).location.warehouse
        f.make_printer(s, warehouse, ("127.0.0.1", 9)).last_status = "printer_unreachable"
        s.commit()
        jobs.check_alerts()  # the mug first, then the printer
        assert jobs.send_alerts() == "sent"
    first, second = _alerts(app)
    assert first.status == "failed" and "message is too long" in (first.last_error or "")
    assert second.status == "sent"
    assert len(telegram.messages) == 1


def test_a_group_that_became_a_supergroup_is_followed(app, telegram):
    ids = _shop(app, chat="-4001")
    telegram.chats.add("-1009999")
    telegram.fail(
        400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to="-1009999",
    )
    _move(app, ids["stock"], -2)
    with app.app_context():
        s = db.session()
        low_stock.check(s)
        s.commit()
        assert jobs.send_alerts() == "sent"
    assert [m.chat_id for m in telegram.messages] == ["-1009999"]
    assert _bot(app).chat_id == "-1009999"


def test_the_token_is_never_logged_nor_shown(app, client, telegram, caplog):
    ids = _shop(app)
    telegram.fail(500)
    _move(app, ids["stock"], -2)
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        s = db.session()
        low_stock.check(s)
        s.commit()
        jobs.send_alerts()
        _unpause(s)
        jobs.send_alerts()
        assert TOKEN not in repr(TelegramClient(telegram.url, TOKEN, timeout=1))
        assert TOKEN.encode() not in alert_bot.get(s).token_encrypted  # sealed at rest
    assert len(telegram.messages) == 1
    ours = [r for r in caplog.records if r.name != "werkzeug"]  # not the fake's access log
    assert ours and not [r for r in ours if TOKEN in r.getMessage()]
    client.post("/login", data={"login": "root", "password": "root"})
    assert TOKEN not in client.get("/alerts/").get_data(as_text=True)


def _tick() -> int:
    """The cron tick, then the sending it rings (a worker would run it at once)."""
    opened = jobs.check_alerts()
    jobs.send_alerts()
    return opened


def test_a_failing_cabinet_alerts_once_and_again_after_it_worked(app, telegram):
    ids = _shop(app)
    with app.app_context():
        s = db.session()
        account = s.get_one(MarketplaceAccount, ids["account"])
        account.problem, account.last_import_at = "unavailable", utcnow() - timedelta(minutes=1)
        s.commit()
        assert _tick() == 0  # one failed import: not yet
        account.last_import_at = utcnow() - timedelta(minutes=6)
        s.commit()
        assert _tick() == 1  # failing for 5 minutes and more
        assert _tick() == 0
        account.problem = None  # an import went through
        s.commit()
        assert _tick() == 0
        account.problem = "auth"  # the key refused: at once
        s.commit()
        assert _tick() == 1
    assert [t.split(":")[0] for t in telegram.texts()] == ["⚠️ Кабинет WB «WB test» не работает"] * 2
    assert "не отвечает" in telegram.texts()[0] and "отклонил ключ" in telegram.texts()[1]


def test_a_printer_down_alerts_once_and_again_after_it_was_ready(app, telegram):
    ids = _shop(app)
    with app.app_context():
        s = db.session()
        warehouse = s.get_one(Stock, ids["stock"]).location.warehouse
        printer = f.make_printer(s, warehouse, ("127.0.0.1", 9), name="Zebra 1")
        printer.last_status = "printer_not_ready:paper_out"
        s.commit()
        assert _tick() == 1
        assert _tick() == 0
        printer.last_status = "ready"
        s.commit()
        _tick()
        printer.last_status = "printer_unreachable"
        s.commit()
        assert _tick() == 1
        printer.active = False  # switched off in the registry: not down, just off
        s.commit()
        _tick()
    texts = telegram.texts()
    assert texts[0] == "⚠️ Принтер Zebra 1 не работает: Принтер не готов: нет бумаги"
    assert texts[1].startswith("⚠️ Принтер Zebra 1 не работает: Принтер недоступен")
    assert [a.resolved_at is not None for a in _alerts(app)] == [True, True]


def test_a_pickup_at_risk_near_its_cutoff_with_parcels_not_loaded(app, telegram):
    ids = _shop(app)
    now = datetime.now(handovers.LOCAL)
    soon, later = now + timedelta(minutes=30), now + timedelta(hours=3)
    with app.app_context():
        s = db.session()
        account = s.get_one(MarketplaceAccount, ids["account"])
        account.settings = {"cutoff": soon.strftime("%H:%M")}
        pickup = HandOver(account_id=account.id, ship_date=soon.date(), external_id="WB-GI-1")
        s.add(pickup)
        s.flush()
        order = f.import_order(s, account, "o-1", (MUG, 1))
        order.handover_id = pickup.id
        s.commit()
        assert _tick() == 1
        assert _tick() == 0
        account.settings = {"cutoff": later.strftime("%H:%M")}
        s.commit()
        if later.date() == soon.date():  # three hours away (unless past midnight): not yet
            _tick()
            assert s.scalars(select(Alert).where(Alert.kind == "handover")).one().resolved_at
        account.settings = {"cutoff": soon.strftime("%H:%M")}
        s.commit()
        _tick()
        s.get_one(Order, order.id).status = "cancelled"  # nothing left to load: over
        s.commit()
        _tick()
        assert all(a.resolved_at for a in s.scalars(select(Alert).where(Alert.kind == "handover")))
    pickups = [t for t in telegram.texts() if "Отгрузка" in t]
    assert pickups[0] == (
        f"⚠️ Отгрузка WB-GI-1 (WB «WB test») в {soon.strftime('%d.%m %H:%M')}: "
        "не погружено 1 из 1 заказов"
    )
