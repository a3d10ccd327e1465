"""Words for the picker: every result code of the domain, in the interface language."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from warehouse.models import OutboxCommand

TEXTS = {
    "bin_ok": lambda p: _("Bin %(bin)s. Take: %(product)s", **p),
    "picked": lambda p: _("%(product)s: %(picked)s of %(quantity)s", **p),
    "task_done": lambda p: _("Task complete. Take it to packing."),
    "unknown_barcode": lambda p: _("Unknown barcode %(barcode)s", **p),
    "bin_code_typed": lambda p: _(
        "%(bin)s is the bin's name: scan the barcode %(barcode)s on the bin", **p
    ),
    "wrong_product": lambda p: _("Wrong product: %(scanned)s. Need: %(expected)s", **p),
    "wrong_bin": lambda p: _("Wrong bin %(scanned)s. Go to %(expected)s", **p),
    "scan_bin_first": lambda p: _("Scan bin %(bin)s first", **p),
    "over_pick": lambda p: _("Too many: only %(remaining)s left to take", **p),
    "empty_scan": lambda p: _("Empty scan"),
    "bad_scan_id": lambda p: _("The scanner sent a broken scan: scan again"),
    "item_already_picked": lambda p: _("%(product)s is already taken in full: go on", **p),
    "task_not_in_progress": lambda p: _("This task is not in progress"),
    "task_already_done": lambda p: _("This task is already complete"),
    "marking_required": lambda p: _("Scan the Честный знак code on the unit of %(product)s", **p),
    "marking_malformed": lambda p: _("Cannot read the marking code: %(why)s", why=_why(p)),
    "marking_unknown_gtin": lambda p: _("Marking code of an unknown product (GTIN %(gtin)s)", **p),
    "marking_not_this_order": lambda p: _(
        "This %(product)s is not the unit picked for this order (another code): "
        "take it out and scan the picked one",
        **p,
    ),
    "marking_used": lambda p: _("This marking code was already used (order %(order)s)", **p),
    "short_reported": lambda p: _("Shortage of %(missing)s × %(product)s reported", **p),
    "bad_short_reason": lambda p: _("Choose why the goods are missing"),
    "short_already_reported": lambda p: _(
        "This shortage is already reported: look at the screen for the next step"
    ),
    "short_nothing_picked": lambda p: _(
        "Nothing picked: %(missing)s × %(product)s is missing. The supervisor decides on "
        "order %(order)s: take the next task",
        **p,
    ),
    "short_task_done": lambda p: _(
        "%(missing)s × %(product)s is missing. Leave the goods you took for order %(order)s "
        "on the shortage shelf; the supervisor decides. Take the next task",
        **p,
    ),
    "order_cancelled_next": lambda p: _(
        "Order %(order)s was cancelled. Stop picking it: take the next task", **p
    ),
    "order_cancelled_putback": lambda p: _(
        "Order %(order)s was cancelled. Stop picking it: put what you took back "
        "(a put-back task is in the list), then take the next task",
        **p,
    ),
    "shortage_not_found": lambda p: _("This shortage is already dealt with"),
    "not_enough_stock": lambda p: _(
        "Only %(free)s × %(product)s free in other bins, %(needed)s needed: "
        "wait for a delivery (then decide again) or cancel the order",
        **p,
    ),
    "shortage_decided": lambda p: _("This shortage is already dealt with"),
    "bad_shortage_action": lambda p: _("Choose: pick from other bins, or cancel the order"),
    "count_below_reserved": lambda p: _(
        "Counted %(counted)s, but %(reserved)s of this bin are promised to other orders: "
        "count again, or deal with those orders first",
        **p,
    ),
    "count_changed": lambda p: _("Goods moved in this bin while counting: count again"),
    "bad_count": lambda p: _("Enter how many units are in the bin"),
    "shortage_picked_elsewhere": lambda p: _(
        "A new pick task takes the missing goods from other bins"
    ),
    "shortage_cancelled": lambda p: _("The order is cancelled; anything picked goes back to bins"),
    "shortage_lines_cancelled": lambda p: _(
        "The missing units are taken off the order; the marketplace is being told. "
        "Pack what was picked"
    ),
    "partial_cancel_not_allowed": lambda p: _(
        "%(marketplace)s does not take single lines off an order: pick from other bins or "
        "cancel the order",
        **p,
    ),
    "partial_cancel_nothing_left": lambda p: _(
        "Nothing would be left of the order: cancel the whole order instead"
    ),
    "count_recorded": lambda p: _("Count recorded: bin %(bin)s now holds %(counted)s", **p),
    "verify_ok": lambda p: _("%(product)s: %(verified)s of %(quantity)s checked", **p),
    "verify_done": lambda p: _("Everything checked. Choose the package."),
    "verify_extra": lambda p: _("This unit is already checked: one too many in the package?"),
    "verify_not_in_order": lambda p: _("Not in this order: take it out of the package"),
    "verify_first": lambda p: _("Scan every unit into the package first"),
    "nothing_to_pack": lambda p: _("No picked order %(order)s to pack", **p),
    "already_packed": lambda p: _(
        "Order %(order)s is already %(status)s: put it with the packed parcels",
        order=p["order"],
        status=status_label(p["status"]),
    ),
    "no_order_with_product": lambda p: _("No picked order waits for %(product)s", **p),
    "product_in_mixed_orders": lambda p: _(
        "%(product)s is in orders of several products: scan the order number or the tote", **p
    ),
    "found_by_product": lambda p: (
        _("Found by the product: order %(order)s, the most urgent", **p)
        + (" " + _("(%(others)s more such orders wait)", **p) if p.get("others") else "")
    ),
    "order_cancelled": lambda p: _("Order %(order)s was cancelled. Stop picking it.", **p),
    "task_not_found": lambda p: _("Task not found"),
    "order_not_found": lambda p: _("Order not found"),
    "bad_orders_filter": lambda p: _(
        "The orders link cannot be read: %(name)s = «%(value)s». Open the orders again "
        "and choose the filters there",
        **p,
    ),
    "tote_assigned": lambda p: _("Tote %(tote)s — order %(order)s", **p),
    "tote_in_use": lambda p: _("Tote %(tote)s is already used for order %(order)s", **p),
    "scan_tote_first": lambda p: _("Put a tote for order %(order)s: scan the tote", **p),
    "put_in_tote": lambda p: _("Put into tote %(tote)s — order %(order)s", **p),
    "put_first": lambda p: _("First put into tote %(tote)s — order %(order)s", **p),
    "wrong_tote": lambda p: _(
        "Wrong tote %(scanned)s. Put into tote %(tote)s — order %(order)s", **p
    ),
    "not_a_tote": lambda p: _(
        "%(scanned)s is not a tote: a tote's barcode starts with TOTE-. "
        "Put a tote for order %(order)s and scan it",
        **p,
    ),
    "bad_tote_range": lambda p: _("Totes: from number 1, at most %(max)s labels at once", **p),
    "tote_not_expected": lambda p: _("Take the goods first, then scan the tote"),
    "tote_ok": lambda p: _("%(product)s in tote %(tote)s: %(picked)s of %(quantity)s", **p),
    "tote_order_done": lambda p: _("Order %(order)s complete in tote %(tote)s", **p),
    "batch_done": lambda p: _("All orders complete. Take them to packing."),
    "cancelled_return_to_bin": lambda p: _(
        "Order %(order)s was cancelled: put %(quantity)s × %(product)s back into bin %(bin)s "
        "and scan the bin",
        **p,
    ),
    "returned_to_bin": lambda p: _("%(product)s is back in bin %(bin)s", **p),
    "batch_not_found": lambda p: _("Batch not found"),
    "task_in_batch": lambda p: _("This order is picked in a batch: open the batch"),
    "no_free_tasks": lambda p: _("No free tasks for a batch"),
    "bad_batch_size": lambda p: _("A batch takes 2 to 6 orders"),
    "task_taken": lambda p: _("Another picker has taken this task"),
    "task_closed": lambda p: _("This task is closed"),
    "order_not_picked": lambda p: _("The order is not picked yet"),
    "no_printer": lambda p: _("No printer is set up for this warehouse"),
    "label_size_mismatch": lambda p: (
        _("The label is %(label)s mm, printer %(printer)s has %(loaded)s mm labels.", **p)
        + " "
        + (
            _("Print it on: %(fitting)s", **p)
            if p.get("fitting")
            else _("No printer here has %(label)s mm labels: load them or ask the supervisor", **p)
        )
    ),
    "print_job_not_found": lambda p: _("Print job not found"),
    "print_job_busy": lambda p: _("This label is still being printed"),
    "print_job_not_unknown": lambda p: _("This label's fate is already known"),
    "label_not_fetched": lambda p: _(
        "The marketplace has not issued this label yet: its preview appears once it is fetched"
    ),
    "label_unrenderable": lambda p: _("This ZPL cannot be drawn: %(reason)s", **p),
    "preview_label_not_found": lambda p: _("There is no label %(number)s here", **p),
    "preview_empty": lambda p: _("Paste the label's ZPL first"),
    "preview_too_large": lambda p: _("Too much to preview: %(size)s bytes, at most %(limit)s", **p),
    "printer_not_found": lambda p: _("No active printer %(printer)s", printer=p.get("printer", "")),
    "printer_inactive": lambda p: _("Printer %(printer)s is switched off in the registry", **p),
    "printer_name_taken": lambda p: _("A printer is already called %(value)s", **p),
    "printer_code_taken": lambda p: _("Code %(value)s is already on another printer", **p),
    "bad_printer_field": lambda p: _("Check the field: %(field)s", field=_field(p)),
    "product_not_found": lambda p: _("Product not found"),
    "move_scan_from_bin": lambda p: _("Move: scan the bin the goods are in"),
    "move_from_ok": lambda p: _("Bin %(bin)s. Scan the product", **p),
    "move_product_first": lambda p: _(
        "Bin %(bin)s: scan the product first, then the bin it goes to", **p
    ),
    "move_unknown_barcode": lambda p: _(
        "Unknown barcode %(barcode)s: scan the product or a bin", **p
    ),
    "move_one_product": lambda p: _(
        "One product a move: scan %(product)s or the bin it goes to", **p
    ),
    "move_bad_quantity": lambda p: _(
        "Quantity %(quantity)s is not possible: type from 1 to 9999", **p
    ),
    "move_not_free": lambda p: _(
        "%(bin)s has %(free)s of %(product)s free (the rest is reserved for orders): "
        "move at most %(free)s",
        **p,
    ),
    "move_quantity_ok": lambda p: _(
        "%(product)s × %(quantity)s from %(bin)s. Scan more, type the quantity, "
        "or scan the bin it goes to",
        **p,
    ),
    "move_same_bin": lambda p: _("That is %(from)s itself: scan the bin the goods go to", **p),
    "move_other_warehouse": lambda p: _(
        "Bin %(to)s is in another warehouse: scan a bin of this one", **p
    ),
    "move_done": lambda p: _(
        "Moved %(product)s × %(quantity)s: %(from)s → %(to)s. Scan the next bin to move from", **p
    ),
    "move_done_before": lambda p: _("This move is already done. Scan the next bin to move from"),
    "count_scan_bin": lambda p: _("Count: scan a bin of this count (%(left)s left)", **p),
    "count_bin_started": lambda p: _("Bin %(bin)s: scan every unit in it, then the bin again", **p),
    "count_recount_started": lambda p: _(
        "Recount of bin %(bin)s: scan every unit again, then the bin", **p
    ),
    "count_wrong_bin": lambda p: _(
        "Bin %(bin)s is not in this count: scan a bin of the count", **p
    ),
    "count_bin_already": lambda p: _(
        "Bin %(bin)s is already counted: scan the next bin (%(left)s left)", **p
    ),
    "count_finish_bin": lambda p: _(
        "You are counting %(bin)s, not %(scanned)s: finish it by scanning %(bin)s", **p
    ),
    "count_unknown_barcode": lambda p: _(
        "Unknown barcode %(barcode)s: not counted. Scan the product or bin %(bin)s", **p
    ),
    "count_unit": lambda p: _(
        "%(product)s: %(n)s. Scan more, type the quantity, or scan bin %(bin)s to finish it", **p
    ),
    "count_bad_quantity": lambda p: _("That quantity is not possible: type from 0 to 9999"),
    "count_recount": lambda p: _(
        "Bin %(bin)s does not agree: count it again from the start — scan %(bin)s", **p
    ),
    "count_bin_done": lambda p: _("Bin %(bin)s counted. Scan the next bin (%(left)s left)", **p),
    "count_all_done": lambda p: _(
        "Bin %(bin)s counted. Every bin is counted: tell the supervisor", **p
    ),
    "count_bin_done_before": lambda p: _("Bin %(bin)s is already counted. Scan the next bin", **p),
    "count_closed": lambda p: _("This count is closed: choose another one"),
    "count_not_found": lambda p: _("No such count"),
    "count_bad_kind": lambda p: _("Choose what to count"),
    "count_no_bins": lambda p: _("No bins to count: check the zone or the bin codes"),
    "count_no_zone": lambda p: _("Type the zone (the start of its bin codes, e.g. A-)"),
    "count_unknown_bins": lambda p: _("No such bins: %(bins)s. Nothing opened", **p),
    "count_no_products": lambda p: _("Type the articles or barcodes of the products to count"),
    "count_unknown_products": lambda p: _("No such products: %(products)s. Nothing opened", **p),
    "count_products_nowhere": lambda p: _(
        "%(products)s lie in no active bin: nothing to count", **p
    ),
    "count_not_this_product": lambda p: _(
        "%(product)s is not in this count: not counted. Count only %(products)s, "
        "then scan bin %(bin)s to finish it",
        **p,
    ),
    "count_bins_busy": lambda p: _(
        "Bins %(bins)s are already in an open count: approve or finish it first", **p
    ),
    "count_not_finished": lambda p: _("%(left)s bins are not counted yet: nothing approved", **p),
    "count_approved": lambda p: _(
        "Count approved: the differences are in the stock ledger and go to the marketplaces"
    ),
    "count_bins_moved": lambda p: _(
        "Goods moved in %(bins)s since they were counted: they are sent back for a recount, "
        "nothing approved",
        **p,
    ),
    "return_scan_parcel": lambda p: _("Return: scan the parcel's sticker or the order number"),
    "return_unknown_parcel": lambda p: _(
        "No parcel or order %(scanned)s: scan the marketplace sticker or the order number", **p
    ),
    "return_not_shipped": lambda p: _(
        "Order %(order)s has not left the warehouse: it cannot come back", **p
    ),
    "return_already_received": lambda p: _("Order %(order)s was already received back", **p),
    "return_not_found": lambda p: _("No such return"),
    "return_scan_unit": lambda p: _("Order %(order)s: scan a unit (%(left)s left)", **p),
    "return_closed": lambda p: _("The return of order %(order)s is finished", **p),
    "return_product_first": lambda p: _(
        "Scan the unit first, then the bin it goes to (%(left)s left)", **p
    ),
    "return_other_warehouse": lambda p: _(
        "Bin %(bin)s is in another warehouse: scan a bin of this one", **p
    ),
    "return_unknown_barcode": lambda p: _("Unknown barcode %(barcode)s: scan the product", **p),
    "return_not_in_order": lambda p: _(
        "%(product)s is not in this order: put it aside, tell the supervisor", **p
    ),
    "return_too_many": lambda p: _(
        "%(product)s: only %(left)s left in this order — this one is extra", **p
    ),
    "return_grade_it": lambda p: _(
        "%(product)s × %(quantity)s: scan the bin to put it back, or press Defect / Write off", **p
    ),
    "return_stock": lambda p: _(
        "%(product)s × %(quantity)s back in %(bin)s. Scan the next unit (%(left)s left)", **p
    ),
    "return_defect": lambda p: _(
        "%(product)s × %(quantity)s: defect, put it on the defect shelf. "
        "Scan the next unit (%(left)s left)",
        **p,
    ),
    "return_write_off": lambda p: _(
        "%(product)s × %(quantity)s written off. Scan the next unit (%(left)s left)", **p
    ),
    "return_done": lambda p: _(
        "Return of order %(order)s received in full. Scan the next parcel", **p
    ),
    "return_done_short": lambda p: _(
        "Return of order %(order)s finished; the rest did not come. Scan the next parcel", **p
    ),
    "return_graded_before": lambda p: _("%(product)s is already graded. Scan the next unit", **p),
    "return_bad_grade": lambda p: _("Choose: defect or write off"),
    "move_receiving": lambda p: _(
        "%(bin)s is the receiving area: its goods go to bins by put-away", **p
    ),
    "bin_switched_off": lambda p: _(
        "Bin %(bin)s is switched off in the catalogue: put the goods in another bin and scan it",
        **p,
    ),
    "move_defect": lambda p: _(
        "%(bin)s is the defect area: its goods are not moved, the supervisor writes them off",
        **p,
    ),
    "write_off_not_defect": lambda p: _(
        "%(bin)s is not the defect area: only defects are written off here", **p
    ),
    "write_off_bad_quantity": lambda p: _(
        "Write off from 1 to %(shown)s units: %(quantity)s is not possible", **p
    ),
    "defect_changed": lambda p: _(
        "%(bin)s changed since the page was opened (written off already?): nothing written "
        "off, look at it again",
        **p,
    ),
    "defect_written_off": lambda p: _("Written off: %(product)s × %(quantity)s from %(bin)s", **p),
    "receipt_not_found": lambda p: _("There is no such delivery"),
    "warehouse_not_found": lambda p: _("There is no such warehouse"),
    "receipt_closed": lambda p: _("Delivery %(receipt)s is closed: nothing more is received", **p),
    "receipt_no_supplier": lambda p: _("Enter the supplier"),
    "receipt_file_too_big": lambda p: _("The file is too big: at most %(limit_mb)s MB", **p),
    "receipt_file_kind": lambda p: _("%(filename)s: upload a .csv or .xlsx file", **p),
    "receipt_file_empty": lambda p: _("The file has no rows"),
    "receipt_file_unreadable": lambda p: _("The file cannot be read as XLSX (%(why)s)", **p),
    "receipt_file_formula": lambda p: _(
        "Row %(row)s holds a formula: save the values, not formulas", **p
    ),
    "receipt_file_too_long": lambda p: _("Too many rows: at most %(limit)s", **p),
    "receipt_file_columns": lambda p: _(
        "Unknown columns: %(columns)s. The file needs article or barcode, and quantity", **p
    ),
    "receipt_row_no_product": lambda p: _("Row %(row)s: no article and no barcode", **p),
    "receipt_row_quantity": lambda p: _(
        "Row %(row)s: quantity %(quantity)s is not a whole number above zero", **p
    ),
    "receipt_row_unknown_article": lambda p: _("Row %(row)s: unknown article %(article)s", **p),
    "receipt_row_unknown_barcode": lambda p: _("Row %(row)s: unknown barcode %(barcode)s", **p),
    "receipt_scan_product": lambda p: _("Receiving: scan a product, or type the quantity first"),
    "receipt_bad_quantity": lambda p: _(
        "Quantity %(quantity)s is not possible: type from 1 to 9999", **p
    ),
    "receipt_quantity_ok": lambda p: _("Quantity %(quantity)s: now scan the product once", **p),
    "receipt_bin_scanned": lambda p: _(
        "%(barcode)s is a bin: goods are received into the receiving area. Scan the product",
        **p,
    ),
    "receipt_unknown_barcode": lambda p: _(
        "Unknown barcode %(barcode)s: put the item aside for the supervisor. Scan the next",
        **p,
    ),
    "receipt_scanned": lambda p: _(
        "+%(quantity)s %(product)s: %(received)s of %(expected)s. Scan the next", **p
    ),
    "receipt_blind_scanned": lambda p: _(
        "+%(quantity)s %(product)s: %(received)s received. Scan the next", **p
    ),
    "receipt_surplus": lambda p: _(
        "SURPLUS: %(product)s %(received)s, expected %(expected)s. Set it aside apart. "
        "Scan the next",
        **p,
    ),
    "receipt_scan_before": lambda p: _("This scan is already counted. Scan the next"),
    "receipt_unknown_bind": lambda p: _(
        "Unknown barcode %(barcode)s. To give it to a product: scan a known barcode of "
        "that product now. Or scan the next item",
        **p,
    ),
    "receipt_barcode_bound": lambda p: _(
        "Barcode %(barcode)s now belongs to %(product)s. Scan the item again to count it", **p
    ),
    "bind_supervisor_only": lambda p: _("Only a supervisor gives a barcode to a product"),
    "bind_taken": lambda p: _("Barcode %(barcode)s already belongs to a product or a bin", **p),
    "receipt_marking_required": lambda p: _(
        "%(product)s is marked: scan the Честный знак code of each unit, not the EAN", **p
    ),
    "receipt_marking_one_by_one": lambda p: _(
        "%(product)s is marked: no typed quantity, scan each unit's Честный знак code", **p
    ),
    "receipt_marking_twice": lambda p: _(
        "This Честный знак code of %(product)s was already received: scan another unit", **p
    ),
    "put_away_scan_product": lambda p: _("Put-away: scan a product from the receiving area"),
    "put_away_product_first": lambda p: _(
        "Scan the product from the receiving area first, then the bin"
    ),
    "put_away_unknown_barcode": lambda p: _(
        "Unknown barcode %(barcode)s: scan the product or a bin", **p
    ),
    "put_away_one_product": lambda p: _(
        "One product at a time: scan %(product)s or the bin it goes to", **p
    ),
    "put_away_not_received": lambda p: _(
        "%(product)s is not waiting in the receiving area: scan another product", **p
    ),
    "put_away_bad_quantity": lambda p: _(
        "Quantity %(quantity)s is not possible: type from 1 to 9999", **p
    ),
    "put_away_too_many": lambda p: _(
        "Only %(waiting)s × %(product)s wait in the receiving area: put away at most %(waiting)s",
        **p,
    ),
    "put_away_suggested": lambda p: _(
        "%(product)s × %(quantity)s. Take it to bin %(bin)s and scan the bin "
        "(or scan more, or type the quantity)",
        **p,
    ),
    "put_away_scan_any_bin": lambda p: _(
        "%(product)s × %(quantity)s. No free bin known: scan the bin you put it in", **p
    ),
    "put_away_receiving_bin": lambda p: _(
        "%(bin)s is the receiving area: scan the bin you put the goods in", **p
    ),
    "put_away_defect_bin": lambda p: _(
        "%(bin)s is the defect area: put the goods on a shelf and scan that bin", **p
    ),
    "put_away_other_warehouse": lambda p: _(
        "Bin %(bin)s is in another warehouse: scan a bin of this one", **p
    ),
    "put_away_done": lambda p: _(
        "Put away: %(product)s × %(quantity)s in %(bin)s. Orders now pickable: %(orders)s. "
        "Scan the next product",
        **p,
    ),
    "put_away_done_elsewhere": lambda p: _(
        "Put away: %(product)s × %(quantity)s in %(bin)s (not the suggested %(suggested)s: "
        "noted). Orders now pickable: %(orders)s. Scan the next product",
        **p,
    ),
    "put_away_done_before": lambda p: _("This put-away is already done. Scan the next product"),
    "bad_copies": lambda p: _("Copies: a number from 1 to %(max)s", **p),
    "barcode_not_of_product": lambda p: _("%(barcode)s is not a barcode of %(product)s", **p),
    "product_has_no_barcode": lambda p: _("%(product)s has no barcode to print", **p),
    "bad_product_barcode": lambda p: _(
        "Barcode %(barcode)s cannot be printed: a wrong check digit or characters a barcode "
        "cannot carry. Correct it in the product's card",
        **p,
    ),
    "printer_size_unknown": lambda p: _(
        "No label layout fits the %(size)s mm labels of printer %(printer)s", **p
    ),
    "label_does_not_fit": lambda p: _("It does not fit a %(size)s mm label", **p),
    "no_bins": lambda p: _("Choose the bins to label"),
    "location_not_found": lambda p: _("Bin not found"),
    "too_many_bins": lambda p: _("%(count)s bins: at most %(max)s in one go", **p),
    "bad_bin_code": lambda p: _(
        "Bin code %(bin)s cannot be a barcode: Latin letters, digits and signs only", **p
    ),
    "parcel_not_found": lambda p: _("Parcel not found"),
    "task_has_no_tote": lambda p: _("This task has no tote"),
    "sscc_needs_prefix": lambda p: _(
        "An SSCC needs the seller's GS1 company prefix: set WAREHOUSE_GS1_COMPANY_PREFIX"
    ),
    "sscc_busy": lambda p: _("Could not issue an SSCC just now: try again"),
    "sscc_exhausted": lambda p: _("Every SSCC of GS1 prefix %(prefix)s is used", **p),
    "supply_not_found": lambda p: _("Supply not found"),
    "bad_symbol": lambda p: _("Choose Code 128 or QR"),
    "bad_supply_code": lambda p: _(
        "Supply %(supply)s cannot be a Code 128 barcode: print it as QR", **p
    ),
    "unknown_badge": lambda p: _("Unknown badge. Scan it again or ask the shift supervisor"),
    "pin_needs_badge": lambda p: _("Scan your badge first, then type the PIN"),
    "wrong_pin": lambda p: _("Wrong PIN. Type it again"),
    "pin_expired": lambda p: _("Scan your badge again, then type the PIN"),
    "too_many_logins": lambda p: _(
        "Too many wrong attempts. Wait %(minutes)s min or ask the shift supervisor", **p
    ),
    "bad_login": lambda p: _("Wrong login or password"),
    "unknown_marketplace": lambda p: _("Unknown marketplace %(kind)s", **p),
    "account_incomplete": lambda p: _("Fill in: %(missing)s", missing=_fields(p["missing"])),
    "account_not_found": lambda p: _("No such marketplace account"),
    "bad_account_setting": lambda p: (
        _("%(field)s: «%(value)s» is not a time from 00:00 to 23:59", **_named(p))
        if p["field"] == "cutoff"
        else _("%(field)s: «%(value)s» is not a number", **_named(p))
    ),
    "account_has_orders": lambda p: _(
        "«%(name)s» has %(orders)s orders, so it cannot be deleted: disable it instead", **p
    ),
    "listing_not_found": lambda p: _("Card or product not found"),
    "bad_status_map": lambda p: _("Cannot map to status %(status)s", **p),
    # hand-overs and loading
    "handover_not_found": lambda p: _("No such hand-over. Scan its label again or choose it"),
    "handover_not_open": lambda p: _(
        "Hand-over %(number)s is closed: nothing more is loaded onto it", **p
    ),
    "handover_empty": lambda p: _(
        "Nothing is loaded onto %(number)s yet: scan the parcels first", **p
    ),
    "handover_missing": lambda p: _(
        "%(missing)s orders are not loaded: leave them for the next pickup, or go on loading",
        **p,
    ),
    "bad_handover": lambda p: _("Choose the marketplace account and a date from today on"),
    "handover_closing": lambda p: _(
        "Closing: the marketplace is being told. Its papers appear here when it answers"
    ),
    "handover_kept_open": lambda p: _("The hand-over stays open: go on loading"),
    "parcel_loaded": lambda p: _("Order %(order)s loaded: %(n)s of %(of)s. Scan the next", **p),
    "parcel_unknown": lambda p: _(
        "Unknown code %(scanned)s: scan the marketplace sticker or our box label (SSCC)", **p
    ),
    "parcel_cancelled": lambda p: _(
        "Order %(order)s is CANCELLED: do not load it, take it back to the returns shelf", **p
    ),
    "parcel_other_account": lambda p: _(
        "Order %(order)s is for another cabinet (%(account)s): put it aside", **p
    ),
    "parcel_other_handover": lambda p: _(
        "Order %(order)s goes with another pickup (%(other)s): put it aside", **p
    ),
    "parcel_gone": lambda p: _("Order %(order)s has already been handed over", **p),
    "parcel_not_packed": lambda p: _(
        "Order %(order)s is not packed yet: take it to the pack table", **p
    ),
    "parcel_already_loaded": lambda p: _(
        "Order %(order)s is already loaded (by %(who)s): do not load it twice", **p
    ),
    "document_not_found": lambda p: _("No such paper"),
    "document_not_printable": lambda p: _("This paper cannot be printed: download it"),
    "printer_not_for_documents": lambda p: _(
        "%(printer)s is a label printer: choose an A4 printer for this paper", **p
    ),
    "printer_not_for_labels": lambda p: _(
        "%(printer)s is an A4 printer: choose a label printer for labels", **p
    ),
    "printer_is_document": lambda p: _(
        "%(printer)s is an A4 printer: scan the code on a label printer", **p
    ),
    "document_printer_not_cups": lambda p: _(
        "An A4 printer prints through CUPS: choose «CUPS queue» and give the queue's name"
    ),
    "paper_printing": lambda p: _("Printing on %(printer)s", **p),
    "problem_cancelled": lambda p: _("cancelled: take it off the truck"),
    "problem_not_packed": lambda p: _("not packed yet"),
    "problem_no_label": lambda p: _("no marketplace label yet"),
    "problem_not_loaded": lambda p: _("not loaded"),
}


MALFORMED = {
    "no_gtin": _l("no GTIN (01) at the start"),
    "bad_check_digit": _l("the GTIN's check digit is wrong"),
    "no_serial": _l("no serial number (21)"),
    "bad_serial": _l("the serial number has characters a code cannot have"),
    "no_separator": _l("the parts are not separated: set the scanner to send GS"),
    "unknown_ai": _l("unexpected data after the serial number"),
    "bad_length": _l("a part has the wrong length"),
    "no_crypto_tail": _l(
        "no crypto tail (91 + 92, or 93): scan the DataMatrix on the unit, not a printed list"
    ),
}


PRINTER_FIELDS = {
    "name": _l("name"),
    "address": _l("address (host:port)"),
    "transport": _l("connection"),
    "queue": _l("CUPS queue"),
    "dpi": _l("dpi (203, 300 or 600)"),
    "label_size": _l("label size (width×height, mm)"),
    "station": _l("station"),
    "zone": _l("zone"),
    "code": _l("code (PRN-…)"),
    "kind": _l("kind (label or A4)"),
}


def _field(params: dict[str, Any]) -> str:
    return str(PRINTER_FIELDS.get(params.get("field", ""), params.get("field", "")))


def _why(params: dict[str, Any]) -> str:
    return str(MALFORMED.get(params.get("reason", ""), params.get("reason", "")))


def _words(table: Mapping[str, Any]) -> Callable[[str], str]:
    """A template filter: the words for a code from ``table``, the code itself if unknown."""

    def words(code: str) -> str:
        return str(table.get(code, code))

    return words


def describe(code: str, params: dict[str, Any] | None = None) -> str:
    text = TEXTS.get(code)
    return text(params or {}) if text else code


STATUS_LABELS = {
    "new": _l("new"),
    "reserved": _l("reserved"),
    "awaiting_stock": _l("awaiting stock"),
    "picking": _l("picking"),
    "picked": _l("picked"),
    "packed": _l("packed"),
    "labelled": _l("labelled"),
    "handed_over": _l("handed over, waiting for the marketplace"),
    "shipped": _l("shipped"),
    "delivered": _l("delivered"),
    "cancelled": _l("cancelled"),
    "returned": _l("returned"),
    "pending": _l("pending"),
    "done": _l("delivered"),
    "failed": _l("failed"),
}
status_label: Callable[[str], str] = _words(STATUS_LABELS)

# what the orders window flags on a row (warehouse.shift.orders_window.PROBLEMS)
ORDER_PROBLEMS = {
    "short": _l("short pick"),
    "unpaid": _l("not paid yet"),
    "no_label": _l("no label"),
    "failed_command": _l("marketplace call failed"),
    "late": _l("late"),
    "at_risk": _l("deadline near"),
}
order_problem: Callable[[str], str] = _words(ORDER_PROBLEMS)


def duration(hours: float | None) -> str:
    """Hours (either side of a deadline) as hours and minutes: «3 ч 05 мин»."""
    minutes = round(abs(hours or 0) * 60)
    if minutes < 60:
        return _("%(m)d min", m=minutes)
    return _("%(h)d h %(m)02d min", h=minutes // 60, m=minutes % 60)


# why a bin's on-hand changed (warehouse.models.work.STOCK_MOVE_REASONS)
MOVE_REASON_LABELS = {
    "opening": _l("opening stock"),
    "receipt": _l("receipt"),
    "put_away": _l("put-away"),
    "pick": _l("picked for an order"),
    "put_back": _l("put back (order cancelled)"),
    "packing_write_off": _l("written off at packing"),
    "move": _l("moved between bins"),
    "count": _l("count adjustment"),
    "return": _l("return"),
    "return_defect": _l("defect from a return"),
    "write_off": _l("written off"),
    "suspected_shortage": _l("suspected shortage"),
    "damaged": _l("damaged"),
}
move_reason: Callable[[str], str] = _words(MOVE_REASON_LABELS)


WORK_LABELS = {
    "pick": _l("pick"),
    "putback": _l("put back"),
    "open": _l("open"),
    "in_progress": _l("in progress"),
    "done": _l("done"),
    "cancelled": _l("cancelled"),
    "picked_elsewhere": _l("picked from other bins"),
    "lines_cancelled": _l("missing units taken off the order"),
    # stock moves (warehouse.models.work.STOCK_MOVE_REASONS)
    "suspected_shortage": _l("suspected shortage, until a count"),
    "damaged": _l("damaged, taken out"),
    "count": _l("count"),
}
work_label = _words(WORK_LABELS)  # pick tasks, shortages and stock moves: kinds and states


# Waves and the live shift (warehouse.floor.waves, warehouse.shift.live).
WAVE_FIELDS = {
    "warehouse_id": _l("Warehouse"),
    "marketplace": _l("Marketplace"),
    "account_id": _l("Cabinet"),
    "ship_by_until": _l("Ship by, until"),
    "zone": _l("Zone"),
    "orders": _l("Orders"),
    "limit": _l("At most, orders"),
    "per_cart": _l("Orders per batch"),
    "max_lines": _l("Lines per batch, at most"),
    "max_volume_l": _l("Volume per batch, litres"),
}
wave_field = _words(WAVE_FIELDS)
WAVE_STATES = {  # a wave (warehouse.floor.waves.state)
    "waiting": _l("waiting for pickers"),
    "picking": _l("being picked"),
    "done": _l("all picked"),
    "cancelled": _l("called off"),
}
wave_state = _words(WAVE_STATES)
UNIT_STATES = {  # a wave's batch or task (warehouse.floor.waves.Unit.state)
    "free": _l("free for any picker"),
    "assigned": _l("assigned"),
    "picking": _l("being picked"),
    "done": _l("picked"),
    "cancelled": _l("cancelled"),
}
unit_state = _words(UNIT_STATES)


def _unit(params: dict[str, Any]) -> str:
    """A wave's unit in words: a batch by its number, an order by its marketplace number."""
    if params.get("kind") == "batch":
        return _("batch %(name)s", name=params.get("name", ""))
    return _("order %(name)s", name=params.get("name", ""))


