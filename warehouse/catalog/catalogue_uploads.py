"""A parsed catalogue file kept between its preview and its apply, found by a random token
(in the database, not the cookie; the uploaded file itself is not kept). Applying it
re-plans against the catalogue as it is then, and forgets the upload."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warehouse.catalog import catalogue_csv
from warehouse.catalog.catalogue_files import Table
from warehouse.errors import NotFound
from warehouse.models import CatalogueUpload
from warehouse.models.base import utcnow

KEPT_FOR = timedelta(days=1)


def keep(session: Session, kind: str, filename: str, table: Table, user_id: int | None) -> str:
    """Store a checked table (its columns are ours) and answer its token."""
    catalogue_csv.check_columns(kind, table.header)
    session.execute(delete(CatalogueUpload).where(CatalogueUpload.created_at < utcnow() - KEPT_FOR))
    token = secrets.token_urlsafe(24)
    rows = {"header": table.header, "rows": table.rows, "encoding": table.encoding}
    session.add(
        CatalogueUpload(
            token=token,
            kind=kind,
            filename=filename[:200],
            rows_json=json.dumps(rows, ensure_ascii=False),
            created_by=user_id,
        )
    )
    session.flush()
    return token


def preview(session: Session, token: str) -> tuple[CatalogueUpload, catalogue_csv.Plan, str]:
    """The upload, what applying it would do now, and the encoding it was read in."""
    upload, header, rows, encoding = _load(session, token)
    return upload, catalogue_csv.plan(session, upload.kind, header, rows), encoding


def apply(session: Session, token: str) -> catalogue_csv.Plan:
    """Write the upload's rows (all or none: RowsRefused) and forget the upload."""
    upload, header, rows, _ = _load(session, token)
    taken = session.execute(delete(CatalogueUpload).where(CatalogueUpload.id == upload.id))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("catalogue_upload_gone")  # a second click applied it meanwhile
    return catalogue_csv.apply(session, upload.kind, header, rows)


def _load(
    session: Session, token: str
) -> tuple[CatalogueUpload, list[str], list[tuple[int, dict[str, str]]], str]:
    upload = session.scalar(select(CatalogueUpload).where(CatalogueUpload.token == token))
    if upload is None or upload.created_at < utcnow() - KEPT_FOR:
        raise NotFound("catalogue_upload_gone")
    stored = json.loads(upload.rows_json)
    rows = [(int(line), dict(cells)) for line, cells in stored["rows"]]
    return upload, list(stored["header"]), rows, stored["encoding"]
