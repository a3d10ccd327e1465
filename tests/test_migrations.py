"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from warehouse.infra.migrate import include_object
from warehouse.models import Base


def test_migrated_schema_matches_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": False}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_wb_supplies_become_hand_overs_and_orders_keep_their_link(tmp_path):
    """0015 on a database with supplies and orders in them (SQLite file)."""
    from sqlalchemy import text

    from warehouse.infra.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0014")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO warehouses (id, code, name) VALUES (1, 'W1', 'W')"))
        conn.execute(
            text(
                "INSERT INTO marketplace_accounts (id, kind, name, base_url, "
                "credentials_encrypted, warehouse_id, settings, active) "
                "VALUES (1, 'wb', 'WB', 'http://x', x'00', 1, '{}', 1)"
            )
        )
        for supply_id, open_ in ((7, 0), (8, 1)):
            conn.execute(
                text(
                    "INSERT INTO supplies (id, account_id, external_id, is_open, created_at) "
                    f"VALUES ({supply_id}, 1, 'WB-GI-{supply_id}', {open_}, "
                    "'2026-12-04 10:00:00.000000+00:00')"
                )
            )
        conn.execute(
            text(
                "INSERT INTO orders (id, account_id, external_id, group_id, marketplace_status, "
                "status, created_at, updated_at, supply_id, raw) VALUES (1, 1, '42', '', "
                "'confirm', 'labelled', '2026-12-04 10:00:00+00:00', "
                "'2026-12-04 10:00:00+00:00', 8, '{}')"
            )
        )
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, ship_date, external_id, status FROM handovers ORDER BY id")
        ).all()
        assert [tuple(row) for row in rows] == [
            (7, "2026-12-04", "WB-GI-7", "closed"),
            (8, "2026-12-04", "WB-GI-8", "open"),
        ]
        assert conn.execute(text("SELECT handover_id FROM orders")).scalar() == 8
    engine.dispose()


def test_the_ledger_opens_with_what_each_bin_holds_and_old_rows_keep_their_shortage(tmp_path):
    """0023 on a database with stock and pre-ledger movements: afterwards the movements of
    every bin sum to its on-hand (SQLite file)."""
    from sqlalchemy import text

    from warehouse.infra.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0024")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO warehouses (id, code, name) VALUES (1, 'W1', 'W')"))
        for location_id in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO locations (id, warehouse_id, code, barcode, walk_order) "
                    f"VALUES ({location_id}, 1, 'A-{location_id}', 'LOC-A-{location_id}', 0)"
                )
            )
        conn.execute(
            text(
                "INSERT INTO products (id, article, name, needs_marking) "
                "VALUES (1, 'MUG', 'Кружка', 0)"
            )
        )
        for location_id, on_hand in ((1, 10), (2, 0)):
            conn.execute(
                text(
                    "INSERT INTO stock (product_id, location_id, on_hand, reserved) "
                    f"VALUES (1, {location_id}, {on_hand}, 0)"
                )
            )
        conn.execute(
            text(
                "INSERT INTO stock_moves (product_id, location_id, quantity, reason, "
                "created_at) VALUES (1, 1, -2, 'suspected_shortage', '2026-12-01 10:00:00')"
            )
        )
    upgrade(url)
    with engine.connect() as conn:
        moves = conn.execute(
            text("SELECT location_id, quantity, reason, document FROM stock_moves ORDER BY id")
        ).all()
        assert [tuple(row) for row in moves] == [
            (1, -2, "suspected_shortage", "before-ledger"),
            (1, 12, "opening", "migration:0023"),
        ]
    engine.dispose()


def test_0028_down_writes_the_defect_area_off_so_the_ledger_still_adds_up(tmp_path):
    """Before 0028 a defect lay in no bin: going down, the area's stock leaves it by a
    write-off (the bin, plain again, must not sell it) and the ledger reconciles."""
    from alembic import command
    from sqlalchemy import text

    from warehouse.infra.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'defects.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in (
            "INSERT INTO warehouses (id, code, name) VALUES (1, 'W1', 'W')",
            "INSERT INTO locations (id, warehouse_id, code, barcode, walk_order, zone, defect)"
            " VALUES (1, 1, 'DEFECT', 'DEF-W1', 0, '', 1)",
            "INSERT INTO products (id, article, name, needs_marking) VALUES (1, 'A', 'A', 0)",
            "INSERT INTO stock (product_id, location_id, on_hand, reserved) VALUES (1, 1, 2, 0)",
            "INSERT INTO stock_moves (product_id, location_id, quantity, reason, document,"
            " created_at) VALUES (1, 1, 2, 'return_defect', 'return:1', CURRENT_TIMESTAMP)",
        ):
            conn.execute(text(statement))
    command.downgrade(alembic_config(url), "0025")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT on_hand FROM stock")).scalar() == 0
        moves = conn.execute(text("SELECT reason, quantity FROM stock_moves ORDER BY id")).all()
        assert [tuple(row) for row in moves] == [("return", 2), ("write_off", -2)]
    engine.dispose()


def test_orders_from_before_0030_are_found_by_their_numbers_and_loaded_lines(tmp_path):
    """0030 on a database with orders and a pickup: every order's numbers (its own, its
    group's, its JSON's) are kept for the search, and a «loaded» line names its order."""
    from sqlalchemy import text

    from warehouse.infra.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0025")
    engine = create_engine(url)
    raw = '{"id": 42, "rid": "R-42", "orderUid": "cart-7", "skus": ["460"]}'
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO warehouses (id, code, name) VALUES (1, 'W1', 'W')"))
        conn.execute(
            text(
                "INSERT INTO marketplace_accounts (id, kind, name, base_url, "
                "credentials_encrypted, warehouse_id, settings, active) "
                "VALUES (1, 'wb', 'WB', 'http://x', x'00', 1, '{}', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO handovers (id, account_id, ship_date, external_id, status, "
                "marketplace_state, details, created_at) VALUES (3, 1, '2026-12-04', "
                "'WB-GI-3', 'open', '', '{}', '2026-12-04 10:00:00+00:00')"
            )
        )
        for order_id, external, group, body in ((1, "42", "cart-7", raw), (2, "4", "", "{}")):
            conn.execute(
                text(
                    "INSERT INTO orders (id, account_id, external_id, group_id, "
                    "marketplace_status, status, created_at, updated_at, handover_id, raw) "
                    f"VALUES ({order_id}, 1, '{external}', '{group}', 'confirm', 'labelled', "
                    "'2026-12-04 10:00:00+00:00', '2026-12-04 10:00:00+00:00', 3, :raw)"
                ),
                {"raw": body},
            )
        for event_id, line in ((1, "42 ← *WB42"), (2, "4 ← *WB4"), (3, "opened")):
            kind = "opened" if line == "opened" else "loaded"
            conn.execute(
                text(
                    "INSERT INTO handover_events (id, handover_id, at, kind, text) VALUES "
                    f"({event_id}, 3, '2026-12-04 11:00:00+00:00', '{kind}', :line)"
                ),
                {"line": line},
            )
    upgrade(url)
    with engine.connect() as conn:
        numbers = conn.execute(
            text("SELECT order_id, number FROM order_numbers ORDER BY order_id, id")
        ).all()
        assert [tuple(row) for row in numbers] == [(1, "42"), (1, "cart-7"), (1, "R-42"), (2, "4")]
        linked = conn.execute(text("SELECT id, order_id FROM handover_events ORDER BY id")).all()
        assert [tuple(row) for row in linked] == [(1, 1), (2, 2), (3, None)]
    engine.dispose()
