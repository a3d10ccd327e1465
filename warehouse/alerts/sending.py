"""Alerts to Telegram, one message each, oldest first; what Telegram answered decides.

Sent: the alert is ``sent``. Refused as a message (a 400 about the text): ``failed``,
listed on the desk, the next goes. A refused token or chat: the bot stops (``problem``),
the alert stays pending — never dropped — until the settings are saved again. 429 /
5xx / timeouts: the bot pauses (``paused_until``: the ``retry_after`` Telegram asked
for, else the backoff for the failures in a row) and the alert stays pending.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.alerts import bot as alert_bot
from warehouse.alerts.telegram import (
    BadChat,
    BadToken,
    Refused,
    TelegramClient,
    TelegramError,
    Unavailable,
)
from warehouse.models import Alert, AlertBot, utcnow

logger = logging.getLogger(__name__)


def due(session: Session, limit: int) -> list[Alert]:
    """Pending alerts, oldest first."""
    return list(
        session.scalars(
            select(Alert).where(Alert.status == "pending").order_by(Alert.id).limit(limit)
        )
    )


def may_send(bot: AlertBot | None) -> bool:
    """A bot is set, Telegram took its token and chat, and no pause is running."""
    if bot is None or bot.stopped:
        return False
    return bot.paused_until is None or bot.paused_until <= utcnow()


def send(
    bot: AlertBot, client: TelegramClient, alert: Alert, text: str, backoff: tuple[int, ...]
) -> str:
    """Send one alert; what became of it: sent, failed, paused (try later) or stopped."""
    alert.attempts += 1
    try:
        alert.message_id = alert_bot.send(bot, client, text)
    except (BadToken, BadChat) as exc:
        alert.attempts -= 1  # not this message's fault: it waits for the settings
        alert_bot.stop(bot, exc)
        return "stopped"
    except Refused as exc:
        alert.status = "failed"
        alert.last_error = str(exc)[:1000]
        logger.error("alert refused by Telegram alert=%s: %s", alert.id, exc)
        return "failed"
    except TelegramError as exc:
        wait = _pause(bot, exc, backoff)
        alert.last_error = str(exc)[:1000]
        logger.warning("alert not sent alert=%s, pause %ss: %s", alert.id, wait, exc)
        return "paused"
    alert.status = "sent"
    alert.sent_at = utcnow()
    alert.last_error = None
    alert_bot.fresh(bot)
    logger.info("alert sent alert=%s kind=%s", alert.id, alert.kind)
    return "sent"


def _pause(bot: AlertBot, exc: TelegramError, backoff: tuple[int, ...]) -> float:
    """No message before the wait Telegram asked for (429), else the backoff's step."""
    bot.failures += 1
    asked = exc.retry_after if isinstance(exc, Unavailable) else None
    wait = asked if asked is not None else backoff[min(bot.failures, len(backoff)) - 1]
    bot.paused_until = utcnow() + timedelta(seconds=wait)
    bot.problem = "unavailable"
    bot.last_error = str(exc)[:1000]
    return float(wait)
