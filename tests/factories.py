"""Small factories for domain tests: build exactly what a test needs."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from tests.conftest import CREDENTIALS_KEY
from warehouse.infra.credentials import seal
from warehouse.marketplaces.base import IncomingLine, IncomingOrder
from warehouse.models import (
    Location,
    MarketplaceAccount,
    Order,
    Printer,
    Product,
    ProductBarcode,
    Stock,
    User,
    UserRole,
    Warehouse,
)
from warehouse.orders import intake
from warehouse.stock import ledger

_ids = count(1)


def make_warehouse(session: Session) -> Warehouse:
    warehouse = Warehouse(code=f"W{next(_ids)}", name="Test warehouse")
    session.add(warehouse)
    session.flush()
    return warehouse


def make_account(
    session: Session, warehouse: Warehouse, base_url: str = "http://127.0.0.1:9/none"
) -> MarketplaceAccount:
    account = MarketplaceAccount(
        kind="wb",
        name="WB test",
        base_url=base_url,
        credentials_encrypted=seal({"token": "sandbox"}, CREDENTIALS_KEY),
        warehouse_id=warehouse.id,
    )
    session.add(account)
    session.flush()
    return account


def make_location(session: Session, warehouse: Warehouse, code: str, walk: int = 0) -> Location:
    location = Location(
        warehouse_id=warehouse.id, code=code, barcode=f"LOC-{code}", walk_order=walk
    )
    session.add(location)
    session.flush()
    return location


def make_product(
    session: Session, name: str, *barcodes: str | tuple[str, int], article: str | None = None
) -> Product:
    product = Product(article=article or f"ART-{next(_ids)}", name=name)
    for code in barcodes:
        barcode, quantity = (code, 1) if isinstance(code, str) else code
        product.barcodes.append(ProductBarcode(barcode=barcode, quantity=quantity))
    session.add(product)
    session.flush()
    return product


def put_stock(session: Session, product: Product, location: Location, on_hand: int) -> Stock:
    """The bin's first stock, as a movement (``opening``) like the demo's and a catalogue's."""
    return ledger.opening(session, product.id, location.id, on_hand, document="test")


def make_picker(
    session: Session,
    badge: str = "B-1",
    name: str = "Picker",
    also: tuple[str, ...] = ("packer", "loader"),
) -> User:
    """A picker who also packs and loads, like the demo's: most tests walk one person
    through the whole floor. ``also=()`` for a picker and nothing else."""
    user = User(name=name, role="picker", badge=badge)
    user.extra_roles = [UserRole(role=role) for role in also]
    session.add(user)
    session.flush()
    return user


def make_printer(
    session: Session, warehouse: Warehouse, address: tuple[str, int], **overrides: object
) -> Printer:
    number = next(_ids)
    fields: dict[str, object] = {
        "name": f"Z{number}",
        "code": f"PRN-T{number}",
        "host": address[0],
        "port": address[1],
        "is_default": True,
    }
    fields.update(overrides)
    printer = Printer(warehouse_id=warehouse.id, **fields)
    session.add(printer)
    session.flush()
    return printer


def incoming(external_id: str, *lines: tuple[str, int]) -> IncomingOrder:
    return IncomingOrder(
        external_id=external_id,
        status="new",
        created_at=datetime.now(UTC),
        lines=tuple(
            IncomingLine(barcodes=(barcode,), article="", quantity=qty) for barcode, qty in lines
        ),
    )


def import_order(
    session: Session, account: MarketplaceAccount, external_id: str, *lines: tuple[str, int]
) -> Order:
    intake.import_orders(session, account, [incoming(external_id, *lines)])
    return session.query(Order).filter_by(account_id=account.id, external_id=external_id).one()


def make_supervisor(
    session: Session, login: str = "boss", password: str = "boss", role: str = "supervisor"
) -> User:
    user = User(
        name=login.title(), role=role, login=login, password_hash=generate_password_hash(password)
    )
    session.add(user)
    session.flush()
    return user
