"""warehouse: the handheld (ТСД) backend for marketplace FBS warehouses."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application; wiring only, nothing touches the network here."""
    from warehouse import cli
    from warehouse.infra import config, db, i18n, logs, queue
    from warehouse.integrations import webhooks
    from warehouse.web import register_web

    instance = os.environ.get("WAREHOUSE_INSTANCE_PATH")  # two copies side by side: two dirs
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance) if instance else None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    config.load(app, test_config)
    logs.configure(app)
    db.init_app(app)
    webhooks.install()  # events found in the transactions that write them
    queue.init_app(app)
    i18n.init_app(app)
    register_web(app)
    cli.register(app)
    return app
