"""The references the scan is measured beside, served by the same gunicorn settings:

- ``POST /bare``: a minimal Flask endpoint (what the framework and gunicorn cost);
- ``POST /floor``: the least a scan must do, in raw ``sqlite3``: insert the scan and count
  the task's scans in one transaction, on a file with our pragmas (WAL, every commit
  synced, busy timeout).

    gunicorn bench.reference_app:app   (BENCH_FLOOR_DB=/path/floor.db)
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, request

app = Flask(__name__)
_local = threading.local()
SCHEMA = """
CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL,
    scan_id TEXT NOT NULL UNIQUE,
    barcode TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scans_task ON scans (task_id);
"""


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["BENCH_FLOOR_DB"], timeout=30, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.executescript(SCHEMA)
        _local.conn = conn
    return conn


@app.post("/bare")
def bare() -> str:
    return "ok"


@app.post("/floor")
def floor() -> str:
    conn = _connection()
    task = int(request.form.get("task", "1"))
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO scans (task_id, scan_id, barcode) VALUES (?, ?, ?)",
            (task, request.form["scan_id"], request.form["barcode"]),
        )
        (count,) = conn.execute("SELECT count(*) FROM scans WHERE task_id = ?", (task,)).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return f"{count}"
