"""What every marketplace sandbox shares: storage, the fault queue, the demo clock, the gate.

Each sandbox is a Flask blueprint imitating one marketplace API under
``/sandbox/<kind>/``. Its tables (prefixed ``<kind>_sandbox_``) live on
``metadata`` here, in ``SANDBOX_DATABASE_URL``, so several gunicorn processes
share one state. ``install(bp, kind, ...)`` adds to a blueprint:

- 404 for everything when ``SANDBOX_ENABLED`` is off;
- the marketplace's own auth check (endpoints named ``control_*`` skip it);
- queued faults, taken once each across processes: ``429`` and ``500`` answered by
  the sandbox's own ``fault_response``, ``timeout`` (sleep ``SANDBOX_SLOW_SECONDS``
  then answer), ``drop`` (the work is done but the answer breaks off mid-body),
  ``duplicate`` (a list answer repeats its entries, like overlapping pages);
- ``POST /_control/faults`` ``{"queue": [...], "retry_after": 1}`` and
  ``POST /_control/reset``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    select,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DatabaseError, IntegrityError

# a marketplace's own id in a route: 64-bit, as the real APIs take (ours are 32-bit)
ID = "int(max=9223372036854775807)"

logger = logging.getLogger(__name__)

metadata = MetaData()

# Integer on SQLite so the column is the rowid (autoincrement); BIGINT identity elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")

FAULT_KINDS = frozenset({"429", "500", "timeout", "drop", "duplicate"})

faults = Table(
    "sandbox_faults",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("sandbox", String(20), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("retry_after", Float, nullable=False, default=1.0),
)

clock = Table(
    "sandbox_clock",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("ts", Float, nullable=False),
)


class FaultError(ValueError):
    """An unknown fault kind was asked for."""


# --- storage --------------------------------------------------------------------------------

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine() -> Engine:
    """The sandboxes' engine for this app's ``SANDBOX_DATABASE_URL`` (tables made on first use)."""
    url = current_app.config["SANDBOX_DATABASE_URL"]
    with _lock:
        found = _engines.get(url)
        if found is None:
            found = _engines[url] = _create(url)
        return found


@contextmanager
def begin() -> Iterator[Connection]:
    """One transaction on the sandboxes' database."""
    with engine().begin() as conn:
        yield conn


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        created = _sqlite_engine(url, parsed.database)
    else:
        created = create_engine(url, pool_pre_ping=True)
    try:
        metadata.create_all(created)
    except DatabaseError:  # another process created the tables at the same moment
        logger.info("sandbox tables created concurrently; checking again")
        metadata.create_all(created)
    return created


