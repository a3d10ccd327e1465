"""Configuration: defaults in code, then WAREHOUSE_* environment, then the test dict.

Dev and demo defaults work out of the box (SQLite file + embedded Redis). Outside
dev/demo/test a missing secret stops the start instead of falling back silently.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask

EMBEDDED = "embedded"

DEFAULTS: dict[str, Any] = {
    "ENV": "demo",  # demo | dev | test | production
    "DATABASE_URL": None,  # default: sqlite file in instance/
    "REDIS_URL": EMBEDDED,
    "SECRET_KEY": None,
    "CREDENTIALS_KEY": None,  # Fernet key for marketplace credentials at rest
    "SANDBOX_ENABLED": None,  # default: on outside production
    "SANDBOX_DATABASE_URL": None,
    "SANDBOX_ORDERS_PER_MINUTE": 0,
    "SANDBOX_SLOW_SECONDS": 3,
    "PUBLIC_URL": "http://127.0.0.1:8000",  # where the worker reaches the sandbox
    # reverse proxies in front of gunicorn (nginx: 1) whose X-Forwarded-For / -Proto /
    # -Host are believed: the client's address (login limits count per device) and https
    "PROXY_HOPS": 0,
    "IMPORT_INTERVAL_SECONDS": 60,
    # after a failed enqueue, requests do not try Redis again for this long (sweepers catch up)
    "REDIS_AWAY_SECONDS": 10.0,
    "OUTBOX_BACKOFF_SECONDS": (5, 15, 60, 300, 900),
    # a print job that could not reach the printer (or its label) is retried after these
    "PRINT_RETRY_SECONDS": (2, 5, 10, 30, 60, 120),
    "PRINTER_CONNECT_TIMEOUT": 4.0,
    "PRINTER_REPLY_TIMEOUT": 3.0,
    "PRINTER_SEND_TIMEOUT": 20.0,
    # after sending, how long to watch the printer empty its buffer and count the labels
    "PRINTER_CONFIRM_SECONDS": 10.0,
    # a job whose printer is not ready (paper out, paused, head open) is checked again after
    "PRINTER_WAIT_SECONDS": 15.0,
    # one job at a time per printer, across workers: the Redis lock's expiry and how long
    # a second job waits for it before it is rescheduled
    "PRINTER_LOCK_SECONDS": 120,
    "PRINTER_LOCK_WAIT_SECONDS": 10.0,
    # the virtual Zebra's spool directory (demo: instance/printed), shown to supervisors
    "VIRTUAL_PRINTER_SPOOL": None,
    # the seller's GS1 company prefix (6-12 digits) and the SSCC extension digit: without a
    # prefix no SSCC is issued (demo: GS1's prefix for examples, 952…, never a real company)
    "GS1_COMPANY_PREFIX": None,
    "GS1_SSCC_EXTENSION": 0,
    "MARKETPLACE_TIMEOUT": 10.0,
    # one command at a time per cabinet, across workers: the Redis lock's expiry. It is the
    # longest a worker killed mid-call holds its cabinet's other commands back (a command
    # makes a few calls of MARKETPLACE_TIMEOUT at most, well inside it)
    "OUTBOX_LOCK_SECONDS": 120,
    # reports made on request (WB FBO stock, YM realization): their status is looked at
    # this often (WB allows 1 call per 5 s)
    "REPORT_POLL_SECONDS": 5.0,
    # alerts to Telegram: the Bot API's address (tests point it at a local fake), how long
    # to wait for it, the pauses after failures in a row (a 429 waits what it asks)
    "TELEGRAM_API_URL": "https://api.telegram.org",
    "TELEGRAM_TIMEOUT": 10.0,
    "ALERT_BACKOFF_SECONDS": (5, 15, 60, 300, 900),
    "ALERT_SEND_BATCH": 20,  # messages per sending job (then it enqueues itself again)
    # a pickup is at risk this long before its cutoff with parcels not loaded; a cabinet
    # is failing when its imports have failed this long (a refused key: at once)
    "ALERT_HANDOVER_MINUTES": 60,
    "ALERT_ACCOUNT_FAILING_MINUTES": 5,
    # the integration API's request log, its Idempotency-Keys and settled webhook
    # deliveries are kept this long (warehouse.integrations)
    "API_LOG_DAYS": 30,
    "API_MAX_BODY_BYTES": 4_000_000,  # a call's JSON body (1,000 products is about 1 MB)
    # a webhook receiver is given this long to answer, and tried again after these pauses
    # (about two days in all), then the delivery is failed (the desk sends it again)
    "WEBHOOK_TIMEOUT": 10.0,
    # receivers on private and loopback addresses (1C in the warehouse's LAN); off: only
    # public ones. Link-local (a cloud's metadata service) and multicast: never.
    "WEBHOOK_ALLOW_PRIVATE": True,
    "WEBHOOK_BACKOFF_SECONDS": (
        10,
        30,
        120,
        600,
        1800,
        3600,
        3 * 3600,
        6 * 3600,
        12 * 3600,
        24 * 3600,
    ),
    "TSD_IDLE_LOGOUT_MINUTES": 30,
    "TSD_REQUIRE_BIN_SCAN": True,
    # failed logins allowed before the login waits: from one device, and for one person
    # (a badge's PIN, a supervisor's password) — Flask-Limiter's notation
    "LOGIN_LIMIT_PER_DEVICE": "10 per minute",
    "LOGIN_LIMIT_PER_PERSON": "5 per 15 minutes",
    # after a badge scan, how long its PIN may be typed
    "TSD_PIN_SECONDS": 120,  # the bin is scanned before its goods
    "TSD_BATCH_SIZE": 4,  # orders taken by «Пакетная сборка» (2..6)
    # the live shift shows a picker on shift as idle after this long without a scan
    "LIVE_IDLE_MINUTES": 5,
    # marketplaces whose orders are re-scanned unit by unit at packing
    "PACK_VERIFY_MARKETPLACES": ("wb", "ozon", "yandex", "megamarket"),
    "PACKAGE_TYPES": ("box-s", "box-m", "box-l", "bag"),
    # the desk's orders window: rows a page, and how near a deadline makes an order not
    # yet packed stand out («горит»)
    "ORDERS_PAGE_SIZE": 50,
    "ORDERS_AT_RISK_HOURS": 4,
    "BABEL_DEFAULT_LOCALE": "ru",
    # the session cookie: Lax keeps it off cross-site POSTs; Secure when served over TLS
    # (default: when PUBLIC_URL is https://)
    "SESSION_COOKIE_SAMESITE": "Lax",
    # the cookie is sent back only when the session changed: a ТСД's scans and a page load
    # (a favicon, a poll) in flight at once must not write back an older session
    "SESSION_REFRESH_EACH_REQUEST": False,
    "SESSION_COOKIE_SECURE": None,
    "LOG_LEVEL": "INFO",
}

SECRET_NAMES = ("SECRET_KEY", "CREDENTIALS_KEY")
# GS1 Prefix 952 is reserved for demonstrations and examples: no real box carries it.
DEMO_GS1_COMPANY_PREFIX = "9529999"


class ConfigError(RuntimeError):
    """The configuration cannot run the system safely."""


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("WAREHOUSE")
    if test_config:
        app.config.from_mapping(test_config)
    production = app.config["ENV"] == "production"
    if app.config["SANDBOX_ENABLED"] is None:
        app.config["SANDBOX_ENABLED"] = not production
    instance = Path(app.instance_path)
    if not app.config["SANDBOX_DATABASE_URL"]:
        # the sandboxes' tables (wb_sandbox_*) live beside ours when a database is given
        app.config["SANDBOX_DATABASE_URL"] = (
            app.config["DATABASE_URL"] or f"sqlite:///{instance / 'sandbox.db'}"
        )
    if not app.config["DATABASE_URL"]:
        if production:
            raise ConfigError("WAREHOUSE_DATABASE_URL must be set in production")
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'warehouse.db'}"
    if production and app.config["REDIS_URL"] == EMBEDDED:
        raise ConfigError("WAREHOUSE_REDIS_URL must be set in production")
    for name in SECRET_NAMES:
        if not app.config[name]:
            if production:
                raise ConfigError(f"WAREHOUSE_{name} must be set in production")
            app.config[name] = _dev_secret(instance, name)
    if app.config["VIRTUAL_PRINTER_SPOOL"] is None and app.config["ENV"] == "demo":
        app.config["VIRTUAL_PRINTER_SPOOL"] = str(instance / "printed")
    _gs1(app)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = str(app.config["PUBLIC_URL"]).startswith("https://")
    app.config["SQLALCHEMY_ECHO"] = False


def _gs1(app: Flask) -> None:
    """The GS1 company prefix as digits (the environment may give it as a number); a malformed
    prefix or extension digit stops the start rather than print SSCCs no scanner accepts."""
    prefix = app.config["GS1_COMPANY_PREFIX"]
    if prefix is None and app.config["ENV"] == "demo":
        prefix = DEMO_GS1_COMPANY_PREFIX
    prefix = "" if prefix is None else str(prefix).strip()
    if prefix and not (prefix.isascii() and prefix.isdecimal() and 6 <= len(prefix) <= 12):
        raise ConfigError("WAREHOUSE_GS1_COMPANY_PREFIX must be 6-12 digits")
    extension = app.config["GS1_SSCC_EXTENSION"]
    if not isinstance(extension, int) or isinstance(extension, bool) or not 0 <= extension <= 9:
        raise ConfigError("WAREHOUSE_GS1_SSCC_EXTENSION must be one digit, 0-9")
    app.config["GS1_COMPANY_PREFIX"] = prefix


def _dev_secret(instance: Path, name: str) -> str:
    """A per-installation secret kept in instance/, created on first use (never in production)."""
    path = instance / f"{name.lower()}.txt"
    if path.exists():
        return path.read_text().strip()
    value = Fernet.generate_key().decode() if name == "CREDENTIALS_KEY" else secrets.token_hex(32)
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of this installation was faster
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
