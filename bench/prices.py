"""Price pushes (issue #17): 10,000 products priced on each of the four marketplaces.

    .venv/bin/python bench/prices.py [--products 10000]

A fresh database with 10,000 products (cost prices) and a card of each in four cabinets
(WB, Ozon, Yandex Market, Megamarket) served by the sandboxes of a gunicorn on loopback.
Per cabinet: a rule drafts a price document over every card (the guards run on each line),
it is applied (the prices written, the push owed), and the ``push_prices`` command is
delivered as the worker delivers it (``outbox.deliver`` → the connector's calls, a
thousand cards at a time; WB's upload then read back through ``check_prices``). Prints
products per second for each step and for the whole way; ``bench/run.py`` calls
``measure``.

The sandboxes know none of these cards (they know the demo's five), so Ozon and WB refuse
them card by card and YM and Megamarket ignore them: the calls, batches and answers are
the real ones, and so is every card's outcome kept on its price.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from bench import common
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.marketplaces import commands, outbox
from warehouse.models import (
    Listing,
    MarketplaceAccount,
    OutboxCommand,
    Price,
    PriceList,
    Product,
    Warehouse,
    utcnow,
)
from warehouse.pricing import documents, push, rules

KINDS = ("wb", "ozon", "yandex", "megamarket")
CREDENTIALS = {
    "wb": {"token": "sandbox"},
    "ozon": {"client_id": "sandbox", "api_key": "sandbox"},
    "yandex": {"api_key": "sandbox"},
    "megamarket": {"token": "sandbox"},
}
SETTINGS = {
    "wb": {"warehouse_id": "1000001", "content_url": "/sandbox/wb/content-api"}
    | {"prices_url": "/sandbox/wb/prices-api"},
    "ozon": {"warehouse_id": "1"},
    "yandex": {"business_id": "1", "campaign_id": "1"},
    "megamarket": {"merchant_id": "5401"},
}


def _catalogue(session: Any, key: str, site: str, count: int) -> list[PriceList]:
    warehouse = Warehouse(code="MAIN", name="Склад")
    session.add(warehouse)
    session.flush()
    session.execute(
        insert(Product),
        [
            {"article": f"ART-{n:05}", "name": f"Товар {n}", "cost_price": 10_000 + n * 7}
            | {"category": ""}
            for n in range(count)
        ],
    )
    products = session.scalars(select(Product.id).order_by(Product.id)).all()
    lists = []
    for kind in KINDS:
        account = MarketplaceAccount(
            kind=kind,
            name=kind,
            base_url=f"{site}/sandbox/{kind}",
            credentials_encrypted=seal(CREDENTIALS[kind], key),
            warehouse_id=warehouse.id,
            settings={
                name: f"{site}{value}" if value.startswith("/") else value
                for name, value in SETTINGS[kind].items()
            },
        )
        session.add(account)
        session.flush()
        session.execute(
            insert(Listing),
            [
                {
                    "account_id": account.id,
                    "product_id": product_id,
                    "sku": f"ART-{n:05}" if kind != "wb" else str(900_000 + n),
                    "marketplace_id": str(800_000 + n),
                    "article": f"ART-{n:05}",
                    "barcodes": [],
                }
                for n, product_id in enumerate(products)
            ],
        )
        plist = PriceList(account=account, name="bench", commission_bp=1500, logistics=5000)
        plist.max_change_percent = 1000
        session.add(plist)
        lists.append(plist)
    session.commit()
    return lists


def _deliver_all(session: Any, account_id: int, backoff: tuple[int, ...]) -> int:
    """Every pending command of the account delivered, as the worker would; returns calls."""
    rounds = 0
    while True:
        pending = session.scalars(
            select(OutboxCommand.id)
            .where(OutboxCommand.account_id == account_id, OutboxCommand.status == "pending")
            .order_by(OutboxCommand.id)
        ).all()
        if not pending:
            return rounds
        for command_id in pending:
            session.execute(
                OutboxCommand.__table__.update()
                .where(OutboxCommand.id == command_id)
                .values(next_attempt_at=utcnow())
            )
            outbox.deliver(session, command_id, commands.send, backoff)
            session.commit()
            rounds += 1
        if rounds > 200:
            raise SystemExit("the push did not settle")
        time.sleep(0.2)  # WB's upload is processed a moment later


def _timed(label: str, count: int, step: Any) -> tuple[Any, float]:
    begin = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - begin
    print(f"  {label:<34} {seconds:7.2f} s  {count / seconds:9.0f} products/s")
    return result, seconds


def _run(count: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-prices-"))
    port = common.free_port()
    site = f"http://127.0.0.1:{port}"
    env = common.environment(
        workdir,
        common.fresh_database(workdir),
        WAREHOUSE_SANDBOX_ENABLED="true",
        WAREHOUSE_SANDBOX_DATABASE_URL=f"sqlite:///{workdir / 'sandbox.db'}",
        WAREHOUSE_SANDBOX_WB_PRICE_TASK_SECONDS="0",
        WAREHOUSE_MARKETPLACE_TIMEOUT="60",
    )
    app = common.migrated_app(env, workdir)
    server = common.serve("wsgi:app", env, port)
    figures: dict[str, Any] = {"products": count}
    try:
        with app.app_context():
            session = db.session()
            lists = _catalogue(session, env["WAREHOUSE_CREDENTIALS_KEY"], site, count)
            backoff = (1, 1, 2)
            total = 0.0
            for plist in lists:
                kind = plist.account.kind
                print(f"{kind}, {count} cards:")
                doc, drafted = _timed(
                    "draft by a rule (guards)",
                    count,
                    lambda plist=plist: rules.draft(
                        session, plist, rules.Rule(markup_percent=80, ending="90"), None
                    ),
                )
                _ignored, applied = _timed(
                    "apply (prices written)",
                    count,
                    lambda doc=doc: (documents.apply(session, doc, None), session.commit()),
                )
                calls, pushed = _timed(
                    "push to the marketplace",
                    count,
                    lambda plist=plist: _deliver_all(session, plist.account_id, backoff),
                )
                answered = session.scalar(
                    select(func.count(Price.id)).where(
                        Price.account_id == plist.account_id,
                        Price.push_status.in_(("sent", "refused")),
                    )
                )
                assert answered == count, f"{kind}: {answered} of {count} prices answered"
                whole = drafted + applied + pushed
                total += whole
                figures[f"{kind}_push_per_s"] = round(count / pushed)
                figures[f"{kind}_products_per_s"] = round(count / whole)
                figures[f"{kind}_commands"] = calls
            figures["products_per_s"] = round(len(lists) * count / total)
            assert push.PUSH_KIND == "push_prices"
    finally:
        common.stop(server)
    return figures


def measure(count: int = 10_000) -> dict[str, Any]:
    return _run(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()
    figures = measure(args.products)
    print(figures)


if __name__ == "__main__":
    main()
