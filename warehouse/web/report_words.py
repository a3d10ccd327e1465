"""Reports in words: the refusals and results of the reports pages, each report's name and
what it tells, a file's state, a read's state."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from warehouse.web.messages import TEXTS, _words

TEXTS.update(
    {
        "report_not_found": lambda p: _("There is no such report"),
        "report_run_not_found": lambda p: _("There is no such report file"),
        "report_run_not_ready": lambda p: _("The file is not made yet: wait for it"),
        "report_bad_format": lambda p: _("Choose XLSX or CSV"),
        "report_bad_date": lambda p: _("%(value)s is not a date: give it as YYYY-MM-DD", **p),
        "report_bad_period": lambda p: _("The period starts after it ends: swap the dates"),
        "report_period_too_long": lambda p: _("A report covers a year at most: shorten the period"),
        "report_future_day": lambda p: _("The day is still ahead: choose today or a day before"),
        "report_no_account": lambda p: _("There is no such cabinet: choose one from the list"),
        "reorder_bad_days": lambda p: _("Days are whole numbers from %(low)s to %(high)s", **p),
        "commission_not_read": lambda p: _(
            "No realization report is read for this period yet: press «Get the reports»"
        ),
        "profit_nothing_read": lambda p: _(
            "No realization report covers this period: get the commissioner report first"
        ),
        "report_file_asked": lambda p: _(
            "File №%(id)s is being made: it appears below when ready", **p
        ),
        "report_file_removed": lambda p: _("File №%(id)s removed", **p),
        "commission_reads_asked": lambda p: _(
            "Asked %(count)s cabinets for their reports: the page shows each as it arrives", **p
        ),
        "sales_reads_asked": lambda p: _("Asked %(count)s cabinets for their sales now", **p),
        "purchase_order_no_account": lambda p: _("Choose the МойСклад account"),
        "realization_file_none": lambda p: _("Choose the report's file"),
        "realization_file_empty": lambda p: _("The file has no rows with figures"),
        "realization_file_no_column": lambda p: _(
            "Name the file's heading of the amount; its headings: %(headings)s", **p
        ),
        "realization_file_unknown_heading": lambda p: _(
            "The file has no heading «%(heading)s»; its headings: %(headings)s", **p
        ),
        "realization_row_bad_sum": lambda p: _(
            "Row %(line)s: «%(value)s» is not a sum: nothing of the file was loaded", **p
        ),
        "realization_row_bad_quantity": lambda p: _(
            "Row %(line)s: «%(value)s» is not a quantity: nothing of the file was loaded", **p
        ),
        "realization_row_bad_date": lambda p: _(
            "Row %(line)s: «%(value)s» is not a date: nothing of the file was loaded", **p
        ),
        "realization_row_outside": lambda p: _(
            "Row %(line)s: %(value)s is outside the period: load the file for its own period",
            **p,
        ),
        "realization_file_loaded": lambda p: _(
            "%(lines)s lines of %(name)s loaded from the file", **p
        ),
        "purchase_order_account_off": lambda p: _(
            "The account %(name)s is switched off: switch it on first", **p
        ),
        "purchase_order_no_supplier": lambda p: _(
            "The account %(name)s names no supplier: choose one on its page", **p
        ),
        "purchase_order_nothing": lambda p: _("Nothing to order: every product is covered"),
        "purchase_order_no_store": lambda p: _(
            "The account %(name)s names no legal entity or store: choose them on its page", **p
        ),
        "report_run_gave_up": lambda p: _(
            "The file could not be made in three tries: ask for a shorter period"
        ),
        "purchase_order_owed": lambda p: _(
            "Purchase order №%(id)s (%(lines)s products) is on its way to %(account)s", **p
        ),
    }
)

REPORT_NAMES = {
    "stock": _l("Stock on a date"),
    "work": _l("Work done"),
    "sales": _l("Sales"),
    "commissioner": _l("Commissioner report"),
    "profit": _l("Profit"),
    "reorder": _l("What to order next"),
}
report_name = _words(REPORT_NAMES)

REPORT_ABOUT = {
    "stock": _l(
        "Per product and place at the end of a day, FBS from our ledger and FBO from the "
        "marketplaces' own reports, with the value at cost."
    ),
    "work": _l(
        "Orders picked, packed and handed over per day, marketplace and person; lines per "
        "hour, refused scans, short picks and their reasons."
    ),
    "sales": _l(
        "Orders, sales, returns and cancellations per day, product and cabinet, from the "
        "marketplaces' statistics read every 15 minutes."
    ),
    "commissioner": _l(
        "What each marketplace sold for you in a period, its fee, logistics and returns, "
        "from its realization report, matched to our orders; a sheet for 1C."
    ),
    "profit": _l("Per product and marketplace: sales less cost price, fees and logistics."),
    "reorder": _l(
        "Days of cover per product from its sales and FBS + FBO stock, and the units to "
        "order for the lead time."
    ),
}
report_about = _words(REPORT_ABOUT)

RUN_STATUSES = {
    "queued": _l("waiting for the worker"),
    "running": _l("being made"),
    "done": _l("ready"),
    "failed": _l("failed"),
}
run_status = _words(RUN_STATUSES)

COMMISSION_STATUSES = {
    "reading": _l("being read"),
    "ready": _l("read"),
    "failed": _l("not read"),
}
commission_status = _words(COMMISSION_STATUSES)

REALIZATION_FIELDS = {
    "order_number": _l("Order number column"),
    "article": _l("Article column"),
    "quantity": _l("Quantity column"),
    "amount": _l("Amount column"),
    "commission": _l("Fee column"),
    "logistics": _l("Logistics column"),
    "other": _l("Other charges column"),
    "payout": _l("To be paid column"),
    "at": _l("Date column"),
    "kind": _l("Operation type column"),
}
realization_field = _words(REALIZATION_FIELDS)

FIELD_LABELS = {
    "day": _l("Day"),
    "start": _l("From"),
    "end": _l("To"),
    "account_id": _l("Cabinet"),
    "lead_days": _l("Supplier's lead time, days"),
    "cover_days": _l("Days to cover after it"),
    "history_days": _l("Sales of the last, days"),
}
field_label = _words(FIELD_LABELS)
