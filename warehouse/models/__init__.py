"""The domain's tables (SQLAlchemy 2.0 typed declarative)."""

from warehouse.models.accounting import (
    ACCOUNTING_KINDS,
    DOCUMENT_KINDS,
    AccountingAccount,
    AccountingDocument,
    AccountingItem,
    AccountingStock,
    AccountingSync,
)
from warehouse.models.alerts import ALERT_KINDS, ALERT_STATUSES, Alert, AlertBot
from warehouse.models.base import Base, utcnow
from warehouse.models.boxes import IssuedSscc
from warehouse.models.catalog import (
    CatalogueUpload,
    Location,
    Product,
    ProductBarcode,
    Stock,
    Warehouse,
)
from warehouse.models.counts import CountBin, CountFlag, CountLine, StockCount
from warehouse.models.listings import Listing, StatusMap
from warehouse.models.order_events import OrderEvent
from warehouse.models.orders import (
    ACCOUNT_PROBLEMS,
    MARKETPLACES,
    ORDER_IN_WORK,
    ORDER_STATUSES,
    TO_PICK_STATUSES,
    MarketplaceAccount,
    Order,
    OrderLine,
    OrderNumber,
    Parcel,
    Reservation,
)
from warehouse.models.outbox import OutboxCommand
from warehouse.models.printing import (
    PRINT_JOB_STATUSES,
    PRINTER_KINDS,
    PRINTER_TRANSPORTS,
    Printer,
    PrintEvent,
    PrintJob,
)
from warehouse.models.receiving import (
    PutAway,
    Receipt,
    ReceiptLine,
    ReceiptScan,
    ReceivedMarkingCode,
)
from warehouse.models.returns import Return, ReturnUnit
from warehouse.models.shipping import (
    HANDOVER_STATUSES,
    HandOver,
    HandOverDocument,
    HandOverEvent,
)
from warehouse.models.staff import StaffEvent, UserRole
from warehouse.models.work import (
    MarkingCode,
    PickBatch,
    PickItem,
    PickTask,
    ScanEvent,
    Shortage,
    StockMove,
    User,
    Wave,
)

__all__ = [
    "ACCOUNTING_KINDS",
    "ACCOUNT_PROBLEMS",
    "ALERT_KINDS",
    "ALERT_STATUSES",
    "DOCUMENT_KINDS",
    "HANDOVER_STATUSES",
    "MARKETPLACES",
    "ORDER_IN_WORK",
    "ORDER_STATUSES",
    "PRINTER_KINDS",
    "PRINTER_TRANSPORTS",
    "PRINT_JOB_STATUSES",
    "TO_PICK_STATUSES",
    "AccountingAccount",
    "AccountingDocument",
    "AccountingItem",
    "AccountingStock",
    "AccountingSync",
    "Alert",
    "AlertBot",
    "Base",
    "CatalogueUpload",
    "CountBin",
    "CountFlag",
    "CountLine",
    "HandOver",
    "HandOverDocument",
    "HandOverEvent",
    "IssuedSscc",
    "Listing",
    "Location",
    "MarketplaceAccount",
    "MarkingCode",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderNumber",
    "OutboxCommand",
    "Parcel",
    "PickBatch",
    "PickItem",
    "PickTask",
    "PrintEvent",
    "PrintJob",
    "Printer",
    "Product",
    "ProductBarcode",
    "PutAway",
    "Receipt",
    "ReceiptLine",
    "ReceiptScan",
    "ReceivedMarkingCode",
    "Reservation",
    "Return",
    "ReturnUnit",
    "ScanEvent",
    "Shortage",
    "StaffEvent",
    "StatusMap",
    "Stock",
    "StockCount",
    "StockMove",
    "User",
    "UserRole",
    "Warehouse",
    "Wave",
    "utcnow",
]