TEXTS.update(
    {
        "task_taken_off": lambda p: _(
            "The supervisor took order %(order)s off you. What you picked for it stays "
            "counted: hand it over as the supervisor says, then go back to the task list",
            **p,
        ),
        "wave_bad_field": lambda p: _(
            "«%(field)s» is not filled in right: correct it or leave it empty",
            field=wave_field(p.get("field", "")),
        ),
        "wave_bad_cart": lambda p: _(
            "Orders per batch: 1 (each order is its own task) or %(smallest)s to %(biggest)s",
            **p,
        ),
        "wave_nothing_to_build": lambda p: _(
            "No free order matches these rules: no wave was built"
        ),
        "wave_changed_meanwhile": lambda p: _(
            "The orders changed meanwhile (a picker or another wave took one): look again "
            "and repeat"
        ),
        "wave_not_found": lambda p: _("No such wave"),
        "wave_cancelled": lambda p: _("Wave %(wave)s is already cancelled", **p),
        "wave_not_a_picker": lambda p: _("Choose a picker: an active person with a badge"),
        "wave_task_on_cart": lambda p: _(
            "This order is in batch %(cart)s: assign the whole batch", **p
        ),
        "wave_unit_closed": lambda p: _(
            "%(unit)s is already picked or cancelled: nothing to assign", unit=_unit(p)
        ),
        "wave_built": lambda p: _(
            "Wave %(wave)s built: %(orders)s orders in %(units)s picking units", **p
        ),
        "wave_assigned": lambda p: _(
            "Wave %(wave)s: the units not started yet (%(n)s) are assigned to %(picker)s", **p
        ),
        "wave_unassigned": lambda p: _(
            "Wave %(wave)s: the units not started yet (%(n)s) are free for any picker", **p
        ),
        "unit_assigned": lambda p: _("%(unit)s is assigned to %(picker)s", unit=_unit(p), **p),
        "unit_unassigned": lambda p: _("%(unit)s is free for any picker", unit=_unit(p)),
        "unit_taken_off": lambda p: _(
            "%(unit)s was taken off %(was)s: the %(picked)s units already picked stay "
            "counted with it",
            unit=_unit(p),
            **p,
        ),
        "wave_cancel_done": lambda p: _(
            "Wave %(wave)s cancelled: %(freed)s orders are back in the common queue; "
            "%(picking)s being picked stay with their pickers, who finish them",
            **p,
        ),
    }
)


