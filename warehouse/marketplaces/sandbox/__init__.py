"""Local imitations of the marketplaces' seller APIs, for tests and the demo.

Each sandbox behaves like an outside system: its state lives in its own database
(``SANDBOX_DATABASE_URL``) and shares nothing with the warehouse schema. It is mounted
only when ``SANDBOX_ENABLED`` is on.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# marketplace kind → the module serving its sandbox (a blueprint ``bp`` and
# ``generate_orders(count)``), mounted at /sandbox/<kind>/.
MODULES = {
    "wb": "warehouse.marketplaces.sandbox.wb",
    "ozon": "warehouse.marketplaces.sandbox.ozon",
    "yandex": "warehouse.marketplaces.sandbox.yandex",
    "megamarket": "warehouse.marketplaces.sandbox.megamarket",
}


def available() -> dict[str, ModuleType]:
    """The sandboxes this installation has, by marketplace kind."""
    found = {}
    for kind, name in MODULES.items():
        try:
            found[kind] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found
