"""The interface language, switched from any page of the ТСД or the desk (RU / EN)."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for

from warehouse.infra.i18n import LANGUAGES

bp = Blueprint("language", __name__)


@bp.post("/lang/<code>")
def switch(code: str):
    session["lang"] = code if code in LANGUAGES else LANGUAGES[0]
    return redirect(back_to(request.form.get("next", "")))


def back_to(target: str) -> str:
    """The page the switch was pressed on: only a path of this site, never another host."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target:
        return target
    return url_for("tsd.tasks")
