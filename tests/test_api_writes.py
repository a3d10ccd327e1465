"""The integration API's writes (issue 16): products in batches, stock corrections as
inventory documents in the ledger, and Idempotency-Key on every POST; the reads of
stock, free stock per marketplace account, movements and hand-overs."""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories as f
from tests.test_api import _token, _token_row, bearer
from warehouse.infra import db
from warehouse.infra.credentials import seal
from warehouse.models import (
    API_SCOPES,
    IdempotentCall,
    Listing,
    Product,
    Stock,
    StockCorrection,
    StockMove,
)
from warehouse.stock import ledger


def _shop(app) -> dict[str, int]:
    """A warehouse with bins A-01 (10 mugs) and A-02, a WB cabinet selling the mug."""
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        account = f.make_account(s, warehouse)
        mug = f.make_product(s, "Mug", "4600000000015", article="MUG")
        a01, a02 = f.make_location(s, warehouse, "A-01"), f.make_location(s, warehouse, "A-02")
        f.put_stock(s, mug, a01, 10)
        s.add(Listing(account_id=account.id, sku="4600000000015", product_id=mug.id))
        f.make_supervisor(s, "root", "root", role="admin")
        s.commit()
        return {
            "account": account.id,
            "mug": mug.id,
            "a01": a01.id,
            "a02": a02.id,
            "warehouse": warehouse.id,
        }


def write(client, path: str, token: str, body: dict, key: str | None = None):  # type: ignore[no-untyped-def]
    headers = {**bearer(token), "Idempotency-Key": key or str(uuid.uuid4())}
    return client.post(path, headers=headers, json=body)


