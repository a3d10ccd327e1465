"""The CUPS transport against a real cupsd with a raw queue to the virtual Zebra.

The test starts its own cupsd on a loopback port with a temporary configuration; it is
skipped (with the reason) when cupsd is not installed. CI installs cups, cups-bsd and
cups-client (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers import (
    PrinterNotReady,
    PrinterUnreachable,
    Target,
    Timeouts,
    VirtualZebra,
    cups,
    deliver,
    zpl,
)
from tests import factories as f
from warehouse.infra import db
from warehouse.labels import own_labels
from warehouse.models import PrintJob

CUPSD = shutil.which("cupsd") or next(
    (path for path in ("/usr/sbin/cupsd",) if os.access(path, os.X_OK)), None
)
MISSING = [name for name in ("lpr", "lpstat", "lpadmin") if shutil.which(name) is None]
# CI (.ci/run) installs CUPS and sets this: there a missing cupsd fails instead of skipping.
if os.environ.get("WAREHOUSE_REQUIRE_CUPS") and (CUPSD is None or MISSING):
    absent = (["cupsd"] if CUPSD is None else []) + MISSING
    raise RuntimeError(f"CUPS is required here, missing: {' '.join(absent)}")
needs_cupsd = pytest.mark.skipif(
    CUPSD is None or bool(MISSING),
    reason="needs cupsd, lpr, lpstat and lpadmin (Debian: cups cups-bsd cups-client); "
    f"missing: {'cupsd ' if CUPSD is None else ''}{' '.join(MISSING)}",
)
QUEUE = "zebra_test"
FAST = Timeouts(connect=1.0, reply=0.5, send=10.0, confirm=3.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(root: Path, port: int) -> None:
    for sub in ("spool/temp", "log", "cache", "state", "ppd"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\nBrowsing Off\nLogLevel info\nPreserveJobHistory Yes\n"
        "ErrorPolicy abort-job\nWebInterface No\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nStateDir {root}/state\nCacheDir {root}/cache\n"
        f"RequestRoot {root}/spool\nTempDir {root}/spool/temp\nAccessLog {root}/log/access_log\n"
        f"ErrorLog {root}/log/error_log\nPageLog {root}/log/page_log\n"
        "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\n"
    )
    for path in [root, *root.rglob("*")]:  # backends run as the lp user
        if path.is_dir():
            path.chmod(path.stat().st_mode | stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)


@pytest.fixture
def cups_queue(printer: VirtualZebra, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private cupsd with the raw queue ``zebra_test`` → the virtual Zebra."""
    assert CUPSD is not None
    root = Path(tempfile.mkdtemp(prefix="warehouse-cups-"))
    port = free_port()
    write_config(root, port)
    monkeypatch.setenv("CUPS_SERVER", f"127.0.0.1:{port}")
    daemon = subprocess.Popen(
        [CUPSD, "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_scheduler(root)
        host, zport = printer.address
        subprocess.run(
            ["lpadmin", "-p", QUEUE, "-E", "-v", f"socket://{host}:{zport}", "-m", "raw",
             "-o", "printer-error-policy=abort-job"],
            check=True, capture_output=True, timeout=10,
        )  # fmt: skip
        yield QUEUE
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_scheduler(root: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        state = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, timeout=5)
        if "is running" in state.stdout and "not" not in state.stdout:
            return
        time.sleep(0.1)
    log = root / "log" / "error_log"
    pytest.fail(f"cupsd did not start: {log.read_text() if log.exists() else 'no log'}")


def a_label(text: str = "Привет, склад") -> bytes:
    return zpl.label(58, 40, 203, "^FO10,10^A0N,30,30" + zpl.field_data(text))


def test_without_a_cups_server_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("lpstat") is None:
        pytest.skip("lpstat not installed (Debian: cups-client)")
    monkeypatch.setenv("CUPS_SERVER", f"127.0.0.1:{free_port()}")  # nothing listens
    with pytest.raises(PrinterUnreachable, match="CUPS queue zebra_test"):
        cups.check_queue(QUEUE)


def test_bad_queue_name_is_refused() -> None:
    with pytest.raises(ValueError, match="bad CUPS queue name"):
        cups.check_queue("zebra; rm -rf /")


@needs_cupsd
def test_label_goes_through_cups_as_utf8_bytes_and_is_confirmed(
    cups_queue: str, printer: VirtualZebra
) -> None:
    data = a_label()
    target = Target(*printer.address, transport="cups", queue=cups_queue)
    delivery = deliver(target, data, FAST)
    assert delivery.outcome == "printed"
    assert printer.wait_for_labels(1, timeout=5) == [data]  # Cyrillic intact, not cp437


@needs_cupsd
def test_missing_queue_is_unreachable(cups_queue: str, printer: VirtualZebra) -> None:
    with pytest.raises(PrinterUnreachable):
        deliver(Target("", transport="cups", queue="no_such_queue"), a_label(), FAST)
    assert printer.printed == []


@needs_cupsd
def test_stopped_queue_is_not_ready(cups_queue: str, printer: VirtualZebra) -> None:
    subprocess.run(["cupsdisable", cups_queue], check=True, capture_output=True, timeout=10)
    with pytest.raises(PrinterNotReady, match="stopped"):
        deliver(Target("", transport="cups", queue=cups_queue), a_label(), FAST)
    assert printer.printed == []


@needs_cupsd
def test_queue_not_accepting_is_unreachable(cups_queue: str, printer: VirtualZebra) -> None:
    subprocess.run(["cupsreject", cups_queue], check=True, capture_output=True, timeout=10)
    with pytest.raises(PrinterUnreachable, match="does not accept"):
        cups.check_queue(cups_queue)


@needs_cupsd
def test_print_job_to_a_cups_printer_is_printed_and_confirmed(
    app, worker, cups_queue: str, printer: VirtualZebra
) -> None:
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        registered = f.make_printer(
            session, warehouse, printer.address, transport="cups", queue=cups_queue
        )
        job = own_labels.queue_printer_label(session, registered.id, f.make_picker(session))
        session.commit()
        job_id = job.id
    worker()
    with app.app_context():
        done = db.session().get_one(PrintJob, job_id)
        assert done.status == "printed" and "odometer 0 → 1" in done.events[-1].detail
    assert len(printer.wait_for_labels(1)) == 1
