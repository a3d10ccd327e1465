"""The desk's alerts page: only an admin sets the bot (token sealed, never shown again), a
test message answered in words, refusals in words, the latest alerts listed."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from tests.telegram_fake import CHAT, TOKEN
from warehouse.alerts import bot as alert_bot
from warehouse.infra import db
from warehouse.infra.credentials import unseal
from warehouse.models import Alert, AlertBot


def _people(app) -> None:
    with app.app_context():
        s = db.session()
        f.make_supervisor(s, "root", "root", role="admin")
        f.make_supervisor(s)  # boss / boss
        f.make_picker(s)
        s.commit()


def _bot(app) -> AlertBot | None:
    with app.app_context():
        return alert_bot.get(db.session())


def test_a_supervisor_sees_the_page_but_only_an_admin_sets_the_bot(app, client):
    _people(app)
    assert client.get("/alerts/").status_code == 302
    client.post("/tsd/login", data={"badge": "B-1"})
    assert client.get("/alerts/").status_code == 302  # a picker is sent to the desk login
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Бот не задан" in page and "Бота настраивает только администратор" in page
    assert 'name="token"' not in page
    assert 'href="/alerts/"' in page  # in the desk's menu
    refused = client.post("/alerts/bot", data={"token": TOKEN, "chat_id": CHAT})
    assert refused.status_code == 403 and _bot(app) is None
    assert client.post("/alerts/bot/test").status_code == 403
    assert client.post("/alerts/bot/delete").status_code == 403


def test_an_admin_sets_the_bot_the_token_sealed_and_never_shown(app, client):
    _people(app)
    client.post("/login", data={"login": "root", "password": "root"})
    forged = client.post(
        "/alerts/bot", data={"token": TOKEN, "chat_id": CHAT}, headers={"X-CSRFToken": ""}
    )
    assert forged.status_code == 400 and _bot(app) is None
    bad = client.post("/alerts/bot", data={"token": "not a token", "chat_id": CHAT})
    assert bad.status_code == 422 and "Это не токен бота" in bad.get_data(as_text=True)
    missing = client.post("/alerts/bot", data={"token": TOKEN, "chat_id": ""})
    assert missing.status_code == 422 and "Заполните: ID чата" in missing.get_data(as_text=True)
    chat = client.post("/alerts/bot", data={"token": TOKEN, "chat_id": "general chat"})
    assert "не ID чата" in chat.get_data(as_text=True) and _bot(app) is None
    saved = client.post("/alerts/bot", data={"token": TOKEN, "chat_id": CHAT})
    assert saved.status_code == 302
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Сохранено" in page and TOKEN not in page and CHAT in page
    bot = _bot(app)
    assert bot is not None and TOKEN.encode() not in bot.token_encrypted
    with app.app_context():
        assert unseal(bot.token_encrypted) == {"token": TOKEN}
    # a blank token keeps the saved one; the chat changes
    client.post("/alerts/bot", data={"token": "", "chat_id": "@warehouse_shift"})
    bot = _bot(app)
    assert bot is not None and bot.chat_id == "@warehouse_shift"
    with app.app_context():
        assert unseal(bot.token_encrypted) == {"token": TOKEN}
    assert client.post("/alerts/bot/delete").status_code == 302
    assert _bot(app) is None
    assert "Бот удалён" in client.get("/alerts/").get_data(as_text=True)


def test_a_test_message_is_answered_in_words(app, client, telegram):
    _people(app)
    client.post("/login", data={"login": "root", "password": "root"})
    assert client.post("/alerts/bot/test").status_code == 404  # no bot yet
    client.post("/alerts/bot", data={"token": TOKEN, "chat_id": CHAT})
    answer = client.post("/alerts/bot/test").get_data(as_text=True)
    assert "Отправлено: проверьте чат в Telegram" in answer
    assert telegram.texts() == [
        "⚠️ Тестовое сообщение склада: оповещения будут приходить в этот чат"
    ]
    client.post("/alerts/bot", data={"token": "111:AAsomebodyElsesTokenXXXXXXX", "chat_id": CHAT})
    answer = client.post("/alerts/bot/test").get_data(as_text=True)
    assert "Telegram отклонил токен бота" in answer
    bot = _bot(app)
    assert bot is not None and bot.problem == "token"
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Telegram отклонил токен бота" in page  # said on the page until it is fixed
    telegram.fail(429, retry_after=3)
    client.post("/alerts/bot", data={"token": TOKEN, "chat_id": CHAT})
    answer = client.post("/alerts/bot/test").get_data(as_text=True)
    assert "Telegram сейчас не отвечает" in answer


def test_the_latest_alerts_are_listed_in_words_with_what_became_of_them(app, client):
    _people(app)
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        mug = f.make_product(s, "Кружка", article="MUG-1")
        printer = f.make_printer(s, warehouse, ("127.0.0.1", 9), name="Zebra 1")
        s.add_all(
            [
                Alert(
                    kind="low_stock",
                    subject_id=mug.id,
                    details={"name": "Кружка", "article": "MUG-1", "free": 1, "min": 4},
                ),
                Alert(
                    kind="printer",
                    subject_id=printer.id,
                    details={"name": "Zebra 1", "status": "printer_unreachable"},
                    status="failed",
                    last_error="Telegram: Bad Request: message is too long",
                ),
            ]
        )
        s.commit()
        assert len(s.scalars(select(Alert)).all()) == 2
    client.post("/login", data={"login": "boss", "password": "boss"})
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Мало товара: Кружка (MUG-1) — свободно 1, минимум 4" in page
    assert f'href="/stock/products/{mug.id}"' in page
    assert "Принтер Zebra 1 не работает" in page and "Telegram отклонил" in page
    assert "message is too long" in page and "ждёт отправки" in page