PRINTER_PROBLEMS = {
    "paper_out": _l("out of paper"),
    "paused": _l("paused"),
    "head_open": _l("head open"),
    "ribbon_out": _l("out of ribbon"),
    "buffer_full": _l("buffer full"),
    "over_temperature": _l("overheated"),
    "under_temperature": _l("too cold"),
    "corrupt_ram": _l("settings lost"),
    "cutter_fault": _l("cutter fault"),
    "printer_error": _l("an error on the printer's display"),
}


_ATTEMPT = re.compile(r"attempt (\d+)")
_ODOMETER = re.compile(r"odometer (\d+) → (\d+)")
_FAILOVER = re.compile(r"from (.+): (\S+)")


def print_detail(detail: str) -> str:
    """A print event's detail in words where it is one of ours (an attempt, the odometer,
    a problem code, a failover); a printer's own message is shown as it came."""
    if found := _ATTEMPT.fullmatch(detail):
        return _("attempt %(n)s", n=found.group(1))
    if found := _ODOMETER.fullmatch(detail):
        return _("label counter %(before)s → %(after)s", before=found[1], after=found[2])
    if found := _FAILOVER.fullmatch(detail):
        reason = print_problem(found.group(2))
        return _("from %(printer)s: %(reason)s", printer=found.group(1), reason=reason)
    words = print_problem(detail)
    return detail if words == detail else words


