"""The Telegram bot alerts go out through: set on the desk by an admin (the token sealed
like a marketplace key; a blank token keeps the saved one), tested with a message, and
what Telegram last said about it — a refused token or chat stops the sending until the
settings are saved again, in words on the desk."""

from __future__ import annotations

import logging
import re

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.alerts.telegram import (
    BadChat,
    BadToken,
    ChatMigrated,
    Refused,
    TelegramClient,
    TelegramError,
)
from warehouse.errors import DomainError
from warehouse.infra.credentials import seal, unseal
from warehouse.models import AlertBot, User, utcnow

logger = logging.getLogger(__name__)

# the token goes into the URL's path: only what BotFather issues (digits:letters) passes
TOKEN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{20,100}")
CHAT = re.compile(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}")


def get(session: Session) -> AlertBot | None:
    return session.scalar(select(AlertBot))


def save(
    session: Session,
    *,
    token: str,
    chat_id: str,
    user: User,
    credentials_key: str | None = None,
) -> AlertBot:
    """Set the token (blank: keep the saved one) and the chat; the bot is fresh again."""
    token, chat_id = token.strip(), chat_id.strip()
    bot = get(session)
    missing = (["token"] if not token and bot is None else []) + ([] if chat_id else ["chat_id"])
    if missing:
        raise DomainError("alert_bot_incomplete", missing=missing)
    if token and not TOKEN.fullmatch(token):
        raise DomainError("alert_bot_bad_token")
    if not CHAT.fullmatch(chat_id):
        raise DomainError("alert_bot_bad_chat", chat=chat_id[:64])
    if bot is None:
        bot = _first(session, seal({"token": token}, credentials_key), chat_id)
    if token:
        bot.token_encrypted = seal({"token": token}, credentials_key)
    bot.chat_id = chat_id
    fresh(bot)
    bot.updated_at = utcnow()
    bot.updated_by_id = user.id
    session.flush()
    logger.info("alert bot saved by=%s chat=%s", user.id, chat_id)
    return bot


def _first(session: Session, token: bytes, chat_id: str) -> AlertBot:
    """The one row (id 1); two admins saving the first one at once share it."""
    try:
        with session.begin_nested():
            bot = AlertBot(id=1, token_encrypted=token, chat_id=chat_id)
            session.add(bot)
    except IntegrityError:
        found = get(session)
        assert found is not None
        return found
    return bot


def remove(session: Session) -> None:
    """No bot: alerts are still kept (and listed), nothing is sent."""
    bot = get(session)
    if bot is not None:
        session.delete(bot)
        session.flush()
        logger.info("alert bot removed")


def fresh(bot: AlertBot) -> None:
    """Nothing wrong known: the next message goes at once."""
    bot.problem = None
    bot.last_error = None
    bot.failures = 0
    bot.paused_until = None


def client_for(bot: AlertBot) -> TelegramClient:
    config = current_app.config
    token = unseal(bot.token_encrypted)["token"]
    return TelegramClient(config["TELEGRAM_API_URL"], token, timeout=config["TELEGRAM_TIMEOUT"])


def stop(bot: AlertBot, exc: BadToken | BadChat) -> None:
    """Telegram refused the token or the chat: nothing is sent until a person fixes it."""
    bot.problem = "token" if isinstance(exc, BadToken) else "chat"
    bot.last_error = str(exc)[:1000]
    logger.error("alert bot stopped (%s): %s", bot.problem, exc)


def send(bot: AlertBot, client: TelegramClient, text: str) -> int:
    """Send to the bot's chat; a group that became a supergroup is followed once (its new
    id kept). Telegram's message id."""
    try:
        return client.send_message(bot.chat_id, text)
    except ChatMigrated as exc:
        logger.warning("alert chat moved from %s to %s", bot.chat_id, exc.chat_id)
        bot.chat_id = exc.chat_id
        return client.send_message(bot.chat_id, text)


def test(bot: AlertBot, client: TelegramClient, text: str) -> str:
    """The desk's «send a test message»: a result code for words. A refused token or chat
    is remembered (the sending stops); a message that went resumes the sending."""
    try:
        send(bot, client, text)
    except (BadToken, BadChat) as exc:
        stop(bot, exc)
        return f"alert_bot_{bot.problem}"
    except Refused as exc:
        bot.last_error = str(exc)[:1000]
        return "alert_bot_refused"
    except TelegramError as exc:  # unavailable: the sending goes on by itself later
        bot.last_error = str(exc)[:1000]
        return "alert_bot_unavailable"
    fresh(bot)
    return "alert_bot_ok"
