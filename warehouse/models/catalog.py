"""Where goods are and what they are: warehouse, bins, products, barcodes, stock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class Location(Base):
    """A bin: scanned by its barcode, visited in walk order; ``receiving`` marks the
    warehouse's receiving area, ``defect`` its defect area (a bin is never both)."""

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "code"),
        # one receiving area per warehouse (see warehouse.stock.receiving.receiving_bin)
        Index(
            "uq_locations_receiving",
            "warehouse_id",
            unique=True,
            sqlite_where=text("receiving"),
            postgresql_where=text("receiving"),
        ),
        # one defect area per warehouse (see warehouse.stock.defects.defect_bin)
        Index(
            "uq_locations_defect",
            "warehouse_id",
            unique=True,
            sqlite_where=text("defect"),
            postgresql_where=text("defect"),
        ),
        CheckConstraint("NOT (receiving AND defect)", name="one_area"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    code: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    # the receiving area: goods are in stock there but not free for orders until put away
    receiving: Mapped[bool] = mapped_column(default=False, server_default=false())
    # the defect area: returned defects wait there for a claim or a write-off; in stock,
    # never free for orders, never a put-away's target
    defect: Mapped[bool] = mapped_column(default=False, server_default=false())
    walk_order: Mapped[int] = mapped_column(default=0)
    zone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    warehouse: Mapped[Warehouse] = relationship()


class Product(Base):
    """A product: cost price in kopecks, weight in grams, sizes in millimetres."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("cost_price >= 0", name="cost_price_not_negative"),
        CheckConstraint("min_stock >= 0", name="min_stock_not_negative"),
        CheckConstraint("weight_g >= 0", name="weight_not_negative"),
        CheckConstraint(
            "length_mm >= 0 AND width_mm >= 0 AND height_mm >= 0", name="size_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(100), default="", server_default="")
    needs_marking: Mapped[bool] = mapped_column(default=False)
    cost_price: Mapped[int | None] = mapped_column()
    min_stock: Mapped[int] = mapped_column(default=0, server_default="0")
    weight_g: Mapped[int | None] = mapped_column()
    length_mm: Mapped[int | None] = mapped_column()
    width_mm: Mapped[int | None] = mapped_column()
    height_mm: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    barcodes: Mapped[list[ProductBarcode]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )


class ProductBarcode(Base):
    """One of a product's barcodes; ``quantity`` > 1 for a pack barcode."""

    __tablename__ = "product_barcodes"
    __table_args__ = (CheckConstraint("quantity > 0", name="positive_quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    quantity: Mapped[int] = mapped_column(default=1)

    product: Mapped[Product] = relationship(back_populates="barcodes")


class Stock(Base):
    """How many of a product lie in a bin, and how many of those are promised to orders."""

    __tablename__ = "stock"
    __table_args__ = (
        UniqueConstraint("product_id", "location_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


CATALOGUE_KINDS = ("products", "bins")


class CatalogueUpload(Base):
    """A parsed catalogue file between its preview and its apply, found by a random token
    (rows as JSON: the file itself is not kept)."""

    __tablename__ = "catalogue_uploads"
    __table_args__ = (CheckConstraint(one_of("kind", CATALOGUE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(200))
    rows_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