def print_problem(code: str) -> str:
    """Words for a print job's problem code (see warehouse.labels.print_jobs.problem)."""
    kind, _sep, detail = code.partition(":")
    if kind == "printer_not_ready":
        problems = ", ".join(str(PRINTER_PROBLEMS.get(p, p)) for p in detail.split(",") if p)
        return _("Printer not ready: %(problems)s", problems=problems)
    texts = {
        "ready": _l("Ready"),
        "printer_inactive": _l("The printer is switched off in the registry"),
        "not_confirmed": _l("The printer took the label but did not count it: look at it"),
        "label_not_ready": _l("Waiting for the marketplace to issue the label"),
        "printer_unreachable": _l("Printer unreachable: switched off or off the network?"),
        "printer_no_answer": _l("Printer does not answer: out of paper or head open?"),
        "send_interrupted": _l("Connection broke while sending: the label may have printed"),
        "label_refused": _l("The marketplace refused the label"),
        "label_unreadable": _l("The marketplace's label cannot be read"),
        "cups_queue_refuses": _l(
            "The CUPS queue does not exist or takes no jobs: check its name in the printer's "
            "settings (lpstat -p)"
        ),
        "cups_queue_stopped": _l(
            "The CUPS queue is stopped: start it again (cupsenable) and the job prints"
        ),
    }
    if kind == "label_size_mismatch":
        return _(
            "The %(size)s mm label does not fit on this printer's labels: "
            "print it on a printer with %(size)s mm labels",
            size=detail,
        )
    return str(texts.get(kind, code))


