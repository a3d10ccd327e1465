"""The web layer: blueprints for the ТСД, the supervisor desk, the API and health."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from warehouse.web import (
        api,
        auth,
        errors,
        health,
        label_printing,
        messages,
        once,
        previews,
        printers,
        settings,
        supervisor,
        tsd,
        users,
    )
    from warehouse.web.barcode_svg import barcode_svg
    from warehouse.web.htmx import htmx

    htmx.init_app(app)
    app.add_template_global(_csrf_field, "csrf_field")
    app.context_processor(lambda: {"current_user": auth.current_user()})
    app.add_template_filter(messages.status_label, "status_label")
    app.add_template_filter(messages.print_problem, "print_problem")
    app.add_template_filter(messages.short_reason, "short_reason")
    app.add_template_filter(messages.package_label, "package_label")
    app.add_template_filter(messages.work_label, "work_label")
    app.add_template_filter(barcode_svg, "barcode_svg")
    app.add_template_global(once.request_key, "request_key")
    app.add_template_filter(messages.print_status, "print_status")
    app.add_template_filter(messages.print_event, "print_event")
    app.add_template_filter(messages.print_detail, "print_detail")
    app.add_template_filter(messages.print_kind, "print_kind")

    app.register_blueprint(health.bp)
    app.register_blueprint(tsd.bp, url_prefix="/tsd")
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(supervisor.bp)
    app.register_blueprint(settings.bp, url_prefix="/settings")
    app.register_blueprint(printers.bp)
    app.register_blueprint(label_printing.bp)
    app.register_blueprint(previews.bp)
    app.register_blueprint(users.bp)
    if app.config["SANDBOX_ENABLED"]:
        from warehouse.marketplaces import sandbox

        for kind, module in sandbox.SANDBOXES.items():
            app.register_blueprint(module.bp, url_prefix=f"/sandbox/{kind}")
    errors.register(app)


def _csrf_field():  # type: ignore[no-untyped-def]
    """The hidden field every POST form carries (placeholder until CSRFProtect is on)."""
    from flask_wtf.csrf import generate_csrf
    from markupsafe import Markup

    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())
