"""What the benches share: a loopback port, the environment of a fresh system, gunicorn as
``make run`` starts it, and what the kernel says a process used (CPU, peak memory)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# gunicorn as `make run` starts the web (warehouse/run.py): 2 workers × 4 threads, an
# access log line per request (to nowhere here, formatted all the same)
GUNICORN = ["--workers", "2", "--threads", "4", "--access-logfile", "-", "--log-level", "warning"]
# the database asked for when the bench started (the benches set the variable themselves)
ASKED_DATABASE = os.environ.get("WAREHOUSE_DATABASE_URL", "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(workdir: Path) -> str:
    """``WAREHOUSE_DATABASE_URL`` emptied (PostgreSQL: its schema dropped), else a new
    SQLite file in ``workdir``."""
    url = ASKED_DATABASE
    if not url:
        return f"sqlite:///{workdir / 'warehouse.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def database_kind() -> str:
    return "postgresql" if ASKED_DATABASE.startswith("postgresql") else "sqlite"


def environment(workdir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A fresh system's settings: its own keys, quiet logs, the given database; Redis is
    ``WAREHOUSE_REDIS_URL`` when set (else the seeding starts the embedded one)."""
    env = {
        "WAREHOUSE_ENV": "dev",
        "WAREHOUSE_SECRET_KEY": uuid.uuid4().hex,
        "WAREHOUSE_CREDENTIALS_KEY": Fernet.generate_key().decode(),
        "WAREHOUSE_LOG_LEVEL": "WARNING",
        "WAREHOUSE_INSTANCE_PATH": str(workdir),
        "WAREHOUSE_DATABASE_URL": database_url,
        "WAREHOUSE_SANDBOX_ENABLED": "false",
        **extra,
    }
    if os.environ.get("WAREHOUSE_REDIS_URL"):
        env["WAREHOUSE_REDIS_URL"] = os.environ["WAREHOUSE_REDIS_URL"]
    return env


def serve(app: str, env: dict[str, str], port: int, health: str = "/healthz") -> subprocess.Popen:
    """gunicorn serving ``app`` on loopback with the demo's settings, once it answers."""
    command = [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", *GUNICORN]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.request("GET", f"http://127.0.0.1:{port}{health}", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start: {app}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def load(job: dict[str, Any]) -> dict[str, Any]:
    """Run ``bench/loadgen.py`` in its own process with ``job``; its result."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "loadgen.py")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"load generator failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout))


def migrated_app(env: dict[str, str], workdir: Path) -> Any:
    """The app of ``env`` (put in this process's environment) on its migrated database;
    the embedded Redis started in ``workdir`` unless a server was given (``env`` then
    names it, for the processes the bench starts next)."""
    from warehouse import create_app
    from warehouse.infra import migrate, queue

    os.environ.update(env)
    app = create_app()
    if app.config["REDIS_URL"] == "embedded":
        env["WAREHOUSE_REDIS_URL"] = queue.start_embedded(str(workdir))
        app.config["REDIS_URL"] = env["WAREHOUSE_REDIS_URL"]
    migrate.upgrade(app.config["DATABASE_URL"])
    return app
