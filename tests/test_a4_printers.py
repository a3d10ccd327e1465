"""Office (A4) printers in the registry: a CUPS queue given whole PDFs, never offered for
labels, and no label printer ever offered for an A4 paper. (Printing through a real
cupsd: tests/printers/test_printer_cups.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories as f
from warehouse.errors import DomainError, NotFound
from warehouse.infra import db
from warehouse.labels import own_labels, print_jobs, printer_registry
from warehouse.models import HandOver, HandOverEvent, PrintJob
from warehouse.shift import desk
from warehouse.shipping import closing, documents

OFFICE = {"name": "Office", "kind": "document", "transport": "cups", "queue": "office_a4"}


def test_a_document_printer_is_an_a4_cups_queue_without_an_address():
    fields = printer_registry.parse({**OFFICE, "address": "10.0.0.9", "label_size": "58x40"})
    assert (fields.kind, fields.transport, fields.queue) == ("document", "cups", "office_a4")
    assert (fields.host, fields.width_mm, fields.height_mm) == ("", 210, 297)
    with pytest.raises(DomainError) as caught:
        printer_registry.parse({**OFFICE, "transport": "tcp", "address": "10.0.0.9"})
    assert caught.value.code == "document_printer_not_cups"
    with pytest.raises(DomainError) as caught:
        printer_registry.parse({**OFFICE, "kind": "laser"})
    assert caught.value.params == {"field": "kind"}
    label = printer_registry.parse({"name": "Z", "address": "10.0.0.7"})
    assert label.kind == "label" and label.host == "10.0.0.7"  # labels as before


def test_a_document_printer_is_never_chosen_for_labels(session):
    warehouse = f.make_warehouse(session)
    office = printer_registry.create(session, warehouse.id, printer_registry.parse(OFFICE))
    office.is_default = True
    session.flush()
    assert desk.label_printers(session) == [] and desk.document_printers(session) == [office]
    assert printer_registry.for_packing(session, warehouse.id, office.id, None) is None
    assert printer_registry.loading(session, warehouse.id, (58, 40)) == []
    with pytest.raises(NotFound) as caught:
        printer_registry.by_code(session, office.code)
    assert caught.value.code == "printer_is_document"
    with pytest.raises(DomainError) as caught:  # a ZPL test label is refused before queueing
        own_labels.queue_printer_label(session, office.id, f.make_picker(session))
    assert caught.value.code == "printer_not_for_labels"
    zebra = f.make_printer(session, warehouse, ("127.0.0.1", 9100), is_default=False)
    assert desk.label_printers(session) == [zebra]
    assert printer_registry.for_packing(session, warehouse.id, office.id, None) == zebra
    with pytest.raises(DomainError) as caught:
        print_jobs.queue_document(session, zebra, None, b"%PDF-1.4")
    assert caught.value.code == "printer_not_for_documents"
    assert session.query(PrintJob).count() == 0
    assert printer_registry.target(office).host == ""  # no ~HS: the queue alone


def test_papers_go_to_printers_of_their_kind(session):
    warehouse = f.make_warehouse(session)
    account = f.make_account(session, warehouse)
    office = printer_registry.create(session, warehouse.id, printer_registry.parse(OFFICE))
    zebra = f.make_printer(session, warehouse, ("127.0.0.1", 9100))
    handover = HandOver(account_id=account.id, ship_date=date.today())
    session.add(handover)
    session.flush()
    act = documents.keep(session, handover, "act", b"%PDF-1.4 act", documents.PDF)
    qr = documents.keep(session, handover, "supply_qr", b"^XA^XZ", documents.ZPL)
    boss = f.make_supervisor(session)
    for paper, wrong, code in ((act, zebra, "printer_not_for_documents"),
                               (qr, office, "printer_not_for_labels")):  # fmt: skip
        with pytest.raises(DomainError) as caught:
            closing.print_paper(session, handover, paper, wrong, boss)
        assert caught.value.code == code
    closing.print_paper(session, handover, act, office, boss)
    job = session.query(PrintJob).one()
    assert (job.kind, job.printer_id, job.content) == ("paper_a4", office.id, b"%PDF-1.4 act")
    line = session.query(HandOverEvent).filter_by(handover_id=handover.id, kind="printed").one()
    assert line.text == f"act → Office #{job.id}" and line.user_id == boss.id


def test_the_printers_page_adds_an_a4_printer_and_refuses_one_without_cups(app, client):
    with app.app_context():
        f.make_warehouse(db.session())
        f.make_supervisor(db.session())
        db.session().commit()
    assert client.post("/login", data={"login": "boss", "password": "boss"}).status_code == 302
    refused = client.post("/printers", data={**OFFICE, "transport": "tcp", "address": "10.0.0.9"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Принтер A4 печатает через CUPS" in page and 'value="office_a4"' in page
    assert client.post("/printers", data=OFFICE).status_code == 302
    rows = client.get("/printers/rows").get_data(as_text=True)
    office = rows[rows.index('data-printer="PRN-') : rows.index("</tr>", rows.index("Office"))]
    assert "Бумаги A4 (PDF)" in office and '/test"' not in office  # no ZPL test label
