"""Logging, configured once per process.

httpx logs every request's URL at INFO (``HTTP Request: POST https://…``), and Telegram's
Bot API carries the bot's token in the URL's path (``/bot<token>/sendMessage``). httpx
stays at WARNING, but a process that turns DEBUG on everywhere (an operator chasing a
problem, a worker's own log set-up) would write the token into its log: the filter on the
httpx and httpcore loggers cuts any ``bot<token>`` out of their lines first.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# a Bot API token: the bot's number, a colon, 30-odd letters (core.telegram.org/bots/api)
BOT_TOKEN = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
HTTP_LOGGERS = ("httpx", "httpcore")


class RedactBotToken(logging.Filter):
    """Replaces the token in a ``…/bot<token>/…`` URL of a log line with ``<token>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg = BOT_TOKEN.sub("/bot<token>", message)
            record.args = None
        return True


def configure(app: Flask) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
    logging.getLogger("warehouse").setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("printers").setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactBotToken) for f in logger.filters):
            logger.addFilter(RedactBotToken())
