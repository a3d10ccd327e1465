"""The Jinja environment of the label templates: every ``{{ }}`` prints escaped ZPL.

``finalize`` runs on the value of every ``{{ expression }}``: text comes out with ``^``, ``~``,
``_`` and control characters as ``^FH`` hex escapes, whole numbers as digits, and anything else
(``None``, floats, objects) is refused. No filter opts out, so a template that forgets
something can misprint a field but can never let a product name end the format or send a
command. Only the templates' own literal text is ZPL.
"""

from __future__ import annotations

import functools
import re

import jinja2

from printers import zpl

_FORMAT_START = re.compile(r"\^XA", re.IGNORECASE)
_FORMAT_END = re.compile(r"\^XZ", re.IGNORECASE)


def render(template: str, **context: object) -> bytes:
    """The template's ZPL as UTF-8 bytes (the templates declare ``^CI28``)."""
    text = _environment().get_template(template).render(**context)
    if len(_FORMAT_START.findall(text)) != 1 or len(_FORMAT_END.findall(text)) != 1:
        raise RuntimeError(f"template {template} must produce exactly one ^XA…^XZ format")
    return text.encode("utf-8")


def finalize(value: object) -> str:
    """What ``{{ value }}`` prints: escaped text or a whole number, nothing else."""
    if isinstance(value, str):
        return zpl.escape(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"a label template prints text or whole numbers, not {value!r}")


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("printers.layouts", "."),
        autoescape=False,  # HTML escaping means nothing in ZPL; finalize does ZPL's
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