def _sqlite_engine(url: str, database: str | None) -> Engine:
    """SQLite shared by several processes: wait for locks and take the write lock up front."""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    created = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(created, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below decide
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(created, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return created


def reset(conn: Connection, kind: str) -> None:
    """Forget one sandbox's state: its own tables, queued faults and clocks."""
    prefix = f"{kind}_sandbox_"
    for table in reversed(metadata.sorted_tables):
        if table.name.startswith(prefix):
            conn.execute(table.delete())
    conn.execute(delete(faults).where(faults.c.sandbox == kind))
    conn.execute(delete(clock).where(clock.c.name.startswith(f"{kind}:")))


# --- faults ---------------------------------------------------------------------------------


def queue_faults(conn: Connection, kind: str, kinds: Sequence[str], retry_after: float) -> None:
    unknown = [fault for fault in kinds if fault not in FAULT_KINDS]
    if unknown:
        raise FaultError(f"unknown faults {unknown}; known: {sorted(FAULT_KINDS)}")
    for fault in kinds:
        conn.execute(faults.insert().values(sandbox=kind, kind=fault, retry_after=retry_after))


def pop_fault(conn: Connection, kind: str) -> tuple[str, float] | None:
    """The oldest queued fault of a sandbox, taken by exactly one request across processes."""
    for _attempt in range(5):
        row = conn.execute(
            select(faults).where(faults.c.sandbox == kind).order_by(faults.c.id).limit(1)
        ).first()
        if row is None:
            return None
        if conn.execute(delete(faults).where(faults.c.id == row.id)).rowcount == 1:
            return row.kind, row.retry_after
    return None


def queued_faults(conn: Connection, kind: str) -> list[str]:
    query = select(faults.c.kind).where(faults.c.sandbox == kind).order_by(faults.c.id)
    return list(conn.scalars(query))


# --- the demo clock -------------------------------------------------------------------------


def due_count(conn: Connection, name: str, per_minute: float, now: float, cap: int = 10) -> int:
    """How many new things are due since the clock ``name`` last ticked; moves the clock.

    The first call only starts the clock. Safe across processes: the clock moves
    only if nobody moved it in between (else 0 is returned).
    """
    last = conn.scalar(select(clock.c.ts).where(clock.c.name == name))
    if last is None:
        conn.execute(clock.insert().values(name=name, ts=now))
        return 0
    interval = 60.0 / per_minute
    due = int((now - last) // interval)
    if due <= 0:
        return 0
    new_last = now if due > cap else last + due * interval
    moved = conn.execute(
        update(clock).where(clock.c.name == name, clock.c.ts == last).values(ts=new_last)
    )
    return min(due, cap) if moved.rowcount == 1 else 0


def generate_due(kind: str, generate: Callable[[Connection, int, float], list[Any]]) -> list[Any]:
    """Demo mode (``SANDBOX_ORDERS_PER_MINUTE`` > 0): create the orders due by now."""
    per_minute = float(current_app.config.get("SANDBOX_ORDERS_PER_MINUTE") or 0)
    if per_minute <= 0:
        return []
    now = time.time()
    try:
        with begin() as conn:
            count = due_count(conn, f"{kind}:orders", per_minute, now)
            created = generate(conn, count, now) if count else []
    except IntegrityError:  # another process started the clock at the same moment
        return []
    if created:
        logger.info("%s sandbox generated orders=%s", kind, created)
    return created


# --- the gate -------------------------------------------------------------------------------

FaultResponse = Callable[[str, float], Response]  # ("429" | "500", retry_after) → response
AuthCheck = Callable[[], Response | None]  # None when the request's credentials are good


class DroppedConnection(RuntimeError):
    """Raised mid-body on purpose so any WSGI server (werkzeug, gunicorn) closes the socket."""


def install(bp: Blueprint, kind: str, auth: AuthCheck, fault_response: FaultResponse) -> None:
    """Give a sandbox blueprint the on/off switch, auth, faults and control endpoints."""

    @bp.before_request
    def _gate() -> Response | None:
        if not current_app.config.get("SANDBOX_ENABLED"):
            return _plain_error(404, "the sandbox is switched off")
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        if endpoint.startswith("control_"):
            return None
        refused = auth()
        if refused is not None:
            logger.info("%s sandbox refused credentials path=%s", kind, request.path)
            return refused
        return _apply_fault(kind, fault_response)

    @bp.after_request
    def _drop_if_asked(response: Response) -> Response:
        if g.get("sandbox_duplicate"):
            response = _duplicated(response)
        return _broken(response) if g.get("sandbox_drop") else response

    @bp.post("/_control/faults")
    def control_faults() -> tuple[Response, int]:
        data = request.get_json(silent=True) or {}
        kinds, retry_after = data.get("queue", []), data.get("retry_after", 1)
        if not isinstance(kinds, list) or not isinstance(retry_after, int | float):
            return _plain_error(400, "expected {queue: [...], retry_after: seconds}"), 400
        try:
            with begin() as conn:
                queue_faults(conn, kind, [str(fault) for fault in kinds], float(retry_after))
                queued = queued_faults(conn, kind)
        except FaultError as exc:
            return _plain_error(400, str(exc)), 400
        return jsonify({"queued": queued}), 200

    @bp.post("/_control/reset")
    def control_reset() -> tuple[str, int]:
        with begin() as conn:
            reset(conn, kind)
        logger.info("%s sandbox reset", kind)
        return "", 204


def _apply_fault(kind: str, fault_response: FaultResponse) -> Response | None:
    with begin() as conn:
        fault = pop_fault(conn, kind)
    if fault is None:
        return None
    fault_kind, retry_after = fault
    logger.info("%s sandbox fault=%s path=%s", kind, fault_kind, request.path)
    if fault_kind in ("429", "500"):
        return fault_response(fault_kind, retry_after)
    if fault_kind == "timeout":
        time.sleep(float(current_app.config.get("SANDBOX_SLOW_SECONDS", 3)))
    if fault_kind == "drop":
        g.sandbox_drop = True
    if fault_kind == "duplicate":
        g.sandbox_duplicate = True
    return None


def _duplicated(response: Response) -> Response:
    """A ``duplicate`` fault: the page repeats its entries, as overlapping pages do."""
    data = response.get_json(silent=True)
    entries = _first_list_of_objects(data)
    if entries:
        entries.extend(list(entries))
        response.set_data(json.dumps(data))
    return response


def _first_list_of_objects(data: Any) -> list[Any] | None:
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return data
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    for child in children:
        found = _first_list_of_objects(child)
        if found is not None:
            return found
    return None


def _broken(response: Response) -> Response:
    """The headers promise more bytes than are sent and the body fails half-way."""
    body = response.get_data()
    status = 200 if response.status_code == 204 else response.status_code

    def broken_body() -> Iterator[bytes]:
        yield body[: len(body) // 2]
        raise DroppedConnection("sandbox fault: connection dropped on purpose")

    broken = Response(broken_body(), status=status, mimetype=response.mimetype)
    broken.headers["Content-Length"] = str(len(body) + 1024)
    broken.headers["Connection"] = "close"
    return broken


def _plain_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response