PRINT_STATUSES = {
    "queued": _l("queued"),
    "sending": _l("sending"),
    "sent": _l("sent, not confirmed"),
    "printed": _l("printed"),
    "unknown": _l("may have printed"),
    "failed": _l("not printed"),
}


PRINT_KINDS = {
    "marketplace_label": _l("marketplace label"),
    "handover_paper": _l("hand-over paper"),
    "paper_a4": _l("A4 paper (PDF)"),
    "test_label": _l("test label"),
    "product_label": _l("product labels"),
    "bin_labels": _l("bin labels"),
    "tote_labels": _l("tote labels"),
    "order_label": _l("order label (for the pack table)"),
    "box_label": _l("box label (SSCC)"),
    "supply_label": _l("supply label"),
    "badge_label": _l("badge"),
}
print_kind = _words(PRINT_KINDS)


print_status = _words(PRINT_STATUSES)


PRINT_EVENTS = {
    "requested": _l("asked for"),
    "reprint": _l("asked for again"),
    "reprinted": _l("printed again as a new label"),
    "retry": _l("sent again"),
    "sending": _l("sending"),
    "waiting": _l("waits for the printer"),
    "failover": _l("moved to another printer"),
    "confirmed": _l("a person saw it printed"),
    **PRINT_STATUSES,
}
print_event = _words(PRINT_EVENTS)


ACCOUNT_TEXTS = {
    "connection_ok": _l("Connection works"),
    "connection_auth": _l(
        "The marketplace refused the key: type the right one in «Edit». "
        "Until then the account is not called"
    ),
    "connection_unavailable": _l(
        "The marketplace does not answer now: the next import tries again by itself"
    ),
    "connection_refused": _l(
        "The marketplace refused the call: check the address and the settings in «Edit»"
    ),
    # why the edit form offers no list of Ozon delivery methods (a text field instead)
    "methods_cabinet_off": _l(
        "The account is switched off or its key was refused, so Ozon was not asked for its "
        "delivery methods: type the id"
    ),
    "methods_auth": _l("Ozon refused the key, so its delivery methods are not listed: type the id"),
    "methods_unavailable": _l(
        "Ozon does not answer now, so its delivery methods are not listed: type the id"
    ),
    "methods_refused": _l(
        "Ozon refused to list its delivery methods: check the warehouse ID, or type the id"
    ),
    "methods_none": _l("Ozon lists no delivery method for this warehouse: type the id"),
}


def account_result(code: str) -> str:
    return str(ACCOUNT_TEXTS[code])


def account_problem(problem: str | None) -> str:
    """A cabinet's last failure (``MarketplaceAccount.problem``) in words; empty if none."""
    return account_result(f"connection_{problem}") if problem else ""


def push_state(command: OutboxCommand | None) -> str:
    """A cabinet's last stock push (``push_stock`` outbox command) in words; its technical
    error, when it has one, is shown beside them."""
    if command is None:
        return _("No stock push yet")
    if command.status == "done":
        return _("Delivered")
    if command.status == "failed":
        return _("The marketplace refused the push: see the error, fix it, then «Retry» on Orders")
    if not command.target.may_be_called:
        return _("Waiting: the account is switched off or its key was refused")
    if command.last_error:
        return _("Not delivered yet: the marketplace did not take it, it is sent again by itself")
    return _("Waiting to be sent (a few seconds after a change)")


