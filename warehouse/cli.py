"""Flask CLI commands: ``flask --app wsgi db-upgrade``, ``demo-data``, ``worker``."""

from __future__ import annotations

import click
from flask import Flask, current_app

from warehouse import db, demo, migrate, queue


def register(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(demo_data)
    app.cli.add_command(redis_url)


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@click.command("demo-data")
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
def redis_url() -> None:
    """Print the Redis URL in use (starting the embedded one if configured)."""
    click.echo(queue.redis_url())
