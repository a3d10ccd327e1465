"""The CUPS transport against a real cupsd with a raw queue to the virtual Zebra.

The test starts its own cupsd on a loopback port with a temporary configuration; it is
skipped (with the reason) when cupsd is not installed. CI installs cups, cups-bsd and
cups-client (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import socket
import socketserver
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
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
    deliver_document,
    zpl,
)
from tests import factories as f
from warehouse.infra import db
from warehouse.labels import own_labels, print_jobs, printer_registry
from warehouse.marketplaces.sandbox.pdf import text_pdf
from warehouse.models import HandOver, HandOverEvent, Printer, PrintJob
from warehouse.shipping import documents

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
OFFICE = "office_test"  # a raw queue to a socket that keeps every byte: the A4 printer
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


class ByteSink(socketserver.ThreadingTCPServer):
    """A printer's socket that keeps what each connection sent (CUPS's socket backend)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SinkHandler)
        self.received: list[bytes] = []
        self.arrived = threading.Condition()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def wait(self, n: int, timeout: float = 10.0) -> list[bytes]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= n, timeout)
            return list(self.received)


class _SinkHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        chunks = []
        while chunk := self.request.recv(65536):
            chunks.append(chunk)
        sink = self.server
        assert isinstance(sink, ByteSink)
        with sink.arrived:
            sink.received.append(b"".join(chunks))
            sink.arrived.notify_all()


@pytest.fixture
def office_queue(cups_queue: str) -> Iterator[tuple[str, ByteSink]]:
    """A second queue of the private cupsd, ``office_test``, whose device keeps the bytes."""
    sink = ByteSink()
    host, port = sink.server_address[:2]
    subprocess.run(
        ["lpadmin", "-p", OFFICE, "-E", "-v", f"socket://{host}:{port}", "-m", "raw",
         "-o", "printer-error-policy=abort-job"],
        check=True, capture_output=True, timeout=10,
    )  # fmt: skip
    try:
        yield OFFICE, sink
    finally:
        sink.shutdown()
        sink.server_close()


def a4_paper() -> bytes:
    return text_pdf([["Act of hand-over", "waybill"], ["page two"]], 210, 297)


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


@needs_cupsd
def test_a_pdf_goes_to_an_office_queue_as_a_document_unchanged(
    office_queue: tuple[str, ByteSink], printer: VirtualZebra
) -> None:
    queue, sink = office_queue
    paper = a4_paper()
    delivery = deliver_document(Target("", transport="cups", queue=queue), paper, FAST, title="act")
    assert delivery.outcome == "sent"
    assert sink.wait(1) == [paper]  # the PDF itself reached the device, byte for byte
    assert printer.printed == [] and printer.max_connections == 0  # no Zebra, no ~HS asked
    done = subprocess.run(
        ["lpstat", "-W", "completed", "-o", queue], capture_output=True, text=True
    )
    assert f"{queue}-" in done.stdout


@needs_cupsd
def test_a_pdf_to_a_missing_or_stopped_queue_is_refused_in_words(
    office_queue: tuple[str, ByteSink],
) -> None:
    queue, sink = office_queue
    with pytest.raises(PrinterUnreachable, match="CUPS queue no_such_queue"):
        deliver_document(
            Target("", transport="cups", queue="no_such_queue"), a4_paper(), FAST, title="act"
        )
    subprocess.run(["cupsdisable", queue], check=True, capture_output=True, timeout=10)
    with pytest.raises(PrinterNotReady, match=f"CUPS queue {queue} is stopped"):
        deliver_document(Target("", transport="cups", queue=queue), a4_paper(), FAST, title="act")
    with pytest.raises(ValueError, match="through CUPS"):
        deliver_document(Target("127.0.0.1", transport="tcp"), a4_paper(), FAST, title="act")
    assert sink.received == []