# What each field of a cabinet's form means (the sealed credentials and the settings).
ACCOUNT_FIELDS = {
    "name": _l("Name"),
    "base_url": _l("API address"),
    "token": _l("API token"),
    "client_id": _l("Client-Id"),
    "api_key": _l("API key"),
    "warehouse_id": _l("Warehouse ID at the marketplace"),
    "business_id": _l("Business (cabinet) ID"),
    "campaign_id": _l("Store (campaign) ID"),
    "merchant_id": _l("Merchant ID"),
    "content_url": _l("Product cards address (WB Content API)"),
    "prices_url": _l("Prices address (WB prices and discounts API)"),
    "analytics_url": _l("Reports address (WB analytics API, FBO stock)"),
    "statistics_url": _l("Statistics address (WB statistics API, sales)"),
    "finance_url": _l("Finance address (WB finance API, realization report)"),
    "fby_campaign_id": _l("FBY store (campaign) ID: its stock in Market's warehouses (optional)"),
    "push_login": _l("Login of Megamarket's pushes (optional)"),
    "push_password": _l("Password of Megamarket's pushes (optional)"),
    "cutoff": _l("Pickup cutoff (HH:MM, Moscow time)"),
    "delivery_method_id": _l("Ozon delivery method"),
}
account_field = _words(ACCOUNT_FIELDS)


def _named(params: dict[str, Any]) -> dict[str, Any]:
    return {**params, "field": account_field(params["field"])}


def _fields(names: list[str]) -> str:
    return ", ".join(account_field(name) for name in names)


SHORT_REASONS = {
    "not_in_bin": _l("Not in the bin"),
    "damaged": _l("Damaged"),
    "not_found": _l("Cannot find it"),
}
short_reason = _words(SHORT_REASONS)


PACKAGES = {
    "box-s": _l("Small box"),
    "box-m": _l("Medium box"),
    "box-l": _l("Large box"),
    "bag": _l("Bag"),
}
package_label = _words(PACKAGES)


# The staff page and the first run (warehouse.staff.users).
TEXTS.update(
    {
        "user_not_found": lambda p: _("No such person"),
        "bad_role": lambda p: _("Choose a role"),
        "not_allowed": lambda p: _("Only an admin manages supervisors and admins"),
        "last_admin": lambda p: _("This is the last admin: make another admin first"),
        "not_yourself": lambda p: _("You cannot deactivate yourself"),
        "user_name_missing": lambda p: _("Type the person's name"),
        "picker_needs_badge": lambda p: _("A picker needs a badge: scan or type its code"),
        "user_login_missing": lambda p: _("Type a login"),
        "password_too_short": lambda p: _("The password needs at least %(length)s characters", **p),
        "login_taken": lambda p: _("Login %(value)s is already taken", **p),
        "badge_taken": lambda p: _("Badge %(value)s is already someone else's", **p),
        "bad_pin": lambda p: _("A PIN is %(low)s to %(high)s digits", **p),
        "csv_no_warehouse": lambda p: _(
            "There is no warehouse yet: run flask create-admin (or open /setup) first"
        ),
        "csv_missing": lambda p: _("Line %(line)s: %(column)s is empty", **p),
        "offers_not_utf8": lambda p: _(
            "The file is not UTF-8 text: save it from the table as CSV UTF-8"
        ),
        "offers_loaded": lambda p: _(
            "Offers loaded: %(new)s new, %(linked)s linked to our products, %(unlinked)s to link",
            **p,
        ),
        "csv_unknown_bin": lambda p: _("Line %(line)s: there is no bin %(bin)s", **p),
        "catalogue_too_big": lambda p: _(
            "The file is larger than %(megabytes)s MB: split it into smaller files", **p
        ),
        "catalogue_too_many_rows": lambda p: _(
            "The table has more than %(rows)s rows: split it into smaller files", **p
        ),
        "catalogue_bad_format": lambda p: _(
            "%(filename)s is neither CSV nor XLSX: save the table as .csv or .xlsx", **p
        ),
        "catalogue_not_text": lambda p: _(
            "The file is not text in UTF-8 or Windows-1251: save it from the table as CSV UTF-8"
        ),
        "catalogue_not_xlsx": lambda p: _(
            "The file cannot be opened as XLSX: save it from the table as .xlsx again"
        ),
        "catalogue_formula": lambda p: _(
            "Row %(line)s, column %(column)s holds a formula: paste values only (no formulas)",
            **p,
        ),
        "catalogue_empty": lambda p: _("The file is empty: the first row names the columns"),
        "catalogue_unnamed_column": lambda p: _(
            "Column %(position)s has no name in the first row", **p
        ),
        "catalogue_column_twice": lambda p: _("Column %(column)s appears twice", **p),
        "catalogue_extra_cells": lambda p: _(
            "Row %(line)s has more cells than the first row has column names", **p
        ),
        "catalogue_unknown_column": lambda p: _(
            "Unknown column %(column)s: the columns are %(known)s", **p
        ),
        "catalogue_missing_column": lambda p: _("The file has no column %(column)s", **p),
        "catalogue_rows_refused": lambda p: _(
            "%(count)s rows cannot be applied: nothing was written. Fix them and upload again",
            **p,
        ),
        "catalogue_empty_cell": lambda p: _("%(column)s is empty", **p),
        "catalogue_article_twice": lambda p: _(
            "article %(article)s is already in row %(other)s", **p
        ),
        "catalogue_bin_twice": lambda p: _("bin %(bin)s is already in row %(other)s", **p),
        "command_retried": lambda p: _("Command %(command)s will be sent again now", **p),
        "command_cancelled": lambda p: _(
            "Command %(command)s cancelled: the marketplace will not be told", **p
        ),
        "command_not_owed": lambda p: _("Command %(command)s is already settled", **p),
        "job_retried": lambda p: _("Job %(job)s is back in its queue", **p),
        "job_deleted": lambda p: _("Job %(job)s deleted", **p),
        "job_not_found": lambda p: _("No such failed job (retried or deleted meanwhile?)"),
        "command_not_found": lambda p: _("No such command"),
        "catalogue_changed_meanwhile": lambda p: _(
            "The catalogue was changed by someone else at the same moment: look at the "
            "preview again and apply"
        ),
        "catalogue_unknown_warehouse": lambda p: _(
            "no warehouse with the code «%(warehouse)s» (see Warehouses in the catalogue)", **p
        ),
        "catalogue_barcode_taken": lambda p: _(
            "barcode %(barcode)s belongs to another product, %(article)s", **p
        ),
        "catalogue_bin_barcode_taken": lambda p: _(
            "barcode %(barcode)s belongs to another bin, %(bin)s", **p
        ),
        "catalogue_barcode_twice": lambda p: _(
            "barcode %(barcode)s is already in row %(other)s", **p
        ),
        "catalogue_barcode_too_long": lambda p: _(
            "%(column)s: barcode %(barcode)s is longer than 64 characters", **p
        ),
        "catalogue_check_digit": lambda p: _(
            "%(column)s: barcode %(barcode)s has a wrong check digit (should end in %(expected)s)",
            **p,
        ),
        "catalogue_bad_pack": lambda p: _(
            "%(column)s: %(value)s is not barcode:quantity with a quantity of 2 or more", **p
        ),
        "catalogue_not_yes_no": lambda p: _("%(column)s: %(value)s is not yes or no", **p),
        "catalogue_not_a_price": lambda p: _(
            "%(column)s: %(value)s is not a price in roubles (like 1234.50)", **p
        ),
        "catalogue_not_a_number": lambda p: _(
            "%(column)s: %(value)s is not a whole number of 0 or more", **p
        ),
        "catalogue_unknown_bin": lambda p: _("there is no bin %(bin)s", **p),
        "catalogue_bin_reserved": lambda p: _(
            "Bin %(bin)s is not switched off: %(units)s units in it are reserved for orders "
            "%(orders)s. Switch it off once they are picked",
            **p,
        ),
        "catalogue_exists": lambda p: _(
            "%(key)s already exists: change it with «Edit» in its row", **p
        ),
        "warehouse_bad_code": lambda p: _("A warehouse code is 1 to %(length)s characters", **p),
        "warehouse_code_taken": lambda p: _("Warehouse code %(value)s is already taken", **p),
        "warehouse_last_active": lambda p: _(
            "This is the only active warehouse: add or activate another one first"
        ),
        "commerceml_no_import": lambda p: _(
            "No import.xml in the file: upload 1C's import.xml, or a .zip with import.xml and "
            "offers.xml"
        ),
        "commerceml_bad_xml": lambda p: _("%(file)s is not a CommerceML 2 file (%(why)s)", **p),
        "commerceml_no_products": lambda p: _("import.xml lists no products (Товар)"),
        "catalogue_upload_gone": lambda p: _(
            "This upload is no longer here (applied or expired): upload the file again"
        ),
    }
)

