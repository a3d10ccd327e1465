"""Flask CLI commands: ``flask --app wsgi db-upgrade``, ``create-admin``, ``demo-data``, …"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from warehouse import demo
from warehouse.catalog import catalogue_csv, catalogue_files, megamarket_offers
from warehouse.errors import DomainError
from warehouse.infra import backup, db, migrate, queue
from warehouse.models import Location, MarketplaceAccount, Product
from warehouse.staff import users
from warehouse.stock import ledger, stock_sync


def register(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(create_admin)
    app.cli.add_command(load_catalogue)
    app.cli.add_command(load_megamarket_offers)
    app.cli.add_command(demo_data)
    app.cli.add_command(redis_url)
    app.cli.add_command(stock_resync)
    app.cli.add_command(stock_reconcile)
    app.cli.add_command(backup_database)
    app.cli.add_command(restore_database)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply the database migrations."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@click.command("create-admin")
@with_appcontext
@click.option("--login", required=True, help="the login for the desk")
@click.option("--name", default="", help="the person's name (default: the login)")
@click.option("--warehouse", default="", help="the warehouse's name, if none exists yet")
@click.password_option(help="asked for twice when not given")
def create_admin(login: str, name: str, warehouse: str, password: str) -> None:
    """Create an admin (the first one on a production start, or one more)."""
    session = db.session()
    form = users.UserForm(name=name or login, role="admin", login=login, password=password)
    try:
        users.create_first_admin(
            session, form, warehouse_name=warehouse, pin_secret=current_app.config["SECRET_KEY"]
        )
    except DomainError as refusal:
        raise click.ClickException(_words(refusal)) from refusal
    session.commit()
    click.echo(f"admin {login} created: log in at /login")


@click.command("load-catalogue")
@with_appcontext
@click.option("--bins", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--products", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_catalogue(bins: Path | None, products: Path | None) -> None:
    """Bins (code[,zone,walk_order,barcode,active]) and products (article,name[,barcodes,
    pack_barcodes,needs_marking,cost_price,…, bin,on_hand]) from CSV or XLSX files, as the
    desk imports them: upsert by bin code / article, all or nothing."""
    session = db.session()
    try:
        catalogue_csv.first_warehouse(session)
        for path, kind in ((bins, "bins"), (products, "products")):
            if path is not None:
                table = catalogue_files.read(path.name, path.read_bytes())
                plan = catalogue_csv.apply(session, kind, table.header, table.rows)
                click.echo(
                    f"{path.name}: {plan.count('create')} created, {plan.count('update')} "
                    f"changed, {plan.count('unchanged')} unchanged"
                )
    except catalogue_csv.RowsRefused as refusal:
        session.rollback()
        raise click.ClickException(_refused_rows(refusal.plan)) from refusal
    except DomainError as refusal:
        session.rollback()
        raise click.ClickException(_words(refusal)) from refusal
    session.commit()


def _refused_rows(plan: catalogue_csv.Plan) -> str:
    from warehouse.web.messages import describe

    with current_app.test_request_context():
        return "nothing loaded:\n" + "\n".join(
            f"line {row.line}: " + "; ".join(describe(code, params) for code, params in row.reasons)
            for row in plan.refused
        )


@click.command("load-megamarket-offers")
@with_appcontext
@click.argument("account_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_megamarket_offers(account_id: int, path: Path) -> None:
    """A Megamarket account's offers from the cabinet's export saved as CSV (MM's API
    lists none): offerId, name, barcode, goodsId columns, found by name."""
    session = db.session()
    account = session.get(MarketplaceAccount, account_id)
    if account is None or account.kind != "megamarket":
        raise click.ClickException(f"no Megamarket account {account_id}")
    try:
        result = megamarket_offers.load(session, account, path.read_text(encoding="utf-8-sig"))
    except DomainError as refusal:
        session.rollback()
        raise click.ClickException(_words(refusal)) from refusal
    session.commit()
    click.echo(f"{path.name}: {result.created} new, {result.linked} linked, {result.unlinked} not")


def _words(refusal: DomainError) -> str:
    from warehouse.web.messages import describe

    with current_app.test_request_context():  # the words come from the catalogue
        return describe(refusal.code, refusal.params)


@click.command("demo-data")
@with_appcontext
@click.option("--printer-port", default=9101, show_default=True)
def demo_data(printer_port: int) -> None:
    """Load the demo warehouse (once)."""
    session = db.session()
    created = demo.load(
        session,
        public_url=current_app.config["PUBLIC_URL"],
        credentials_key=current_app.config["CREDENTIALS_KEY"],
        printer=("127.0.0.1", printer_port),
        pin_secret=current_app.config["SECRET_KEY"],
    )
    session.commit()
    click.echo("demo data loaded" if created else "demo data already present")


@click.command("redis-url")
@with_appcontext
def redis_url() -> None:
    """Print the Redis URL in use (starting the embedded one if configured)."""
    click.echo(queue.redis_url())


@click.command("stock-resync")
@with_appcontext
@click.option("--account", "account_id", type=int, help="one account (default: every one)")
def stock_resync(account_id: int | None) -> None:
    """Push every linked card's free stock again (after a marketplace lost it)."""
    session = db.session()
    query = select(MarketplaceAccount).where(MarketplaceAccount.active.is_(True))
    if account_id is not None:
        query = query.where(MarketplaceAccount.id == account_id)
    accounts = session.scalars(query).all()
    for account in accounts:
        stock_sync.resync(session, account)
    session.commit()
    click.echo(f"full stock push queued for {len(accounts)} account(s)")


@click.command("stock-reconcile")
@with_appcontext
def stock_reconcile() -> None:
    """Check that every bin's on-hand is the sum of its stock movements; exit 1 if not."""
    session = db.session()
    found = ledger.disagreements(session)
    for row in found:
        product = session.get_one(Product, row.product_id)
        location = session.get_one(Location, row.location_id)
        click.echo(
            f"{product.article}\t{location.code}\ton_hand={row.on_hand}\tledger={row.ledger}"
        )
    if found:
        raise click.ClickException(f"{len(found)} bin(s) disagree with the stock ledger")
    click.echo("the stock ledger reconciles: every bin's on-hand is the sum of its movements")


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_database(target: Path) -> None:
    """Copy the live SQLite database to TARGET while the system keeps running."""
    try:
        size = backup.backup(current_app.config["DATABASE_URL"], target)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backed up to {target} ({size / 1e6:.1f} MB), checked intact")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="the web, the workers and cron are stopped")
def restore_database(source: Path, yes: bool) -> None:
    """Put the backup SOURCE in place of the SQLite database (stop the system first)."""
    if not yes:
        raise click.ClickException(
            "stop the web, the workers and cron first (make run: Ctrl-C), then add --yes"
        )
    try:
        kept = backup.restore(current_app.config["DATABASE_URL"], source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {source}; the database it replaced is kept as {kept}")
