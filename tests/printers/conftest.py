"""A fresh virtual Zebra on a free loopback port for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printers import VirtualZebra


@pytest.fixture
def printer() -> Iterator[VirtualZebra]:
    with VirtualZebra() as virtual:
        yield virtual