# Alerts to Telegram: the bot's settings and what Telegram said about it.
ALERT_BOT_FIELDS = {"token": _l("bot token"), "chat_id": _l("chat id")}
TEXTS.update(
    {
        "alert_bot_incomplete": lambda p: _(
            "Fill in: %(fields)s",
            fields=", ".join(str(ALERT_BOT_FIELDS.get(f, f)) for f in p.get("missing", [])),
        ),
        "alert_bot_bad_token": lambda p: _(
            "This is not a bot token: @BotFather gives one like 123456789:AAH… (digits, a "
            "colon, letters)"
        ),
        "alert_bot_bad_chat": lambda p: _(
            "%(chat)s is not a chat id: a number (a group's starts with -100) or @channelname",
            **p,
        ),
        "alert_bot_ok": lambda p: _("Sent: look at the chat in Telegram"),
        "alert_bot_token": lambda p: _(
            "Telegram refused the bot's token: copy it again from @BotFather and save. "
            "Until then no alert is sent"
        ),
        "alert_bot_chat": lambda p: _(
            "Telegram does not let the bot write to this chat: check the chat id, add the "
            "bot to the chat (and do not block it), then save. Until then no alert is sent"
        ),
        "alert_bot_unavailable": lambda p: _(
            "Telegram does not answer now: alerts wait and are sent when it does"
        ),
        "alert_bot_refused": lambda p: _("Telegram refused the message"),
        "alert_bot_saved": lambda p: _("Saved"),
        "alert_bot_removed": lambda p: _("The bot is removed: alerts are kept here, none is sent"),
    }
)


def bot_problem(problem: str | None) -> str:
    """Why the bot sends nothing (``AlertBot.problem``) in words; empty if nothing."""
    return describe(f"alert_bot_{problem}") if problem else ""


ALERT_KINDS = {
    "low_stock": _l("low stock"),
    "account": _l("marketplace account"),
    "printer": _l("printer"),
    "handover": _l("pickup"),
}
alert_kind = _words(ALERT_KINDS)

ALERT_STATES = {
    "pending": _l("waiting to be sent"),
    "sent": _l("sent"),
    "skipped": _l("not sent: over before it could be"),
    "failed": _l("refused by Telegram"),
}
alert_state = _words(ALERT_STATES)


ROLE_LABELS = {
    "picker": _l("picker"),
    "packer": _l("packer"),
    "loader": _l("loader"),
    "supervisor": _l("supervisor"),
    "admin": _l("admin"),
}
role_label = _words(ROLE_LABELS)


def roles_label(roles: frozenset[str] | list[str]) -> str:
    """A person's roles in words, in the table's order («сборщик, упаковщик»)."""
    return ", ".join(str(ROLE_LABELS[role]) for role in ROLE_LABELS if role in roles)


# the areas of work of the access table (warehouse.staff.access.ACCESS)
AREA_LABELS = {
    "tsd": _l("the terminal's menu"),
    "pick": _l("picking orders"),
    "pack": _l("packing"),
    "label": _l("labels asked for on the terminal"),
    "load": _l("loading hand-overs"),
    "receive": _l("receiving and put-away"),
    "move": _l("moves between bins"),
    "count": _l("counts"),
    "return": _l("returns"),
    "bind_barcode": _l("giving an unknown barcode to a product"),
    "desk": _l("the supervisor's desk"),
    "admin": _l("the administrator's settings"),
}
area_label = _words(AREA_LABELS)


def wrong_role(area: str) -> str:
    """A 403 for a person whose roles do not include ``area``: what it is, whom to ask."""
    return _("Not your work: %(work)s. Ask the shift supervisor", work=area_label(area))


# what the desk did to a person (warehouse.models.staff.STAFF_EVENTS)
STAFF_EVENT_LABELS = {
    "created": _l("added"),
    "edited": _l("edited"),
    "roles_changed": _l("roles changed"),
    "pin_reset": _l("PIN reset"),
    "password_reset": _l("password changed"),
    "sessions_ended": _l("session ended from the desk"),
    "deactivated": _l("deactivated"),
    "activated": _l("activated"),
}
staff_event = _words(STAFF_EVENT_LABELS)

# The person's page, the login pages after the desk ended a session (warehouse.staff.users).
TEXTS.update(
    {
        "session_sessions_ended": lambda p: _(
            "Your session was ended from the desk by %(by)s at %(at)s. Log in again", **p
        ),
        "session_pin_reset": lambda p: _(
            "Your PIN was changed by %(by)s at %(at)s: log in with the new PIN", **p
        ),
        "session_password_reset": lambda p: _(
            "Your password was changed by %(by)s at %(at)s: log in with the new one", **p
        ),
        "session_deactivated": lambda p: _(
            "You were deactivated by %(by)s at %(at)s: ask the shift supervisor", **p
        ),
        "session_ended_unknown": lambda p: _("Your session was ended from the desk. Log in again"),
        "roles_missing": lambda p: _("Tick at least one role: picker, packer or loader"),
        "roles_tsd_only": lambda p: _("Only people of the terminal have several roles"),
        "sessions_ended_done": lambda p: _(
            "%(name)s's sessions are ended: their terminal shows the login page at the next scan",
            **p,
        ),
        "pin_reset_done": lambda p: _("%(name)s has a new PIN; their open sessions are ended", **p),
        "pin_missing": lambda p: _("Type the new PIN"),
        "not_yourself_session": lambda p: _("To end your own session, log out"),
        "no_badge": lambda p: _("%(name)s has no badge: give them one first (Edit)", **p),
        "bad_period": lambda p: _("Choose a day (and a day or a week)"),
        "bad_badge": lambda p: _("Badge %(badge)s cannot be printed as a barcode", **p),
        "desk_needs_login": lambda p: _(
            "%(name)s is logged in on the terminal: the desk needs a supervisor's login", **p
        ),
    }
)


HANDOVER_WORDS = {
    # states
    "open": _l("loading"),
    "closing": _l("telling the marketplace"),
    "closed": _l("closed"),
    "failed": _l("refused by the marketplace"),
    # papers (warehouse.shipping.documents.KINDS)
    "supply_qr": _l("supply QR"),
    "act": _l("act"),
    "waybill": _l("waybill"),
    "act_barcode": _l("act barcode"),
    "shipment_act": _l("shipment act"),
    "reception_act": _l("reception-transfer act"),
    # history lines
    "opened": _l("opened"),
    "loaded": _l("loaded"),
    "refused": _l("refused"),
    "decision": _l("decision"),
    "joined": _l("orders joined"),
    "loading_done": _l("loading finished"),
    "call": _l("marketplace call"),
    "printed": _l("printed"),
    "print_refused": _l("not printed"),
    "retry": _l("retry"),
    "removed": _l("left out by the marketplace"),
}
handover_word = _words(HANDOVER_WORDS)  # hand-overs: states, papers, history lines


# МойСклад: what the documents name, the documents we write there (warehouse.accounting).
ACCOUNT_FIELDS.update(
    {
        "organization_id": _l("Legal entity in MoySklad"),
        "store_id": _l("MoySklad store the goods leave and come back to"),
        "agent_wb": _l("Counterparty for Wildberries"),
        "agent_ozon": _l("Counterparty for Ozon"),
        "agent_yandex": _l("Counterparty for Yandex Market"),
        "agent_megamarket": _l("Counterparty for Megamarket"),
        "agent_supplier": _l("Supplier for purchase orders («what to order next»)"),
    }
)
TEXTS.update(
    {
        "moysklad_bad_id": lambda p: _(
            "Not a MoySklad id (it looks like 12345678-90ab-cdef-1234-567890abcdef): %(fields)s",
            fields=_fields(p["fields"]),
        ),
        "document_not_found": lambda p: _("No such document"),
    }
)
ACCOUNT_TEXTS.update(
    {
        "choices_off": _l(
            "The account is switched off or its token was refused, so MoySklad was not asked "
            "for its lists: type the ids"
        ),
        "choices_auth": _l("MoySklad refused the token, so its lists are not shown: type the ids"),
        "choices_unavailable": _l(
            "MoySklad does not answer now, so its lists are not shown: type the ids"
        ),
        "choices_refused": _l("MoySklad refused to list them: type the ids"),
    }
)
DOCUMENT_KINDS = {
    "demand": _l("Shipment"),
    "salesreturn": _l("Customer return"),
    "supply": _l("Goods receipt"),
    "purchaseorder": _l("Purchase order"),
}
document_kind = _words(DOCUMENT_KINDS)
SKIP_REASONS = {
    "not_linked": _l("no MoySklad item is linked to the product"),
    "no_product": _l("the order line has no product of ours"),
    "not_shipped": _l("it was left out of the shipment document"),
}
skip_reason = _words(SKIP_REASONS)
DOCUMENT_SETTINGS_ERRORS = {
    "settings:no_agent": _l(
        "The account names no counterparty for this marketplace: choose one above, then «Retry»"
    ),
    "settings:no_store": _l("Choose the legal entity and the store above, then «Retry»"),
}


