"""Logging, configured once per process."""

from __future__ import annotations

import logging

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(app: Flask) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
    logging.getLogger("warehouse").setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("printers").setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("httpx").setLevel(logging.WARNING)
