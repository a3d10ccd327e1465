"""The papers a marketplace gives for a hand-over: supply QR, acts, waybills, act barcodes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.errors import NotFound
from warehouse.models import HandOver, HandOverDocument

ZPL = "application/zpl"
PDF = "application/pdf"
# what each paper is called on the desk, in the order they are listed
KINDS = ("supply_qr", "act", "waybill", "act_barcode", "shipment_act", "reception_act")


def keep(
    session: Session, handover: HandOver, kind: str, content: bytes, content_type: str
) -> HandOverDocument:
    """Store a paper; asking again (a resumed close) replaces it rather than adding one."""
    document = session.scalar(
        select(HandOverDocument).where(
            HandOverDocument.handover_id == handover.id, HandOverDocument.kind == kind
        )
    )
    if document is None:
        document = HandOverDocument(handover_id=handover.id, kind=kind)
        session.add(document)
    document.content = content
    document.content_type = content_type
    session.flush()
    return document


def of(session: Session, handover_id: int) -> list[HandOverDocument]:
    documents = session.scalars(
        select(HandOverDocument).where(HandOverDocument.handover_id == handover_id)
    )
    order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(documents, key=lambda document: order.get(document.kind, len(KINDS)))


def get(session: Session, handover_id: int, document_id: int) -> HandOverDocument:
    document = session.get(HandOverDocument, document_id)
    if document is None or document.handover_id != handover_id:
        raise NotFound("document_not_found")
    return document


def filename(handover: HandOver, document: HandOverDocument) -> str:
    extension = {PDF: "pdf", ZPL: "zpl", "image/png": "png"}.get(document.content_type, "bin")
    number = handover.external_id or str(handover.id)
    return f"{handover.account.kind}-{document.kind}-{number}.{extension}"
