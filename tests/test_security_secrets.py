"""Every secret we hold, at rest and in use: never plain in the database, never in a log
line (every logger at DEBUG), a stored error, Redis or a page (issue #14 item 5).

The secrets: the marketplace cabinets' keys (WB, Ozon, Yandex Market, Megamarket with its
push login's password), the keys that replaced them and were revoked, the МойСклад token,
the Telegram bot's token (the Bot API puts it in the URL's path), a supervisor's password,
the ТСД's PINs, the integration API's token and the app's own keys. The flows that use
them run against the sandboxes and the fake Bot API, good and refused.
"""

from __future__ import annotations

import contextlib
import logging
import re
import zlib
from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy import inspect, select, text
from werkzeug.security import generate_password_hash

from tests.conftest import CREDENTIALS_KEY, load_demo
from tests.security_figures import record
from tests.telegram_fake import CHAT, TOKEN
from tests.test_end_to_end import sandbox_order
from warehouse import jobs
from warehouse.accounting import accounts as accounting_accounts
from warehouse.accounting import assortment
from warehouse.alerts import bot as alert_bot
from warehouse.alerts import low_stock
from warehouse.infra import db
from warehouse.infra.credentials import pin_digest, seal
from warehouse.integrations import service_accounts
from warehouse.models import (
    AccountingAccount,
    MarketplaceAccount,
    Product,
    Stock,
    User,
)
from warehouse.stock import ledger

# distinctive values, so that a hit is a leak and not a common word
GOOD = {
    "wb": {"token": "wbKEY-5f1c0e7a9b2d4c68-live"},
    "ozon": {"client_id": "ozCLIENT-83b1f2", "api_key": "ozKEY-0d9e4a7c1b6f5e23-live"},
    "yandex": {"api_key": "ymKEY-6a2f9c4e8b1d7035-live"},
    "megamarket": {
        "token": "mmKEY-9c7b3e1f5a2d8046-live",
        "push_login": "mm-push-login",
        "push_password": "mmPUSHpw-4e8a1c9f7b3d2065",
    },
}
REVOKED = {
    "wb": {"token": "wbKEY-revoked-1a2b3c4d5e6f7081"},
    "ozon": {"client_id": "ozCLIENT-83b1f2", "api_key": "ozKEY-revoked-9f8e7d6c5b4a3921"},
    "yandex": {"api_key": "ymKEY-revoked-2c4e6a8b0d1f3e57"},
    "megamarket": {
        "token": "mmKEY-revoked-7e5c3a1b9d2f4068",
        "push_login": "mm-push-login",
        "push_password": "mmPUSHpw-4e8a1c9f7b3d2065",
    },
}
SANDBOX_CONFIG = {
    "SANDBOX_WB_TOKEN": GOOD["wb"]["token"],
    "SANDBOX_OZON_CLIENT_ID": GOOD["ozon"]["client_id"],
    "SANDBOX_OZON_API_KEY": GOOD["ozon"]["api_key"],
    "SANDBOX_YANDEX_API_KEY": GOOD["yandex"]["api_key"],
    "SANDBOX_MEGAMARKET_TOKEN": GOOD["megamarket"]["token"],
    "SANDBOX_MOYSKLAD_TOKEN": "msTOKEN-right-3b5d7f9a1c2e4068",
}
MOYSKLAD_WRONG = "msTOKEN-wrong-8d6b4f2a0c9e7153"
TELEGRAM_REVOKED = "987654321:AARevokedTokenRevokedTokenRevoked"
PASSWORD = "deskPASS-6f4d2b8a0e1c3957"
PIN = "7391"
# a Client-Id and a push login are names, shown on the settings page: not secrets
NOT_SECRET = {"client_id", "push_login"}

LOGGERS = ("", "httpx", "httpcore", "rq", "rq.worker", "werkzeug", "gunicorn", "warehouse")


