"""Online backup and restore of the SQLite default: a copy taken while the warehouse keeps
writing is of one committed moment (its ledger reconciles), checked intact; a restore
checks the file and keeps the database it replaces."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.conftest import CREDENTIALS_KEY
from warehouse import create_app
from warehouse.infra import backup, db, migrate
from warehouse.models import Stock, StockMove
from warehouse.stock import ledger


def _app(database: Path, redis_url: str):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{database}"
    migrate.upgrade(url)
    return create_app(
        {
            "ENV": "test",
            "TESTING": True,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "test-secret",
            "CREDENTIALS_KEY": CREDENTIALS_KEY,
            "SANDBOX_ENABLED": False,
        }
    )


def _bin_with_stock(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        warehouse = f.make_warehouse(s)
        product = f.make_product(s, "Кружка", "4607001234562")
        stock = f.put_stock(s, product, f.make_location(s, warehouse, "A-01"), 10)
        s.commit()
        return stock.id


def _ledger(app) -> tuple[int, list]:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = db.session()
        return int(s.scalar(select(func.count(StockMove.id))) or 0), ledger.disagreements(s)


def test_a_backup_taken_while_goods_move_is_one_consistent_moment(tmp_path, redis_url):
    app = _app(tmp_path / "live.db", redis_url)
    stock_id = _bin_with_stock(app)
    stop, moved = threading.Event(), [0]

    def keep_moving() -> None:  # a warehouse at work: a movement every few milliseconds
        with app.app_context():
            s = db.session()
            while not stop.is_set():
                stock = s.get_one(Stock, stock_id)
                ledger.move(s, stock, 1 if moved[0] % 2 else -1, "count", document="t", user=None)
                s.commit()
                moved[0] += 1

    worker = threading.Thread(target=keep_moving)
    worker.start()
    try:
        while moved[0] < 20:
            threading.Event().wait(0.01)
        copies = [tmp_path / f"copy-{n}.db" for n in range(3)]
        for copy in copies:
            assert backup.backup(app.config["DATABASE_URL"], copy) > 0
    finally:
        stop.set()
        worker.join(10)
    during = moved[0]
    assert during > 20  # the writer went on while the copies were taken
    for copy in copies:
        (verdict,) = sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone()
        assert verdict == "ok"
        restored = _app(copy, redis_url)
        movements, disagree = _ledger(restored)
        assert disagree == []  # on-hand is the sum of the movements the copy holds
        assert 2 <= movements <= during + 2  # the opening, then some of the moves


def test_a_restore_checks_the_file_and_keeps_what_it_replaces(tmp_path, redis_url):
    live = tmp_path / "live.db"
    app = _app(live, redis_url)
    _bin_with_stock(app)
    copy = tmp_path / "copy.db"
    backup.backup(app.config["DATABASE_URL"], copy)
    with app.app_context():  # after the backup: a movement the restore takes back
        s = db.session()
        ledger.move(s, s.scalars(select(Stock)).one(), 5, "count", document="t", user=None)
        s.commit()
    assert _ledger(app)[0] == 2
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["restore", str(copy)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    done = runner.invoke(args=["restore", str(copy), "--yes"])
    assert done.exit_code == 0, done.output
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("live.db.before-restore-")]
    assert kept and kept[0].stat().st_size > 0
    app.extensions["db.engine"].dispose()
    assert _ledger(app)[0] == 1  # the restored moment: the opening only


def test_what_cannot_be_backed_up_or_restored_is_said_in_words(tmp_path, redis_url):
    app = _app(tmp_path / "live.db", redis_url)
    with pytest.raises(backup.BackupError, match="pg_dump"):
        backup.backup("postgresql+psycopg://u:p@127.0.0.1/w", tmp_path / "x.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backup.BackupError, match="not a database"):
        backup.restore(app.config["DATABASE_URL"], junk)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(backup.BackupError, match="not a warehouse database"):
        backup.restore(app.config["DATABASE_URL"], empty)
    future = tmp_path / "future.db"
    backup.backup(app.config["DATABASE_URL"], future)
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(backup.BackupError, match="9999"):
        backup.restore(app.config["DATABASE_URL"], future)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "live.db")])
    assert result.exit_code != 0 and "exists already" in result.output


def test_the_sqlite_default_syncs_every_commit(tmp_path, redis_url):
    """WAL, foreign keys and ``synchronous=FULL`` on every connection the app opens: a
    commit whose «confirm», label or scan answer has gone out survives a power cut."""
    app = _app(tmp_path / "warehouse.db", redis_url)
    with app.app_context(), db.engine().connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
