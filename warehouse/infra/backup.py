"""Online backup and restore of the SQLite default (``flask backup`` / ``flask restore``).

``backup`` copies the live database with SQLite's own backup API (``Connection.backup``):
a consistent copy of one moment while the web and the workers keep writing (each step
copies a batch of pages; a write in between restarts the copy from the changed pages, so
the copy is always of one committed state). The copy is then checked
(``PRAGMA integrity_check``) before it is called done.

``restore`` checks a backup file (a database SQLite opens, intact, holding our schema at a
revision this code knows) and puts it in place of the database — with the system stopped:
a running web or worker would keep writing to the old file. The database it replaces is
kept beside it (``<name>.before-restore-<time>``), never deleted.

PostgreSQL is backed up with its own tools (``pg_dump`` / ``pg_restore``, docs/DEPLOY.md).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from warehouse.infra import migrate

PAGES_PER_STEP = 1024  # ≈4 MB a step: writers wait at most one step's time


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why in words."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "the database is not SQLite: back PostgreSQL up with pg_dump (docs/DEPLOY.md)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database)


def backup(database_url: str, target: Path) -> int:
    """Copy the live database into ``target`` (a new file); returns its size in bytes."""
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy, pages=PAGES_PER_STEP)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _check(copy, partial)
    finally:
        copy.close()
        source.close()
    partial.rename(target)
    return target.stat().st_size


def restore(database_url: str, backup_file: Path) -> Path:
    """Put ``backup_file`` in place of the database (the system stopped); returns where the
    replaced database was kept."""
    target = sqlite_path(database_url)
    if not backup_file.exists():
        raise BackupError(f"no backup at {backup_file}")
    copy = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        _check(copy, backup_file)
        revision = _revision(copy, backup_file)
    finally:
        copy.close()
    if revision not in migrate.known_revisions():
        raise BackupError(
            f"{backup_file} is at revision {revision}, which this version does not know: "
            "restore it with the version that made it"
        )
    kept = target.with_name(f"{target.name}.before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}")
    if target.exists():
        target.rename(kept)
        for suffix in ("-wal", "-shm"):  # the old file's journal goes with it
            journal = target.with_name(target.name + suffix)
            if journal.exists():
                journal.rename(kept.with_name(kept.name + suffix))
    shutil.copyfile(backup_file, target)
    return kept


def _check(connection: sqlite3.Connection, path: Path) -> None:
    try:
        (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a database SQLite can read: {exc}") from exc
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")


def _revision(connection: sqlite3.Connection, path: Path) -> str:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise BackupError(f"{path} is not a warehouse database (it has no schema revision)")
    return str(row[0])
