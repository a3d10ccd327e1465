"""Catalogue import speed: 10,000 product rows read, planned (the preview) and applied, as
CSV and as XLSX, into a fresh database; then the same file again (all unchanged).

    .venv/bin/python bench/catalogue_import.py [--rows 10000]

Prints seconds and rows per second for each step. In this process (the desk's upload does
the same work in its request); ``WAREHOUSE_DATABASE_URL`` points it at PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.fernet import Fernet
from sqlalchemy import delete

from printers.barcodes import check_digit
from warehouse import create_app
from warehouse.catalog import catalogue_csv, catalogue_files
from warehouse.infra import db, migrate
from warehouse.models import Product, ProductBarcode


def catalogue(rows: int) -> tuple[list[str], list[list[str]]]:
    header = list(catalogue_csv.PRODUCT_COLUMNS)
    lines = []
    for n in range(rows):
        unit = f"46{n:010d}"
        pack = f"1{unit}"
        lines.append(
            [
                f"ART-{n:05d}",
                f"Товар номер {n}, чёрный",
                unit + str(check_digit(unit)),
                f"{pack}{check_digit(pack)}:12",
                "yes" if n % 7 == 0 else "no",
                f"{n % 5000}.{n % 100:02d}",
                str(n % 10),
                str(100 + n % 900),
                "200",
                "150",
                str(10 + n % 90),
                "yes",
                ("Одежда", "Посуда", "Электроника")[n % 3],
            ]
        )
    return header, lines


def timed(label: str, rows: int, step):  # type: ignore[no-untyped-def]
    begin = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - begin
    print(f"  {label:<32} {seconds:6.2f} s  {rows / seconds:9.0f} rows/s")
    return result


def run(app, fmt: str, header: list[str], lines: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    rows = len(lines)
    data = catalogue_files.write(fmt, header, lines)
    print(f"{fmt.upper()}, {rows} products, {len(data) / 1e6:.1f} MB:")
    with app.app_context():
        session = db.session()
        session.execute(delete(ProductBarcode))
        session.execute(delete(Product))
        session.commit()
        table = timed("read the file", rows, lambda: catalogue_files.read(f"p.{fmt}", data))
        timed(
            "plan (the preview)",
            rows,
            lambda: catalogue_csv.plan(session, "products", header, table.rows),
        )
        session.rollback()
        begin = time.perf_counter()
        catalogue_csv.apply(session, "products", header, table.rows)
        session.commit()
        seconds = time.perf_counter() - begin
        print(
            f"  {'apply (plan again + write)':<32} {seconds:6.2f} s  {rows / seconds:9.0f} rows/s"
        )
        again = timed(
            "the same file again (unchanged)",
            rows,
            lambda: catalogue_csv.apply(session, "products", header, table.rows),
        )
        session.commit()
        assert again.count("unchanged") == rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    os.environ.update(
        {
            "WAREHOUSE_ENV": "dev",
            "WAREHOUSE_SECRET_KEY": uuid.uuid4().hex,
            "WAREHOUSE_CREDENTIALS_KEY": Fernet.generate_key().decode(),
            "WAREHOUSE_LOG_LEVEL": "WARNING",
            "WAREHOUSE_INSTANCE_PATH": str(workdir),
        }
    )
    os.environ.setdefault("WAREHOUSE_DATABASE_URL", f"sqlite:///{workdir / 'warehouse.db'}")
    try:
        app = create_app()
        migrate.upgrade(app.config["DATABASE_URL"])
        header, lines = catalogue(args.rows)
        for fmt in catalogue_files.FORMATS:
            run(app, fmt, header, lines)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