def document_error(error: str | None) -> str:
    """Why a document is not in МойСклад: our settings in words, else МойСклад's own."""
    if not error:
        return ""
    if error in DOCUMENT_SETTINGS_ERRORS:
        return str(DOCUMENT_SETTINGS_ERRORS[error])
    return _("MoySklad refused the document: %(words)s", words=error)


def document_state(document: Any, command: Any) -> str:
    """Where a document is: in МойСклад, refused, being tried again, or waiting its turn."""
    if document.moysklad_id:
        return _("in MoySklad")
    if command is None:
        return _("not sent")
    if command.status == "failed":
        return _("refused")
    if command.attempts:
        return _(
            "MoySklad did not take it yet (attempts: %(n)s), tries again by itself",
            n=command.attempts,
        )
    return _("waiting to be sent")


# Deliveries from МойСклад purchase orders (warehouse.accounting.purchase_orders).
TEXTS.update(
    {
        "purchase_order_not_found": lambda p: _("MoySklad has no such purchase order"),
        "purchase_order_taken": lambda p: _(
            "Purchase order №%(order)s already opened delivery №%(receipt)s: "
            "an order is received in one delivery",
            **p,
        ),
        "purchase_order_account_off": lambda p: _(
            "The MoySklad account is switched off or its token was refused: the order was "
            "not read and no delivery was opened"
        ),
        "purchase_order_auth": lambda p: _(
            "MoySklad refused the token: the order was not read and no delivery was opened"
        ),
        "purchase_order_unavailable": lambda p: _(
            "MoySklad does not answer now: the order was not read and no delivery was opened. "
            "Try again in a minute"
        ),
        "purchase_order_refused": lambda p: _(
            "MoySklad refused to give the order: no delivery was opened"
        ),
        "purchase_order_nothing_expected": lambda p: _(
            "No position of purchase order №%(order)s can be expected here, so no delivery "
            "was opened:",
            **p,
        ),
    }
)
PURCHASE_ORDER_PROBLEMS = {
    "off": _l(
        "The account is switched off or its token was refused, so MoySklad was not asked for "
        "its purchase orders. Deliveries can still be opened from a list or blind"
    ),
    "auth": _l(
        "MoySklad refused the token, so its purchase orders are not shown: fix the token in "
        "the account's settings. Deliveries can still be opened from a list or blind"
    ),
    "unavailable": _l(
        "MoySklad does not answer now, so its purchase orders are not shown: open the page "
        "again in a minute. Deliveries can still be opened from a list or blind"
    ),
    "refused": _l(
        "MoySklad refused to list its purchase orders. Deliveries can still be opened from a "
        "list or blind"
    ),
}
purchase_order_problem = _words(PURCHASE_ORDER_PROBLEMS)
# why a purchase order's position is not expected in the delivery it opened
POSITION_REFUSALS = {
    "not_linked": _l(
        "its MoySklad item is linked to no product of ours: import the assortment "
        "(it matches by article or code)"
    ),
    "service": _l("a service, not goods: nothing arrives to count"),
    "not_goods": _l("a bundle or a batch: we cannot tell which product of ours it is"),
    "fractional": _l("not a whole number: the warehouse counts goods in whole units"),
    "received": _l("MoySklad has already taken it in in full"),
}
position_refusal = _words(POSITION_REFUSALS)

TEXTS.update(
    {
        "fbo_reading": lambda p: _(
            "FBO stock of %(account)s is being read: the table fills in within a minute", **p
        ),
        "fbo_not_given": lambda p: _(
            "%(account)s: the marketplace's API gives no FBO stock for this account", **p
        ),
        "fbo_not_queued": lambda p: _(
            "The job queue (Redis) does not answer: FBO stock is read on its next round", **p
        ),
    }
)

TEXTS.update(
    {
        "nul_in_input": lambda p: _(
            "The scan or form held a character nothing can hold (NUL): check the scanner's "
            "settings and scan again"
        ),
    }
)


# Service accounts of the integration API (warehouse.integrations.service_accounts).
TEXTS.update(
    {
        "service_account_name_missing": lambda p: _("Name the system the account is for"),
        "service_account_name_taken": lambda p: _(
            "An account named «%(name)s» already exists: choose another name", **p
        ),
        "service_account_not_found": lambda p: _("No such service account"),
        "service_account_created": lambda p: _(
            "Account «%(name)s» made. Issue it a token next.", **p
        ),
        "service_account_saved": lambda p: _("Account «%(name)s» saved.", **p),
        "unknown_scope": lambda p: _("Unknown scope: %(scope)s", **p),
        "token_limit_out_of_range": lambda p: _("Calls per minute: a number from 1 to 100000"),
        "api_token_not_found": lambda p: _("No such token on this account"),
        "api_token_revoked": lambda p: _(
            "Token %(prefix)s revoked: its calls are refused from now on.", **p
        ),
    }
)

API_SCOPE_WORDS = {
    "orders:read": _l("read orders, their changes, parcels and hand-overs"),
    "stock:read": _l("read stock and its movements"),
    "stock:write": _l("post stock corrections (as inventory documents)"),
    "products:read": _l("read products and bins"),
    "products:write": _l("create and update products, barcodes, cost prices"),
    "handovers:read": _l("read hand-overs and their parcels"),
    "webhooks": _l("subscribe to webhooks"),
}
api_scope: Callable[[str], str] = _words(API_SCOPE_WORDS)


# Stock corrections sent by accounting systems (warehouse.stock.corrections).
TEXTS.update(
    {
        "correction_number_taken": lambda p: _(
            "Document %(number)s was already received: a new count needs a new number", **p
        ),
        "correction_lines_refused": lambda p: _(
            "%(count)s lines cannot be applied: nothing was written", **p
        ),
        "correction_unknown_article": lambda p: _("No product with article %(article)s", **p),
        "correction_unknown_warehouse": lambda p: _("No warehouse with code %(code)s", **p),
        "correction_unknown_bin": lambda p: _("No bin %(bin)s in that warehouse", **p),
        "correction_line_twice": lambda p: _("%(article)s in bin %(bin)s is listed twice", **p),
        "correction_below_reserved": lambda p: _(
            "Bin %(bin)s holds %(reserved)s units reserved for orders: it cannot hold fewer",
            **p,
        ),
        "correction_not_found": lambda p: _("No such stock correction"),
        "api_items_refused": lambda p: _(
            "%(count)s items cannot be applied: nothing was written. Fix them and send all again",
            **p,
        ),
    }
)
MOVE_REASON_LABELS["correction"] = _l("correction from accounting")


# Webhooks (warehouse.integrations.webhooks).
TEXTS.update(
    {
        "webhook_no_events": lambda p: _("Choose at least one event"),
        "webhook_unknown_event": lambda p: _("Unknown event: %(event)s", **p),
        "webhook_bad_url": lambda p: _("The receiver's address must be an http(s) URL"),
        "webhook_not_found": lambda p: _("No such webhook subscription on this account"),
        "webhook_delivery_not_found": lambda p: _("No such webhook delivery on this account"),
        "webhook_subscribed": lambda p: _("Receiver %(url)s subscribed.", **p),
        "webhook_stopped": lambda p: _("Receiver stopped: nothing more is sent to it."),
        "webhook_retried": lambda p: _("Delivery %(id)s will be sent again now.", **p),
    }
)
WEBHOOK_EVENT_WORDS = {
    "order.status_changed": _l("an order's status changed"),
    "stock.below_minimum": _l("a product's free stock fell below its minimum"),
    "handover.closed": _l("a hand-over was closed"),
    "pick.short": _l("a picker reported goods missing"),
}
webhook_event: Callable[[str], str] = _words(WEBHOOK_EVENT_WORDS)
DELIVERY_STATE_WORDS = {
    "pending": _l("to be sent"),
    "delivered": _l("delivered"),
    "failed": _l("given up"),
}
delivery_state: Callable[[str], str] = _words(DELIVERY_STATE_WORDS)
TEXTS.update(
    {
        "webhook_needs_scope": lambda p: _(
            "To be told «%(event)s» the account needs the scope %(scope)s", **p
        ),
        "webhook_address_refused": lambda p: _(
            "The receiver's address may not be called (%(why)s): give another", **p
        ),
    }
)
