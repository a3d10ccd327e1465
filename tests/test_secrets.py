"""Keys never leak (issue #14 item 5): every cabinet's key refused by its marketplace,
then the imports, the FBO reads and the desk's pages — and not one secret in the logs
(every logger, DEBUG), in the errors kept in the database, or in a page's HTML; the
sealed credentials hold none of them in the clear."""

from __future__ import annotations

import logging

from sqlalchemy import select, text

from tests.conftest import CREDENTIALS_KEY, load_demo
from warehouse import jobs
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.models import MarketplaceAccount

SECRETS = {
    "wb": {"token": "SECRET-wb-7f3a9c"},
    "ozon": {"client_id": "SECRET-ozon-id-41", "api_key": "SECRET-ozon-key-9b2e"},
    "yandex": {"api_key": "SECRET-ym-c0ffee"},
    "megamarket": {"token": "SECRET-mm-51ab", "push_login": "x", "push_password": "SECRET-mmpw"},
}
EVERY = [value for fields in SECRETS.values() for value in fields.values() if "SECRET" in value]


def test_no_key_in_logs_errors_pages_or_the_database_in_clear(
    app, live_server, zebra, client, caplog
):
    load_demo(app, live_server, zebra, ("wb", "ozon", "yandex", "megamarket"))
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    for name in ("httpx", "httpcore", "rq", "werkzeug", "warehouse", "printers"):
        caplog.set_level(logging.DEBUG, logger=name)
    with app.app_context():
        s = db.session()
        accounts = list(s.scalars(select(MarketplaceAccount)))
        for account in accounts:
            account.credentials_encrypted = seal(SECRETS[account.kind], CREDENTIALS_KEY)
        s.commit()
        ids = [account.id for account in accounts]
    with app.app_context():
        for account_id in ids:
            for job in (jobs.import_orders, jobs.import_cards, jobs.read_fbo_stock):
                try:
                    job(account_id)
                except Exception as exc:  # a job RQ would mark failed: its text is kept too
                    logging.getLogger("rq.worker").exception("job failed: %s", exc)
    client.post("/login", data={"login": "admin", "password": "admin"})
    pages = ["/", "/operations/", "/settings/accounts", "/stock/", "/alerts/"]
    pages += [f"/orders?account={account_id}" for account_id in ids]
    html = "".join(client.get(page, follow_redirects=True).get_data(as_text=True) for page in pages)
    with app.app_context():
        stored = db.session().execute(
            text(
                "SELECT coalesce(last_error, '') FROM marketplace_accounts "
                "UNION ALL SELECT coalesce(error, '') FROM fbo_reads "
                "UNION ALL SELECT coalesce(last_error, '') FROM outbox"
            )
        )
        kept = " ".join(row[0] for row in stored)
        sealed = b"".join(db.session().scalars(select(MarketplaceAccount.credentials_encrypted)))
        refused = db.session().scalars(select(MarketplaceAccount.problem)).all()
    assert "auth" in refused  # the keys were really tried and refused
    for secret in EVERY:
        assert secret not in caplog.text, secret
        assert secret not in html, secret
        assert secret not in kept, secret
        assert secret.encode() not in sealed, secret
