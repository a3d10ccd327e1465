"""The printer form's checks (pure) and the registry's codes."""

from __future__ import annotations

import pytest

from tests import factories as f
from warehouse.errors import DomainError, NotFound
from warehouse.labels import printer_registry

FORM = {"name": "Zebra", "address": "10.0.0.7", "label_size": "58x40", "dpi": "203"}


def bad_field(**changes: str) -> str:
    with pytest.raises(DomainError) as caught:
        printer_registry.parse({**FORM, **changes})
    assert caught.value.code == "bad_printer_field"
    return str(caught.value.params["field"])


def test_address_defaults_to_port_9100_and_sizes_read_like_people_type_them():
    fields = printer_registry.parse({**FORM, "label_size": " 75 × 120 ", "code": "prn-a1"})
    assert (fields.host, fields.port, fields.transport) == ("10.0.0.7", 9100, "tcp")
    assert (fields.width_mm, fields.height_mm, fields.code) == (75, 120, "PRN-A1")
    assert printer_registry.parse({**FORM, "address": "zebra-2.lan:6101"}).port == 6101
    assert printer_registry.parse({**FORM, "label_size": "58х40"}).width_mm == 58  # Cyrillic х


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"address": ""}, "address"),
        ({"address": "10.0.0.7:0"}, "address"),
        ({"address": "10.0.0.7:http"}, "address"),
        ({"address": "bad host:9100"}, "address"),
        ({"transport": "usb"}, "transport"),
        ({"transport": "cups", "queue": "zebra; rm"}, "queue"),
        ({"dpi": "200"}, "dpi"),
        ({"label_size": "5x4"}, "label_size"),
        ({"label_size": "500x40"}, "label_size"),
        ({"station": "S" * 65}, "station"),
        ({"code": "ZEBRA-1"}, "code"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, str], field: str):
    assert bad_field(**changes) == field


def test_cups_queue_needs_no_address():
    fields = printer_registry.parse(
        {**FORM, "transport": "cups", "queue": "zebra_pack1", "address": ""}
    )
    assert (fields.host, fields.queue) == ("", "zebra_pack1")


def test_codes_are_given_unique_and_scanned_in_any_case(session):
    warehouse = f.make_warehouse(session)
    first = printer_registry.create(session, warehouse.id, printer_registry.parse(FORM))
    second = printer_registry.create(
        session, warehouse.id, printer_registry.parse({**FORM, "name": "Zebra 2"})
    )
    assert first.code.startswith("PRN-") and first.code != second.code
    assert printer_registry.by_code(session, f" {second.code.lower()} ") == second
    assert printer_registry.by_code(session, "ORDER-42") is None  # not a printer code
    printer_registry.set_active(session, second.id, False)
    with pytest.raises(NotFound):
        printer_registry.by_code(session, second.code)
    with pytest.raises(DomainError) as caught:
        printer_registry.update(
            session,
            second.id,
            printer_registry.parse({**FORM, "name": "Zebra 2", "code": first.code}),
        )
    assert caught.value.code == "printer_code_taken"