def secret_values(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every secret value of this test, named."""
    found = {
        f"{kind} {field} ({state})": value
        for state, table in (("good", GOOD), ("revoked", REVOKED))
        for kind, fields in table.items()
        for field, value in fields.items()
        if field not in NOT_SECRET
    }
    found |= {
        "moysklad token (right)": SANDBOX_CONFIG["SANDBOX_MOYSKLAD_TOKEN"],
        "moysklad token (wrong)": MOYSKLAD_WRONG,
        "telegram token": TOKEN,
        "telegram token (revoked)": TELEGRAM_REVOKED,
        "supervisor password": PASSWORD,
        "api token": app.extensions["api token"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "CREDENTIALS_KEY": CREDENTIALS_KEY,
    }
    return found


class Captured(logging.Handler):
    """Every record, formatted with its traceback, as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs(app) -> Iterator[Captured]:  # type: ignore[no-untyped-def]
    """Every logger at DEBUG (root, httpx, httpcore, rq, werkzeug, gunicorn, ours) into one
    handler on the root, as an operator who turned DEBUG on would see them."""
    handler = Captured()
    before = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def site(app, live_server, zebra):  # type: ignore[no-untyped-def]
    """The demo on every marketplace sandbox, each cabinet sealed with its own key."""
    app.config.update(SANDBOX_CONFIG)
    load_demo(app, live_server, zebra, ("wb", "ozon", "yandex", "megamarket"))
    with app.app_context():
        s = db.session()
        for account in s.scalars(select(MarketplaceAccount)):
            account.credentials_encrypted = seal(GOOD[account.kind], CREDENTIALS_KEY)
        boss = User(name="Boss", role="admin", login="boss", password_hash=hash_of(PASSWORD))
        picker = User(name="Pin", role="picker", badge="B-PIN", pin_digest=pin_of(app, PIN))
        s.add_all([boss, picker])
        s.flush()
        one_c = service_accounts.create(s, "1C", ["orders:read"], boss)
        app.extensions["api token"] = service_accounts.issue_token(s, one_c, boss)
        s.commit()
    return live_server


def hash_of(password: str) -> str:
    return generate_password_hash(password)


def pin_of(app, pin: str) -> str:  # type: ignore[no-untyped-def]
    return pin_digest(pin, app.config["SECRET_KEY"])


def accounts(app) -> dict[str, MarketplaceAccount]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return {a.kind: a for a in db.session().scalars(select(MarketplaceAccount))}


def reseal(app, table: dict[str, dict[str, str]]) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        for account in s.scalars(select(MarketplaceAccount)):
            account.credentials_encrypted = seal(table[account.kind], CREDENTIALS_KEY)
            account.problem = None
        s.commit()


def marketplace_flows(app, site, client, worker) -> None:  # type: ignore[no-untyped-def]
    """Imports and pushes with the right keys, then with revoked ones (401/403), the
    desk's «check the connection», Megamarket's pushes with a right and a wrong password."""
    sandbox_order(site)
    with app.app_context():
        jobs.import_all_orders()
    worker()  # imports, the WB order accepted: confirm and stock pushes through the outbox
    assert {kind: a.problem for kind, a in accounts(app).items()} == dict.fromkeys(GOOD)
    reseal(app, REVOKED)
    with app.app_context():
        jobs.import_all_orders()
        s = db.session()
        product = s.scalars(select(Product)).first()
        stock = s.scalars(select(Stock).where(Stock.product_id == product.id)).first()
        ledger.move(s, stock, 1, "count", document="security", user=None)  # a stock push
        s.commit()
    worker()
    assert {kind: a.problem for kind, a in accounts(app).items()} == dict.fromkeys(GOOD, "auth")
    for account in accounts(app).values():
        client.post(f"/settings/accounts/{account.id}/test")
    mm = accounts(app)["megamarket"].id
    push = f"/push/megamarket/{mm}/order/new"
    for password in (GOOD["megamarket"]["push_password"], "wrong"):
        client.post(push, json={"data": {}}, auth=("mm-push-login", password))


def telegram_flows(app, client, telegram) -> None:  # type: ignore[no-untyped-def]
    """The bot saved on the desk, an alert sent, Telegram down (500), the test button, then a
    revoked token (401)."""
    saved = client.post("/alerts/bot", data={"token": TOKEN, "chat_id": CHAT})
    assert saved.status_code == 302
    with app.app_context():
        s = db.session()
        product = s.scalars(select(Product)).first()
        product.min_stock = 10**6
        low_stock.check(s)
        s.commit()
        assert jobs.send_alerts() == "sent"
    telegram.fail(500)
    assert client.post("/alerts/bot/test").status_code == 200
    with app.app_context():
        s = db.session()
        alert_bot.save(s, token=TELEGRAM_REVOKED, chat_id=CHAT, user=_boss(s))
        s.commit()
        low_stock.check(s)
        s.commit()
    client.post("/alerts/bot/test")
    with app.app_context():
        jobs.send_alerts()
        bot = alert_bot.get(db.session())
        assert bot is not None and bot.problem == "token"
    assert telegram.messages


def _boss(s) -> User:  # type: ignore[no-untyped-def]
    return s.scalars(select(User).where(User.login == "boss")).one()


def moysklad_flows(app, site, client) -> int:  # type: ignore[no-untyped-def]
    """A МойСклад account with a wrong token: the check, an assortment import that fails."""
    with app.app_context():
        s = db.session()
        account = accounting_accounts.create(
            s,
            name="МС",
            base_url=f"{site.url}/sandbox/moysklad/api/remap/1.2",
            token=MOYSKLAD_WRONG,
            credentials_key=CREDENTIALS_KEY,
        )
        s.commit()
        account_id = account.id
    client.post(f"/settings/accounting/{account_id}/test")
    with app.app_context():
        s = db.session()
        sync = assortment.start(s, s.get_one(AccountingAccount, account_id))
        s.commit()
        jobs.sync_assortment(sync.id)
        assert s.get_one(AccountingAccount, account_id).problem == "auth"
    return account_id


def pages(app, client, accounting_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The pages that show errors and settings, and the error pages."""
    urls = ["/operations", "/settings/accounts", "/alerts/", "/settings/accounting/", "/"]
    urls += [f"/settings/accounts/{a.id}" for a in accounts(app).values()]
    urls += [f"/settings/accounting/{accounting_id}", "/no-such-page", "/tsd/no-such-page"]
    urls += ["/settings/accounts/987654321", "/api/v1/orders", "/integrations/"]
    shown = {url: client.get(url, follow_redirects=True) for url in urls}
    token = app.extensions["api token"]
    bearer = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    shown["/api/v1/orders (bearer)"] = bearer
    assert shown["/operations"].status_code == 200 and shown["/alerts/"].status_code == 200
    return {url: answer.get_data(as_text=True) for url, answer in shown.items()}


def database_text(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every row of every table, read with plain SQL, as text (bytes decoded loosely)."""
    engine = app.extensions["db.engine"]
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                cells = [
                    bytes(cell).decode("latin-1") if isinstance(cell, bytes | memoryview) else cell
                    for cell in row
                ]
                found[f"{table}:{row[0]}"] = repr(cells)
    return found


def redis_text(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every key of Redis (RQ's jobs, their results and failures), decompressed."""
    r = Redis.from_url(app.config["REDIS_URL"])
    found: dict[str, str] = {}
    for key in r.scan_iter():
        kind = r.type(key)
        if kind == b"string":
            values = [r.get(key)]
        elif kind == b"hash":
            values = list(r.hgetall(key).values())
        elif kind == b"list":
            values = r.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(r.smembers(key))
        elif kind == b"zset":
            values = r.zrange(key, 0, -1)
        elif kind == b"stream":
            values = [repr(entry).encode() for entry in r.xrange(key)]
        else:
            values = []
        found[key.decode()] = " ".join(_readable(value) for value in values if value)
    return found


def _readable(value: bytes) -> str:
    with contextlib.suppress(zlib.error):
        value = zlib.decompress(value)
    return value.decode("latin-1")


def hits(secrets: dict[str, str], places: dict[str, str]) -> list[tuple[str, str, str]]:
    """(secret's name, place, the text around it) for every place holding a secret."""
    found = []
    for name, value in secrets.items():
        for place, content in places.items():
            at = content.find(value)
            if at >= 0:
                found.append((name, place, content[max(0, at - 80) : at + 80]))
    return found


def test_no_secret_is_plain_in_the_database_a_log_redis_or_a_page(
    app, site, client, worker, telegram, captured_logs
):
    client.post("/login", data={"login": "boss", "password": PASSWORD})
    marketplace_flows(app, site, client, worker)
    telegram_flows(app, client, telegram)
    accounting_id = moysklad_flows(app, site, client)
    shown = pages(app, client, accounting_id)
    secrets = secret_values(app)
    places = {
        **{f"log line {n}": line for n, line in enumerate(captured_logs.lines)},
        **{f"table {place}": row for place, row in database_text(app).items()},
        **{f"redis {key}": value for key, value in redis_text(app).items()},
        **{f"page {url}": html for url, html in shown.items()},
    }
    leaks = hits(secrets, places)
    record(secrets_checked=len(secrets), places_grepped=len(places), leaks=len(leaks))
    assert not leaks, "\n".join(map(repr, leaks))
    # the flows did log, store and show what they met (or the grep proved nothing)
    assert any(line.startswith("httpx ") for line in captured_logs.lines)
    assert any("refused" in row for place, row in places.items() if place.startswith("table"))


def test_sealed_columns_pins_and_passwords_hold_no_plain_value(app, site):
    """Read with plain SQL: credentials and the bot's token are Fernet tokens, a PIN an
    HMAC, a password a salted hash."""
    with app.app_context():
        s = db.session()
        alert_bot.save(s, token=TOKEN, chat_id=CHAT, user=_boss(s), credentials_key=CREDENTIALS_KEY)
        accounting_accounts.create(
            s,
            name="МС",
            base_url="http://127.0.0.1:9",
            token=MOYSKLAD_WRONG,
            credentials_key=CREDENTIALS_KEY,
        )
        s.commit()
    engine = app.extensions["db.engine"]
    with engine.connect() as conn:
        sealed = [
            *conn.execute(text("SELECT credentials_encrypted FROM marketplace_accounts")),
            *conn.execute(text("SELECT credentials_encrypted FROM accounting_accounts")),
            *conn.execute(text("SELECT token_encrypted FROM alert_bots")),
        ]
        people = list(conn.execute(text("SELECT pin_digest, password_hash FROM users")))
    assert len(sealed) == 6
    for (cell,) in sealed:
        raw = bytes(cell)
        assert raw.startswith(b"gAAAAA")  # a Fernet token, nothing else
        for value in (*secret_values(app).values(), "sandbox"):
            assert value.encode() not in raw
    digests = [pin for pin, _ in people if pin]
    hashes = [password for _, password in people if password]
    assert pin_of(app, PIN) in digests and PIN not in digests
    assert all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests)
    assert hashes and all(h.startswith(("scrypt:", "pbkdf2:")) for h in hashes)
    assert PASSWORD not in " ".join(hashes)
