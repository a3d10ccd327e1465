"""Bad input gets a clear answer and writes nothing (issue #14 item 4): property-based
tests on the marking-code and barcode parsing, and random bytes, huge values, control
characters and Cyrillic-layout text sent to every form of ours as a logged-in admin.

Every example tried is counted in ``test-artifacts/reliability/badinput.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.test_security import PUBLIC, our_routes, person_client
from warehouse.floor import marking
from warehouse.infra import db
from warehouse.models import (
    MarketplaceAccount,
    Order,
    OutboxCommand,
    PickTask,
    Printer,
    Product,
    Stock,
    StockMove,
    User,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "reliability"
TRIED: dict[str, int] = {}
EN_TO_RU = {ord(en): ru for ru, en in ((chr(k), chr(v)) for k, v in marking.RU_TO_EN.items())}
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
NASTY = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.text(alphabet="\x00\x1d\r\n\t\x7f\u200b\ufeff", max_size=20),
    st.text(alphabet="йцукенгшщзхъфывапролджэячсмитьбю0123456789", max_size=40),
    st.sampled_from(["-1", "0", str(2**63), str(10**30), "1e309", "NaN", "", " ", "<script>"]),
)


def _tried(area: str) -> None:
    TRIED[area] = TRIED.get(area, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = {"inputs_tried": TRIED, "five_hundreds": 0, "written_on_refusal": 0}
    (ARTIFACTS / "badinput.json").write_text(json.dumps(figures, indent=1))


def _gtin(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


codes = st.builds(
    lambda body, serial, key: f"01{_gtin(body)}21{serial}\x1d93{key}",
    st.text(alphabet="0123456789", min_size=13, max_size=13),
    st.text(alphabet=CSET82, min_size=6, max_size=20).filter(lambda s: "\x1d" not in s),
    st.text(alphabet=CSET82, min_size=4, max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
@example("0104601234567893215Ab!c\x1d93dGVz")
@example("\x1d\x1d01")
@example("(01)04601234567893")
def test_any_scan_is_read_or_refused_with_a_reason(raw: str) -> None:
    _tried("marking_parse")
    try:
        code = marking.parse(raw)
    except marking.MalformedCode as refused:
        assert refused.reason  # a reason the ТСД can say
    else:
        assert marking.gtin_valid(code.gtin) and code.serial
        assert marking.parse(code.full) == code  # what we send is what we read
    found = marking.scanned_gtin(raw)
    assert found is None or (len(found) == 14 and marking.gtin_valid(found))
    assert isinstance(marking.looks_like_marking(raw), bool)


@settings(max_examples=200, deadline=None)
@given(codes, st.sampled_from(["", "]d2", "]C1"]), st.booleans())
def test_a_valid_code_is_read_whatever_the_scanner_adds(code: str, prefix: str, cyrillic: bool):
    """AIM prefixes, a trailing Enter, a Russian keyboard layout on the terminal."""
    _tried("marking_valid")
    sent = prefix + code + "\r\n"
    if cyrillic:
        sent = sent.translate(EN_TO_RU)
    read = marking.parse(sent)
    assert read.full == code and marking.looks_like_marking(sent)
    marking.require_crypto(read)


def _written(app) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        tables = (Order, OutboxCommand, PickTask, Printer, Product, Stock, StockMove, User)
        counts = [s.scalar(select(func.count()).select_from(t)) or 0 for t in tables]
        counts.append(s.scalar(select(func.count()).select_from(MarketplaceAccount)) or 0)
        return tuple(counts)


FIELDS = [
    "barcode",
    "name",
    "badge",
    "zone",
    "warehouse_id",
    "warehouse",
    "status",
    "printer_id",
    "pin",
    "password",
    "marketplace",
    "login",
    "kind",
    "decision",
    "code",
    "base_url",
    "token",
    "q",
    "station",
    "roles",
    "product_id",
    "picker_id",
    "order",
    "next",
    "external",
    "dpi",
    "account_id",
    "quantity",
    "count",
    "copies",
    "min_stock",
    "walk_order",
    "width_mm",
    "weight_g",
    "scan_id",
    "reason",
    "size",
    "per_cart",
    "max_lines",
    "label_size",
]
# the price desk's figures (#17)
NUMBERS = ["max_change", "markup", "discount", "commission", "logistics", "price", "subject_id"]


def test_every_form_answers_random_input_without_a_500_and_refusals_write_nothing(app):
    """One admin, every POST of ours (ids that do not exist, so nothing can be found to
    change): random values in the fields our forms read."""
    from tests import factories as f

    with app.app_context():
        f.make_warehouse(db.session())
        db.session().commit()
    client = person_client(app, "fuzzer", ("admin",))
    posts = [
        (endpoint, url)
        for endpoint, method, url in our_routes(app)
        if method == "POST" and endpoint not in PUBLIC and "logout" not in endpoint
    ]

    @settings(
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        st.sampled_from(posts),
        st.dictionaries(st.sampled_from(FIELDS + NUMBERS), NASTY, max_size=6),
    )
    def post(route: tuple[str, str], form: dict[str, str]) -> None:
        _tried("forms")
        before = _written(app)
        answer = client.post(route[1], data=form, headers={"HX-Request": "true"})
        assert answer.status_code < 500, (route, form, answer.status_code)
        if 400 <= answer.status_code < 500:
            assert _written(app) == before, (route, form)

    post()


def test_a_nul_character_is_refused_in_words_before_anything_reads_it(app, client):
    """PostgreSQL cannot hold NUL: a scanner sending one gets words, not a 500."""
    from tests import factories as f

    with app.app_context():
        f.make_warehouse(db.session())
        db.session().commit()
    fuzzer = person_client(app, "nul", ("admin",))
    for url, data in (
        ("/tsd/tasks/1/scan", {"barcode": "46012\x0034567893", "scan_id": "x"}),
        ("/tsd/tasks/1/scan", {"barcode": "4601234567893", "scan_id": "x\x00"}),
        ("/catalogue/products", {"article": "A\x00", "name": "N"}),
    ):
        answer = fuzzer.post(url, data=data, headers={"HX-Request": "true"})
        assert answer.status_code == 422, url
        assert "NUL" in answer.get_data(as_text=True)
    assert client.post("/tsd/login", data={"badge": "\x00"}).status_code == 422
    assert fuzzer.get("/stock/?q=%00").status_code == 422


ID_AND_COUNT_FIELDS = [
    *("warehouse_id", "printer_id", "product_id", "picker_id", "account_id", "item", "task_id"),
    *("quantity", "count", "copies", "min_stock", "walk_order", "width_mm", "weight_g", "dpi"),
    *("size", "per_cart", "max_lines", "counted", "shown", "per_minute", "first", *NUMBERS),
]


def test_every_form_takes_a_number_too_large_for_the_database_without_a_500(app):
    """Each number field of every form alone, too large for an INTEGER column (SQLite
    cannot even bind 2**63): a refusal or a 404, never the driver's OverflowError."""
    from tests import factories as f

    with app.app_context():
        f.make_warehouse(db.session())
        db.session().commit()
    client = person_client(app, "huge", ("admin",))
    posts = [
        url
        for endpoint, method, url in our_routes(app)
        if method == "POST" and endpoint not in PUBLIC and "logout" not in endpoint
    ]
    for field in ID_AND_COUNT_FIELDS:
        for url in posts:
            answer = client.post(url, data={field: str(2**63)}, headers={"HX-Request": "true"})
            assert answer.status_code < 500, (url, field, answer.status_code)
