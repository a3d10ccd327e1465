"""Where one scan's time goes: N scans through the app in process (no HTTP), profiled
with pyinstrument, and the SQL statements each one runs.

    .venv/bin/python bench/profile_scan.py [--scans 2000] [--html /tmp/scan.html]

A fresh SQLite file and the embedded Redis, the demo data and one picker with a long task.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warehouse import create_app, demo  # noqa: E402
from warehouse.demo_catalogue import PRODUCTS  # noqa: E402
from warehouse.infra import db, migrate, queue  # noqa: E402
from warehouse.marketplaces.base import IncomingLine, IncomingOrder  # noqa: E402
from warehouse.models import MarketplaceAccount, Stock, User  # noqa: E402
from warehouse.orders import intake  # noqa: E402

SHIRT = PRODUCTS[1]


def make_app(workdir: Path, units: int):
    os.environ.update(
        {
            "WAREHOUSE_ENV": "dev",
            "WAREHOUSE_SECRET_KEY": uuid.uuid4().hex,
            "WAREHOUSE_CREDENTIALS_KEY": Fernet.generate_key().decode(),
            "WAREHOUSE_LOG_LEVEL": "WARNING",
            "WAREHOUSE_DATABASE_URL": os.environ.get(
                "WAREHOUSE_DATABASE_URL", f"sqlite:///{workdir / 'warehouse.db'}"
            ),
        }
    )
    app = create_app()
    if app.config["REDIS_URL"] == "embedded":
        app.config["REDIS_URL"] = queue.start_embedded(str(workdir))
    migrate.upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        s = db.session()
        demo.load(s, public_url="http://127.0.0.1:9", credentials_key=app.config["CREDENTIALS_KEY"])
        s.add(User(name="Profiler", role="picker", badge="PROF-1"))
        for stock in s.scalars(select(Stock)):
            stock.on_hand = units * 2
        account = s.scalar(select(MarketplaceAccount).limit(1))
        assert account is not None
        line = IncomingLine(barcodes=(SHIRT.barcodes[0],), article="", quantity=units)
        order = IncomingOrder("prof-1", "new", datetime.now(UTC), (line,))
        intake.import_orders(s, account, [order])
        s.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--html", default="")
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--all", action="store_true", help="every frame of the tree")
    parser.add_argument("--dump", default="", help="with --calls: write cProfile's stats here")
    parser.add_argument(
        "--calls", action="store_true", help="count Python calls per scan (cProfile): noise-free"
    )
    args = parser.parse_args()
    app = make_app(Path(tempfile.mkdtemp(prefix="warehouse-profile-")), args.scans + 40)
    client = app.test_client()
    page = client.get("/tsd/login").get_data(as_text=True)
    csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    headers = {"X-CSRFToken": csrf, "HX-Request": "true"}
    client.post("/tsd/login", data={"badge": "PROF-1"}, headers=headers)
    page = client.get("/tsd/").get_data(as_text=True)  # a new session, a new token
    csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    headers = {"X-CSRFToken": csrf, "HX-Request": "true"}
    location = client.post("/tsd/next", headers=headers).headers["location"]
    url = location.rstrip("/") + "/scan"
    client.post(url, data={"barcode": f"LOC-{SHIRT.bin}", "scan_id": "bin"}, headers=headers)
    statements: Counter[str] = Counter()
    engine = app.extensions["db.engine"]

    def count(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
        statements[statement.split()[0].upper()] += 1
        if os.environ.get("SHOW_SQL") and shown[0] < 8:
            shown[0] += 1
            print("SQL:", " ".join(statement.split())[:200])

    shown = [100]

    event.listen(engine, "before_cursor_execute", count)
    for _ in range(20):  # warm up
        client.post(
            url, data={"barcode": SHIRT.barcodes[0], "scan_id": uuid.uuid4().hex}, headers=headers
        )
    statements.clear()
    shown[0] = 0
    if args.calls:
        import cProfile
        import pstats

        calls = cProfile.Profile()
        calls.enable()
        for _ in range(args.scans):
            data = {"barcode": SHIRT.barcodes[0], "scan_id": uuid.uuid4().hex}
            client.post(url, data=data, headers=headers)
        calls.disable()
        if args.dump:
            calls.dump_stats(args.dump)
        stats = pstats.Stats(calls)
        print(f"python calls per scan: {stats.total_calls / args.scans:.0f}")  # type: ignore[attr-defined]
        by_package: Counter[str] = Counter()
        for (path, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
            part = (
                path.split("site-packages/")[-1].split("/")[0]
                if "site-packages" in path
                else ("warehouse" if "/warehouse/" in path else path.split("/")[-1][:30])
            )
            by_package[part] += row[1]  # primitive + recursive calls
        print({k: round(v / args.scans) for k, v in by_package.most_common(14)})
        stats.sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            int(os.environ.get("TOP", "25"))
        )
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    begin_cpu, begin = time.process_time(), time.perf_counter()
    if not args.no_profile:
        profiler.start()
    for n in range(args.scans):
        answer = client.post(
            url, data={"barcode": SHIRT.barcodes[0], "scan_id": uuid.uuid4().hex}, headers=headers
        )
        assert answer.status_code == 200, (n, answer.get_data(as_text=True)[:300])
    if not args.no_profile:
        profiler.stop()
    cpu, wall = time.process_time() - begin_cpu, time.perf_counter() - begin
    print(
        f"scans {args.scans}: cpu {cpu / args.scans * 1000:.2f} ms, "
        f"wall {wall / args.scans * 1000:.2f} ms per scan"
    )
    print("statements per scan:", {k: round(v / args.scans, 2) for k, v in statements.items()})
    print(f"response bytes: {len(answer.data)}")
    if args.no_profile:
        return
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False, show_all=args.all)[:30000])


if __name__ == "__main__":
    main()
