"""A file sent to the browser to keep (catalogue and price exports, report files)."""

from __future__ import annotations

from flask import Response

MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(data: bytes, name: str) -> Response:
    """``data`` as a download named ``name`` (its extension says the type: csv, xlsx)."""
    kind = MIME.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    return Response(
        data, mimetype=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
