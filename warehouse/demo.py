"""Demo data: a small warehouse with goods, pickers, a WB sandbox account and a printer.

Loaded by ``make run`` (idempotent: a second load changes nothing).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from warehouse.demo_catalogue import PRODUCTS
from warehouse.infra.credentials import pin_digest, seal
from warehouse.models import (
    Location,
    MarketplaceAccount,
    PriceList,
    Printer,
    Product,
    ProductBarcode,
    User,
    UserRole,
    Warehouse,
)
from warehouse.stock import ledger

logger = logging.getLogger(__name__)

# badge → (name, PIN for the keypad)
# Анна logs in with her badge alone; Иван's badge asks for his PIN next (a second factor).
PICKERS = {"PICKER-001": ("Анна Сборщица", None), "PICKER-002": ("Иван Сборщик", "1002")}
SUPERVISOR = ("admin", "admin")
# a small warehouse: its pickers pack and load too (the staff page gives others one role)
DEMO_FLOOR_ROLES = ("packer", "loader")
# the virtual Zebra of `make run`: scan its code on /tsd/pack to print there
DEMO_PRINTER_CODE = "PRN-001"
DEMO_BIG_PRINTER_CODE = "PRN-002"
DEMO_STATION = "PACK-1"
STOCK_PER_PRODUCT = 500
# Credentials and settings each sandbox accepts (README names them). A setting starting
# with /sandbox/ is an address on this run's site (WB's cards and reports: the Content
# and analytics APIs' hosts). The YM business's FBY shop (campaign 2) holds its FBO stock.
# each demo cabinet's price list: the marketplace's commission (basis points) and its
# logistics per unit (kopecks), about what FBS sellers pay in 2026
DEMO_PRICE_FIGURES = {
    "wb": (2000, 7000),
    "ozon": (1800, 8000),
    "yandex": (1500, 6000),
    "megamarket": (1200, 5000),
}
SANDBOX_ACCOUNTS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "wb": (
        {"token": "sandbox"},
        {
            "warehouse_id": "1000001",
            "content_url": "/sandbox/wb/content-api",
            "analytics_url": "/sandbox/wb/seller-analytics-api",
            "prices_url": "/sandbox/wb/prices-api",
            "statistics_url": "/sandbox/wb/statistics-api",
            "finance_url": "/sandbox/wb/finance-api",
        },
    ),
    "ozon": ({"client_id": "sandbox", "api_key": "sandbox"}, {"warehouse_id": "1"}),
    "yandex": (
        {"api_key": "sandbox"},
        {"business_id": "1", "campaign_id": "1", "fby_campaign_id": "2"},
    ),
    "megamarket": ({"token": "sandbox"}, {"merchant_id": "5401"}),
}


def load(
    session: Session,
    *,
    public_url: str,
    credentials_key: str,
    printer: tuple[str, int] = ("127.0.0.1", 9101),
    sandbox_kinds: tuple[str, ...] = ("wb",),
    pin_secret: str = "",
    big_printer: tuple[str, int] | None = None,
) -> bool:
    """Create the demo warehouse unless it exists; returns True if it created anything."""
    if session.scalar(select(Warehouse).where(Warehouse.code == "MAIN")) is not None:
        return False
    warehouse = Warehouse(code="MAIN", name="Основной склад")
    session.add(warehouse)
    session.flush()
    bins = sorted({p.bin for p in PRODUCTS})
    locations = {
        code: Location(warehouse_id=warehouse.id, code=code, barcode=f"LOC-{code}", walk_order=i)
        for i, code in enumerate(bins, start=1)
    }
    session.add_all(locations.values())
    for item in PRODUCTS:
        product = Product(
            article=item.article,
            name=item.name,
            needs_marking=item.marked,
            cost_price=item.cost_kopecks or None,
            category=item.category,
        )
        product.barcodes = [ProductBarcode(barcode=code) for code in item.barcodes]
        session.add(product)
        session.flush()
        bin_id = locations[item.bin].id
        ledger.opening(session, product.id, bin_id, STOCK_PER_PRODUCT, document="demo")
    for badge, (name, pin) in PICKERS.items():
        digest = pin_digest(pin, pin_secret) if pin else None
        picker = User(name=name, role="picker", badge=badge, pin_digest=digest)
        picker.extra_roles = [UserRole(role=role) for role in DEMO_FLOOR_ROLES]
        session.add(picker)
    login, password = SUPERVISOR
    session.add(
        User(
            name="Старший смены",
            role="admin",
            login=login,
            password_hash=generate_password_hash(password),
        )
    )
    for kind in sandbox_kinds:
        credentials, settings = SANDBOX_ACCOUNTS[kind]
        account = MarketplaceAccount(
            kind=kind,
            name=f"{kind.upper()} песочница",
            base_url=f"{public_url.rstrip('/')}/sandbox/{kind}",
            credentials_encrypted=seal(credentials, credentials_key),
            warehouse_id=warehouse.id,
            settings=sandbox_settings(settings, public_url),
        )
        commission, logistics = DEMO_PRICE_FIGURES[kind]
        session.add(
            PriceList(
                account=account,
                name="Основной",
                commission_bp=commission,
                logistics=logistics,
                max_change_percent=20,
            )
        )
    host, port = printer
    session.add(
        Printer(
            warehouse_id=warehouse.id,
            name="Zebra-1",
            code=DEMO_PRINTER_CODE,
            host=host,
            port=port,
            station=DEMO_STATION,
            zone="A",
            is_default=True,
        )
    )
    if set(sandbox_kinds) - {"wb"}:
        session.add(_big_printer(warehouse, *(big_printer or printer)))
    session.flush()
    logger.info("demo data loaded")
    return True


def marketplace_month(app: Flask, kinds: tuple[str, ...], today: date) -> int:
    """A fresh demo's last month at its sandboxes (their FBO sales, returns, storage and
    fines; the ТСД's own orders come later), so the reports have something to read: each
    sandbox's ``_control/sales``, asked in-process before the server starts. The kinds whose
    marketplace gives no sales statistics (Megamarket) have no such control and are skipped.
    Returns how many sandboxes made a month."""
    made = 0
    start = (today - timedelta(days=29)).isoformat()
    with app.test_client() as client:
        for kind in kinds:
            answer = client.post(
                f"/sandbox/{kind}/_control/sales",
                json={"start": start, "days": 30, "seed": 1, "fbo_per_day": 3, "orders": []},
            )
            if answer.status_code == 200:
                made += 1
    logger.info("demo marketplace month made in %s sandboxes", made)
    return made


def rewire(
    session: Session,
    *,
    public_url: str,
    printer: tuple[str, int],
    big_printer: tuple[str, int] | None = None,
) -> None:
    """Point the demo printers and sandbox cabinets at this run's ports (they may change)."""
    places = {DEMO_PRINTER_CODE: printer, DEMO_BIG_PRINTER_CODE: big_printer or printer}
    for zebra in session.scalars(select(Printer).where(Printer.code.in_(places))):
        host, port = places[zebra.code]
        if (zebra.host, zebra.port) != (host, port):
            zebra.host, zebra.port = host, port
            logger.info("demo printer %s now at %s:%s", zebra.code, host, port)
    for account in session.scalars(select(MarketplaceAccount)):
        account.base_url = _on_site(account.base_url, public_url)
        settings = dict(account.settings or {})
        if "/sandbox/" in account.base_url and account.kind in SANDBOX_ACCOUNTS:
            # a setting added since the demo was loaded (WB's prices host): the sandbox's,
            # never production's default
            settings = {**SANDBOX_ACCOUNTS[account.kind][1], **settings}
        if settings:
            account.settings = sandbox_settings(settings, public_url)
    session.flush()


def sandbox_settings(settings: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The settings with every sandbox address (``…/sandbox/…``) on this run's site."""
    return {
        key: _on_site(value, public_url) if isinstance(value, str) else value
        for key, value in settings.items()
    }


def _on_site(address: str, public_url: str) -> str:
    marker = address.rfind("/sandbox/")
    return f"{public_url.rstrip('/')}{address[marker:]}" if marker >= 0 else address


def _big_printer(warehouse: Warehouse, host: str, port: int) -> Printer:
    """Ozon, Yandex Market and Megamarket labels are 75×120, WB's 58×40: the station's second
    printer, loaded with 75×120 (``make run`` starts a second virtual Zebra for it; tests
    may point both at one virtual Zebra, which prints any size)."""
    return Printer(
        warehouse_id=warehouse.id,
        name="Zebra-2 75×120",
        code=DEMO_BIG_PRINTER_CODE,
        host=host,
        port=port,
        station=DEMO_STATION,
        zone="A",
        label_width_mm=75,
        label_height_mm=120,
    )
