"""Requests that make a print job are made once: the page's one-time key finds the job again.

Every form that prints carries ``request_id`` (the template global ``request_key()``, new on
each render). A repeat — a double tap, a form sent again after a dropped answer — is
answered with the job the first one made, so nothing prints twice by accident.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from warehouse.infra import db
from warehouse.labels import print_jobs
from warehouse.models import PrintJob

Answer = Callable[[PrintJob], ResponseReturnValue]


def request_key() -> str:
    """A fresh key for a form that prints (a template global)."""
    return uuid.uuid4().hex


def once(answer: Answer) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view that makes one print job; ``answer`` renders a repeat's job."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            key = request.form.get("request_id", "")
            repeat = print_jobs.already_asked(db.session(), key)
            if repeat is not None:
                return answer(repeat)
            try:
                return view(*args, **kwargs)
            except IntegrityError:  # the same key, a moment earlier, from another request
                db.session().rollback()
                repeat = print_jobs.already_asked(db.session(), key)
                if repeat is None:
                    raise
                return answer(repeat)

        return wrapper

    return decorate
