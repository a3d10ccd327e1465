"""Local imitations of the marketplaces' seller APIs, for tests and the demo.

Each sandbox behaves like an outside system: its state lives in its own database
(``SANDBOX_DATABASE_URL``) and shares nothing with the warehouse schema. It is mounted
only when ``SANDBOX_ENABLED`` is on.
"""

from __future__ import annotations

from types import ModuleType

from warehouse.marketplaces.sandbox import megamarket, ozon, wb, yandex

# marketplace kind → the module serving its sandbox: a blueprint ``bp`` and
# ``generate_orders(count)``, mounted at /sandbox/<kind>/.
SANDBOXES: dict[str, ModuleType] = {
    "wb": wb,
    "ozon": ozon,
    "yandex": yandex,
    "megamarket": megamarket,
}