def a_handover_with_an_act(app, queue: str, zebra: VirtualZebra) -> dict[str, int]:
    """A hand-over holding an Ozon-like act PDF and a ZPL paper; an A4 printer on ``queue``
    and a Zebra; the supervisor «boss»."""
    with app.app_context():
        session = db.session()
        warehouse = f.make_warehouse(session)
        account = f.make_account(session, warehouse)
        f.make_supervisor(session)
        label = f.make_printer(session, warehouse, zebra.address, name="Zebra pack")
        office = Printer(
            warehouse_id=warehouse.id, name="Office A4", code="PRN-A4", host="",
            kind="document", transport="cups", queue=queue,
            label_width_mm=210, label_height_mm=297,
        )  # fmt: skip
        handover = HandOver(account_id=account.id, ship_date=date.today())
        session.add_all([office, handover])
        session.flush()
        act = documents.keep(session, handover, "act", a4_paper(), documents.PDF)
        qr = documents.keep(session, handover, "supply_qr", a_label(), documents.ZPL)
        session.commit()
        return {"handover": handover.id, "act": act.id, "qr": qr.id,
                "office": office.id, "zebra": label.id}  # fmt: skip


def paper_row(page: str, kind: str) -> str:
    start = page.index(f'data-paper="{kind}"')
    return page[start : page.index("</tr>", start)]


@needs_cupsd
def test_an_act_printed_on_a4_from_the_hand_over_page_reaches_the_queue(
    app, client, worker, office_queue: tuple[str, ByteSink], printer: VirtualZebra
) -> None:
    queue, sink = office_queue
    ids = a_handover_with_an_act(app, queue, printer)
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302
    page = client.get(f"/handovers/{ids['handover']}").get_data(as_text=True)
    act_row, qr_row = paper_row(page, "act"), paper_row(page, "supply_qr")
    assert "Печать на A4" in act_row and "Office A4" in act_row and "Zebra pack" not in act_row
    assert "Zebra pack" in qr_row and "Office A4" not in qr_row
    url = f"/handovers/{ids['handover']}/documents/{ids['act']}/print"
    refused = client.post(url, data={"printer_id": ids["zebra"]})  # a forged choice
    assert refused.status_code == 422
    assert "Zebra pack — принтер этикеток" in refused.get_data(as_text=True)

    assert client.post(url, data={"printer_id": ids["office"]}).status_code == 302
    worker()
    assert sink.wait(1) == [a4_paper()]  # the PDF, byte for byte, as a document
    assert printer.printed == [] and printer.max_connections == 0  # the Zebra never asked
    with app.app_context():
        session = db.session()
        job = session.query(PrintJob).one()
        assert (job.kind, job.status, job.printer_id) == ("paper_a4", "sent", ids["office"])
        line = session.query(HandOverEvent).filter_by(kind="printed").one()
        assert line.text == f"act → Office A4 #{job.id}"
    jobs_page = client.get("/print-jobs").get_data(as_text=True)
    assert "бумага A4 (PDF)" in jobs_page
    assert client.get(f"/print-jobs/{job.id}").status_code == 200


@needs_cupsd
def test_an_a4_paper_waits_for_a_stopped_queue_says_why_and_prints_when_started(
    app, client, worker, office_queue: tuple[str, ByteSink], printer: VirtualZebra
) -> None:
    queue, sink = office_queue
    ids = a_handover_with_an_act(app, queue, printer)
    subprocess.run(["cupsdisable", queue], check=True, capture_output=True, timeout=10)
    client.post("/login", data={"login": "boss", "password": "boss"})
    url = f"/handovers/{ids['handover']}/documents/{ids['act']}/print"
    assert client.post(url, data={"printer_id": ids["office"]}).status_code == 302
    worker()
    with app.app_context():
        job = db.session().query(PrintJob).one()
        assert (job.status, job.error) == ("queued", "cups_queue_stopped")
        job_id = job.id
    assert "Очередь CUPS остановлена" in client.get(f"/print-jobs/{job_id}").get_data(as_text=True)
    assert sink.received == []
    with app.app_context():  # the registry's check says the same, without any ~HS
        office = db.session().get_one(Printer, ids["office"])
        assert printer_registry.check(office, FAST) == "cups_queue_stopped"
        office.queue = "no_such_queue"
        assert printer_registry.check(office, FAST) == "cups_queue_refuses"
        db.session().rollback()
    assert printer.max_connections == 0

    subprocess.run(["cupsenable", queue], check=True, capture_output=True, timeout=10)
    with app.app_context():
        assert print_jobs.wake_printer(db.session(), ids["office"]) == 1
        db.session().commit()
    worker()
    assert sink.wait(1) == [a4_paper()]
    with app.app_context():
        assert db.session().get_one(PrintJob, job_id).status == "sent"