def test_products_are_created_and_updated_in_a_batch_all_or_nothing(app, client):
    _shop(app)
    token = _token(app, ("products:write", "products:read"))
    made = write(
        client,
        "/api/v1/products",
        token,
        {
            "items": [
                {
                    "article": "KETTLE",
                    "name": "Чайник",
                    "barcodes": ["4600000000022"],
                    "cost_price_kopecks": 123450,
                    "min_stock": 3,
                },
                {"article": "MUG", "cost_price_kopecks": 9900},
            ]
        },
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    results = {item["article"]: item for item in made.get_json()["items"]}
    assert results["KETTLE"]["result"] == "created"
    assert results["MUG"]["result"] == "updated" and results["MUG"]["changes"] == ["cost_price"]
    with app.app_context():
        s = db.session()
        kettle = s.scalar(select(Product).where(Product.article == "KETTLE"))
        assert kettle is not None and kettle.cost_price == 123450 and kettle.min_stock == 3
        mug = s.scalar(select(Product).where(Product.article == "MUG"))
        assert mug is not None and mug.name == "Mug" and mug.cost_price == 9900
        assert [b.barcode for b in mug.barcodes] == ["4600000000015"]  # left alone
    refused = write(
        client,
        "/api/v1/products",
        token,
        {
            "items": [
                {"article": "NEW", "name": "New"},
                {"article": "KETTLE", "barcodes": ["4600000000015"]},  # the mug's
                {
                    "article": "BAD",
                    "name": "Bad",
                    "barcodes": ["4600000000012"],
                },  # a wrong check digit
            ]
        },
    )
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "refused"
    assert {error["where"] for error in problem["errors"]} == {"items.1", "items.2"}
    assert "MUG" in problem["errors"][0]["message"]
    with app.app_context():
        assert db.session().scalar(select(Product).where(Product.article == "NEW")) is None
    listed = client.get("/api/v1/products", headers=bearer(token)).get_json()
    kettle_out = next(p for p in listed["items"] if p["article"] == "KETTLE")
    assert kettle_out["cost_price_kopecks"] == 123450 and kettle_out["barcodes"] == [
        "4600000000022"
    ]


def test_a_post_sent_again_changes_nothing_twice(app, client):
    _shop(app)
    token = _token(app, ("products:write",))
    body = {"items": [{"article": "KETTLE", "name": "Чайник"}]}
    first = write(client, "/api/v1/products", token, body, key="k-1")
    again = write(client, "/api/v1/products", token, body, key="k-1")
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    other = write(
        client, "/api/v1/products", token, {"items": [{"article": "X", "name": "X"}]}, key="k-1"
    )
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"
    missing = client.post("/api/v1/products", headers=bearer(token), json=body)
    assert missing.status_code == 422
    assert [e["where"] for e in missing.get_json()["errors"]] == ["Idempotency-Key"]
    another_account = _token(app, ("products:write",))  # keys are per service account
    own = write(client, "/api/v1/products", another_account, body, key="k-1")
    assert own.status_code == 200 and "Idempotent-Replayed" not in own.headers


def test_a_stock_correction_is_an_inventory_document_in_the_ledger(app, client):
    ids = _shop(app)
    token = _token(app, ("stock:write", "stock:read"))
    body = {
        "number": "ИНВ-0007",
        "reason": "инвентаризация 1С",
        "lines": [
            {"article": "MUG", "bin": "A-01", "counted": 7},
            {"article": "MUG", "bin": "A-02", "counted": 4},
        ],
    }
    posted = write(client, "/api/v1/stock/corrections", token, body, key="inv-7")
    assert posted.status_code == 201, posted.get_data(as_text=True)
    document = posted.get_json()
    assert [
        (line["bin"], line["before"], line["counted"], line["change"]) for line in document["lines"]
    ] == [("A-01", 10, 7, -3), ("A-02", 0, 4, 4)]
    again = write(client, "/api/v1/stock/corrections", token, body, key="inv-7")
    assert again.status_code == 201 and again.get_json() == document
    with app.app_context():
        s = db.session()
        moves = s.scalars(select(StockMove).where(StockMove.reason == "correction")).all()
        assert sorted((m.location_id, m.quantity) for m in moves) == sorted(
            [(ids["a01"], -3), (ids["a02"], 4)]
        )
        assert {m.document for m in moves} == {document["document"]}
        assert ledger.disagreements(s) == []
        on_hand = dict(s.execute(select(Stock.location_id, Stock.on_hand)).tuples().all())
        assert on_hand == {ids["a01"]: 7, ids["a02"]: 4}
    twice = write(client, "/api/v1/stock/corrections", token, body)  # a new key, same number
    assert twice.status_code == 422 and "ИНВ-0007" in twice.get_json()["detail"]
    wrong = write(
        client,
        "/api/v1/stock/corrections",
        token,
        {
            "number": "ИНВ-8",
            "lines": [
                {"article": "MUG", "bin": "A-01", "counted": 1},
                {"article": "NOPE", "bin": "A-01", "counted": 1},
                {"article": "MUG", "bin": "Z-99", "counted": 1},
            ],
        },
    )
    assert wrong.status_code == 422
    assert [e["where"] for e in wrong.get_json()["errors"]] == ["lines.1", "lines.2"]
    with app.app_context():
        assert (
            db.session().scalar(select(StockCorrection).where(StockCorrection.number == "ИНВ-8"))
            is None
        )
    read = client.get(f"/api/v1/stock/corrections/{document['id']}", headers=bearer(token))
    assert read.get_json() == document
    moved = client.get("/api/v1/movements", headers=bearer(token)).get_json()
    assert [(m["bin"], m["quantity"], m["reason"]) for m in moved["items"]][-2:] == [
        ("A-01", -3, "correction"),
        ("A-02", 4, "correction"),
    ]
    assert (
        client.get(f"/api/v1/movements?after={moved['next']}", headers=bearer(token)).get_json()[
            "items"
        ]
        == []
    )


def test_a_correction_below_the_reserved_units_is_refused_and_writes_nothing(app, client):
    ids = _shop(app)
    with app.app_context():
        s = db.session()
        account = s.get_one(f.MarketplaceAccount, ids["account"])
        f.import_order(s, account, "R1", ("4600000000015", 2))  # 2 mugs reserved in A-01
        s.commit()
    token = _token(app, ("stock:write",))
    refused = write(
        client,
        "/api/v1/stock/corrections",
        token,
        {
            "number": "1",
            "lines": [
                {"article": "MUG", "bin": "A-02", "counted": 5},
                {"article": "MUG", "bin": "A-01", "counted": 1},
            ],
        },
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["where"] == "lines.1"
    assert "2" in refused.get_json()["errors"][0]["message"]
    with app.app_context():
        s = db.session()
        assert s.scalars(select(StockMove).where(StockMove.reason == "correction")).all() == []
        assert s.scalar(select(StockCorrection)) is None


def test_stock_free_stock_per_account_and_the_desk_see_the_correction(app, client):
    ids = _shop(app)
    token = _token(app, API_SCOPES)
    write(
        client,
        "/api/v1/stock/corrections",
        token,
        {"number": "5", "lines": [{"article": "MUG", "bin": "A-01", "counted": 6}]},
    )
    rows = client.get("/api/v1/stock?article=MUG", headers=bearer(token)).get_json()["items"]
    assert [(r["bin"], r["on_hand"], r["reserved"], r["free"]) for r in rows] == [("A-01", 6, 0, 6)]
    free = client.get(
        f"/api/v1/stock/free?account_id={ids['account']}", headers=bearer(token)
    ).get_json()
    assert free["marketplace"] == "wb"
    assert [(c["sku"], c["free"]) for c in free["items"]] == [("4600000000015", 6)]
    missing = client.get("/api/v1/stock/free?account_id=987654", headers=bearer(token))
    assert missing.status_code == 404
    client.post("/login", data={"login": "root", "password": "root"})
    history = client.get(f"/products/{ids['mug']}/history").get_data(as_text=True)
    assert "корректировка из учётной системы" in history
    link = re.search(r'href="(/stock/corrections/\d+)"', history)
    assert link is not None
    document = client.get(link.group(1)).get_data(as_text=True)
    assert "Корректировка остатков 5" in document and "Было" in document
    assert client.get("/stock/corrections/987654").status_code == 404


def test_handovers_with_their_parcels(app, client):
    _shop(app)
    token = _token(app, ("handovers:read",))
    empty = client.get("/api/v1/handovers", headers=bearer(token)).get_json()
    assert empty == {"items": [], "next": 0, "has_more": False}
    assert client.get("/api/v1/handovers/987654", headers=bearer(token)).status_code == 404


def test_a_text_no_database_can_store_is_refused_in_words(app, client):
    _shop(app)
    token = _token(app, ("products:write",))
    for article in ("A\u0000B", "A\ud83dB"):  # a NUL; half of a surrogate pair
        refused = write(client, "/api/v1/products", token, {"items": [{"article": article}]})
        assert refused.status_code == 422, article
        assert "NUL" in refused.get_json()["detail"]


def test_bins_are_created_and_updated_in_a_batch(app, client):
    _shop(app)
    token = _token(app, ("products:write", "products:read"))
    made = write(
        client,
        "/api/v1/bins",
        token,
        {
            "items": [
                {"code": "C-01", "zone": "C", "walk_order": 30},
                {"code": "A-01", "zone": "A"},
            ]
        },
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    items = made.get_json()["items"]
    assert [(i["code"], i["result"], i["changes"]) for i in items] == [
        ("C-01", "created", []),
        ("A-01", "updated", ["zone"]),
    ]
    listed = client.get("/api/v1/bins", headers=bearer(token)).get_json()["items"]
    by_code = {b["code"]: b for b in listed}
    assert by_code["C-01"]["barcode"] == "LOC-C-01" and by_code["C-01"]["walk_order"] == 30
    assert by_code["A-01"]["zone"] == "A" and by_code["A-01"]["barcode"] == "LOC-A-01"
    refused = write(
        client,
        "/api/v1/bins",
        token,
        {"items": [{"code": "D-01"}, {"code": "E-01", "warehouse": "NOPE"}]},
    )
    assert refused.status_code == 422
    assert [e["where"] for e in refused.get_json()["errors"]] == ["items.1"]
    listed = client.get("/api/v1/bins", headers=bearer(token)).get_json()["items"]
    assert "D-01" not in {b["code"] for b in listed}  # all or nothing


def test_a_retry_sent_while_the_first_call_is_under_way_gets_the_first_answer(app, client):
    """The key is claimed before the work: the retry waits on it, then replays."""
    _shop(app)
    token = _token(app, ("products:write",))
    raw = b'{"items": [{"article": "KETTLE", "name": "Kettle"}]}'
    digest = hashlib.sha256(b"\0".join([b"POST", b"/api/v1/products", raw])).hexdigest()
    first_answer = (
        '{"items": [{"article": "KETTLE", "id": 99, "result": "created", "changes": []}]}'
    )
    engine = app.extensions["db.engine"]
    with app.app_context():
        account_id = _token_row(db.session(), token).account_id
    claimed = threading.Event()

    def first_call() -> None:  # still at work: its key claimed and its product made, not committed
        with Session(engine) as first:
            first.add(Product(article="KETTLE", name="Kettle"))  # a unique article
            first.add(
                IdempotentCall(
                    account_id=account_id,
                    key="k-race",
                    method="POST",
                    path="/api/v1/products",
                    request_hash=digest,
                    status=200,
                    body=seal({"body": first_answer}, app.config["CREDENTIALS_KEY"]).decode(),
                )
            )
            first.flush()
            claimed.set()
            time.sleep(0.5)
            first.commit()

    worker = threading.Thread(target=first_call)
    worker.start()
    claimed.wait(5)
    try:
        retry = client.post(
            "/api/v1/products",
            data=raw,
            content_type="application/json",
            headers={**bearer(token), "Idempotency-Key": "k-race"},
        )
    finally:
        worker.join()
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["items"][0]["id"] == 99  # the first call's answer, not its own
    with app.app_context():
        made = db.session().scalars(select(Product).where(Product.article == "KETTLE")).all()
        assert len(made) == 1


def test_a_stored_answer_is_sealed(app, client):
    _shop(app)
    token = _token(app, ("webhooks", "orders:read"))
    made = write(
        client,
        "/api/v1/webhooks",
        token,
        {"url": "http://127.0.0.1:9/hook", "events": ["order.status_changed"]},
        key="sub-1",
    )
    secret = made.get_json()["secret"]
    with app.app_context():
        stored = db.session().scalar(select(IdempotentCall))
        assert stored is not None and secret not in stored.body
    again = write(
        client,
        "/api/v1/webhooks",
        token,
        {"url": "http://127.0.0.1:9/hook", "events": ["order.status_changed"]},
        key="sub-1",
    )
    assert again.get_json()["secret"] == secret  # the retrying caller still gets it
