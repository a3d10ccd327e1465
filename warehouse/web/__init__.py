"""The web layer: blueprints for the ТСД, the supervisor desk, the API and health."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns (32-bit signed on PostgreSQL): a larger number in a URL is a page
# that does not exist (404), not a number the driver cannot take (500). A route that takes
# a marketplace's own 64-bit id (the sandboxes') says so: ``<int(max=9223372036854775807):…>``.
MAX_ID = 2**31 - 1


class RowId(IntegerConverter):
    """``<int:…>`` in every route: a non-negative integer that fits a database id (or the
    route's own ``max``)."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > (self.max if self.max is not None else MAX_ID):
            raise NotFound()  # not a ValidationError: werkzeug would answer 405 for a POST
        return number


def form_id(field: str) -> int:
    """A row id from a form field; 0 (a row that does not exist) for anything else, so a
    number too large for the database is "not found", never the driver's OverflowError."""
    value = request.form.get(field, "").strip()
    if value.isdecimal() and len(value) <= 10 and int(value) <= MAX_ID:
        return int(value)
    return 0


def register_web(app: Flask) -> None:
    from warehouse.models import order_events
    from warehouse.staff import access
    from warehouse.web import (
        accounting,
        alerts,
        api,
        auth,
        catalogue,
        errors,
        handovers,
        health,
        integrations,
        label_printing,
        language,
        live,
        megamarket_push,
        messages,
        once,
        operations,
        previews,
        price_words,
        pricing,
        printers,
        receiving,
        report_words,
        reports,
        security,
        settings,
        stock,
        stock_counts,
        stock_history,
        supervisor,
        timeline_words,
        tsd,
        tsd_counts,
        tsd_moves,
        tsd_receiving,
        tsd_returns,
        users,
        waves,
    )
    from warehouse.web.barcode_svg import barcode_svg
    from warehouse.web.htmx import htmx

    app.url_map.converters["int"] = RowId
    order_events.acting_user_from(auth.acting_user_id)
    htmx.init_app(app)
    security.init_app(app)
    app.context_processor(lambda: {"current_user": auth.current_person()})
    app.add_template_global(lambda area: access.may(auth.current_person(), area), "may")
    app.add_template_filter(messages.roles_label, "roles_label")
    app.add_template_filter(messages.staff_event, "staff_event")
    app.add_template_filter(messages.area_label, "area_label")
    app.add_template_filter(messages.status_label, "status_label")
    app.add_template_filter(messages.order_problem, "order_problem")
    app.add_template_filter(messages.duration, "duration")
    app.add_template_filter(timeline_words.timeline_text, "timeline_text")
    app.add_template_filter(timeline_words.timeline_kind, "timeline_kind")
    app.add_template_filter(messages.print_problem, "print_problem")
    app.add_template_filter(messages.short_reason, "short_reason")
    app.add_template_filter(messages.package_label, "package_label")
    app.add_template_filter(messages.work_label, "work_label")
    app.add_template_filter(messages.move_reason, "move_reason")
    app.add_template_filter(barcode_svg, "barcode_svg")
    for name in (
        "rub",
        "document_status",
        "document_source",
        "hold_reason",
        "push_status",
        "card_status",
    ):
        app.add_template_filter(getattr(price_words, name), name)
    app.add_template_filter(price_words.price_filter, "price_filter")
    for name in (
        "report_name",
        "report_about",
        "run_status",
        "commission_status",
        "field_label",
        "realization_field",
    ):
        app.add_template_filter(getattr(report_words, name), name)
    app.add_template_global(messages.describe, "describe")
    app.add_template_global(once.request_key, "request_key")
    app.add_template_filter(messages.print_status, "print_status")
    app.add_template_filter(messages.print_event, "print_event")
    app.add_template_filter(messages.print_detail, "print_detail")
    app.add_template_filter(messages.print_kind, "print_kind")
    app.add_template_filter(messages.handover_word, "handover_word")

    app.register_blueprint(health.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(tsd.bp, url_prefix="/tsd")
    app.register_blueprint(tsd_moves.bp, url_prefix="/tsd")
    app.register_blueprint(tsd_counts.bp, url_prefix="/tsd")
    app.register_blueprint(tsd_returns.bp, url_prefix="/tsd")
    app.register_blueprint(tsd_receiving.bp, url_prefix="/tsd")
    app.register_blueprint(handovers.tsd_bp, url_prefix="/tsd")
    app.register_blueprint(handovers.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    security.csrf.exempt(api.bp)  # bearer tokens, no cookies
    app.register_blueprint(api.docs_bp, url_prefix="/api/v1")
    app.register_blueprint(megamarket_push.bp, url_prefix="/push/megamarket")
    security.csrf.exempt(megamarket_push.bp)  # Megamarket's server posts here (Basic auth)
    app.register_blueprint(supervisor.bp)
    app.register_blueprint(operations.bp)
    app.register_blueprint(waves.bp)
    app.register_blueprint(live.bp)
    app.register_blueprint(settings.bp, url_prefix="/settings")
    app.register_blueprint(accounting.bp, url_prefix="/settings/accounting")
    app.register_blueprint(printers.bp)
    app.register_blueprint(label_printing.bp)
    app.register_blueprint(stock_history.bp)
    app.register_blueprint(stock.bp)
    app.register_blueprint(alerts.bp)
    app.register_blueprint(stock_counts.bp)
    app.register_blueprint(receiving.bp)
    app.register_blueprint(previews.bp)
    app.register_blueprint(users.bp)
    app.register_blueprint(catalogue.bp)
    app.register_blueprint(integrations.bp)
    app.register_blueprint(pricing.bp)
    app.register_blueprint(reports.bp)
    if app.config["SANDBOX_ENABLED"]:
        from warehouse.marketplaces import sandbox

        for kind, module in sandbox.SANDBOXES.items():
            app.register_blueprint(module.bp, url_prefix=f"/sandbox/{kind}")
            security.csrf.exempt(module.bp)  # stands in for a marketplace's own server
        from warehouse.accounting import sandbox as moysklad_sandbox

        app.register_blueprint(moysklad_sandbox.bp, url_prefix="/sandbox/moysklad")
        security.csrf.exempt(moysklad_sandbox.bp)  # stands in for МойСклад's server
    errors.register(app)
