"""Prices in words: the pricing refusals and results, a document's state, a line's hold,
a price's way to the marketplace, sums in roubles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from warehouse.pricing.price_files import Refusals
from warehouse.web.messages import TEXTS, _words

TEXTS.update(
    {
        "price_list_not_found": lambda p: _("There is no such price list"),
        "price_document_not_found": lambda p: _("There is no such price document"),
        "price_list_no_account": lambda p: _("Choose the marketplace account of the list"),
        "price_list_no_name": lambda p: _("Name the price list"),
        "price_list_name_taken": lambda p: _(
            "The account has a price list %(name)s already: choose another name", **p
        ),
        "price_list_bad_figures": lambda p: _(
            "Commission is 0 to 99.99 %%, logistics a sum in roubles, the largest change "
            "1 to 1000 %%: check the figures"
        ),
        "price_list_created": lambda p: _("Price list %(name)s made", **p),
        "price_list_saved": lambda p: _("Price list %(name)s saved", **p),
        "price_nothing_changes": lambda p: _(
            "Nothing would change: every price given is already the card's"
        ),
        "price_card_twice": lambda p: _("A card is given twice: give each card one price"),
        "price_card_not_of_account": lambda p: _("Card %(id)s is not a card of %(account)s", **p),
        "price_out_of_range": lambda p: _("Card %(sku)s: the price is out of range", **p),
        "price_old_not_higher": lambda p: _(
            "Card %(sku)s: the price before the discount must be above the price", **p
        ),
        "price_whole_roubles": lambda p: _(
            "Card %(sku)s: this marketplace takes prices in whole roubles", **p
        ),
        "price_document_not_draft": lambda p: _(
            "The document was sent on already (%(status)s)",
            status=document_status(p.get("status", "")),
        ),
        "price_document_closed": lambda p: _(
            "The document is %(status)s: nothing more can be done with it",
            status=document_status(p.get("status", "")),
        ),
        "price_repeat_needs_time": lambda p: _("A planned document needs its start time"),
        "price_now_with_times": lambda p: _(
            "«Apply now» is ticked but times are filled in: tick «Plan», or clear the times"
        ),
        "price_restore_before_start": lambda p: _(
            "The prices come back after the new ones start: set the start, then a later return"
        ),
        "price_restore_after_next_run": lambda p: _(
            "The prices must come back before the next start (every %(days)s days)", **p
        ),
        "price_time_passed": lambda p: _("That time has passed: choose a time ahead"),
        "price_return_of_open_discount": lambda p: _(
            "This document takes back the prices of discount %(id)s: cancel the discount, and "
            "its return goes with it",
            **p,
        ),
        "price_window_passed": lambda p: _(
            "Confirmed too late: the discount's prices were to be back already. Draft it again "
            "with new times"
        ),
        "price_sizes_differ": lambda p: _(
            "Card %(card)s: WB has one price for all sizes of a card; give its sizes one price",
            **p,
        ),
        "price_bad_time": lambda p: _("%(value)s is not a date and time", **p),
        "price_bad_ending": lambda p: _("%(ending)s is not a price ending we know", **p),
        "price_bad_markup": lambda p: _("The markup is a whole number of percent, 0 to 10000"),
        "price_bad_discount": lambda p: _("The discount is a whole number of percent, 0 to 90"),
        "price_rule_unknown_articles": lambda p: _(
            "No product has the article %(articles)s: check the list", **p
        ),
        "price_rule_no_cards": lambda p: _(
            "No card of the account has a product with a cost price in that choice"
        ),
        "price_file_missing": lambda p: _("Choose the price file (XLSX or CSV)"),
        "price_file_columns": lambda p: _(
            "The file needs the columns «Цена» (price) and «SKU» or «Артикул» (article): "
            "export the list to see them"
        ),
        "price_file_empty": lambda p: _("The file has no prices"),
        "price_file_refused": lambda p: _(
            "The file was not loaded: %(count)s rows cannot be read. Fix them and load it again",
            **p,
        ),
        "price_row_no_card": lambda p: _("no card or product %(card)s in this account", **p),
        "price_row_twice": lambda p: _("the card has a price on row %(first)s already", **p),
        "price_row_bad_discount": lambda p: _("discount %(value)s is not 0 to 99 %%", **p),
        "price_row_no_price": lambda p: _("no price"),
        "price_row_old_not_higher": lambda p: _(
            "the price before the discount must be above the price"
        ),
        "price_row_not_a_sum": lambda p: _("%(column)s: %(value)s is not a sum in roubles", **p),
        "price_document_drafted": lambda p: _(
            "Document %(id)s drafted, %(lines)s cards: check it and send it on", **p
        ),
        "price_document_applied": lambda p: _(
            "Document %(id)s applied: the prices are on their way to the marketplace", **p
        ),
        "price_document_held": lambda p: _(
            "Document %(id)s waits: a supervisor must confirm the held prices", **p
        ),
        "price_document_scheduled": lambda p: _("Document %(id)s is planned", **p),
        "price_document_restore": lambda p: _(
            "Document %(id)s brings the prices back at the time set", **p
        ),
        "price_document_cancelled": lambda p: _("Document %(id)s cancelled", **p),
        "price_confirm_nothing": lambda p: _("Tick the held prices to confirm"),
        "price_lines_confirmed": lambda p: _("Confirmed: %(count)s; still waiting: %(still)s", **p),
        "card_not_wb": lambda p: _("Cards are made here for Wildberries accounts only"),
        "card_no_subject": lambda p: _("Give the WB subject (category) id of the card"),
        "card_bad_price": lambda p: _("The card's price is a sum in whole roubles"),
        "card_no_barcode": lambda p: _("%(article)s has no unit barcode: WB needs one", **p),
        "card_exists": lambda p: _("The account has a card %(article)s already", **p),
        "card_asked": lambda p: _("A card %(article)s is asked for already: wait for WB", **p),
        "card_no_product": lambda p: _("There is no product with article %(article)s", **p),
        "card_asked_now": lambda p: _(
            "Card %(article)s sent to Wildberries: WB makes it within half an hour", **p
        ),
        "showcase_card_unknown": lambda p: _("Those are not all cards of %(account)s", **p),
        "showcase_hidden": lambda p: _(
            "Off the showcase: %(count)s cards (their stock goes out as 0)", **p
        ),
        "showcase_shown": lambda p: _("Back on the showcase: %(count)s cards", **p),
        "price_read_queued": lambda p: _(
            "Asking the marketplace for its prices: the page shows them in a minute"
        ),
    }
)

DOCUMENT_STATUSES = {
    "draft": _l("draft"),
    "held": _l("waiting for confirmation"),
    "scheduled": _l("planned"),
    "applied": _l("applied"),
    "cancelled": _l("cancelled"),
}
document_status: Callable[[str], str] = _words(DOCUMENT_STATUSES)

DOCUMENT_SOURCES = {
    "manual": _l("by hand"),
    "rule": _l("by a rule"),
    "xlsx": _l("from a file"),
    "restore": _l("prices back"),
}
document_source: Callable[[str], str] = _words(DOCUMENT_SOURCES)

HOLD_REASONS = {
    "below_cost": _l("below break-even"),
    "below_minimum": _l("below the minimum price"),
    "big_change": _l("change larger than allowed"),
    "no_basis": _l("no cost price and no price before"),
}
hold_reason: Callable[[str], str] = _words(HOLD_REASONS)

PUSH_STATUSES = {
    "pending": _l("to be sent"),
    "checking": _l("sent, the marketplace is checking"),
    "sent": _l("on the marketplace"),
    "refused": _l("refused by the marketplace"),
}
push_status: Callable[[str], str] = _words(PUSH_STATUSES)

FILTERS = {
    "all": _l("all cards"),
    "pending": _l("on their way"),
    "refused": _l("refused"),
    "differs": _l("differ on the marketplace"),
    "unpriced": _l("without a price"),
}
price_filter: Callable[[str], str] = _words(FILTERS)


def rub(kopecks: int | None) -> str:
    """A sum as the desk shows it: «1 290 ₽», «1 290,50 ₽»; «—» for none."""
    if kopecks is None:
        return "—"
    roubles = f"{kopecks // 100:,}".replace(",", "\u202f")
    return f"{roubles} ₽" if kopecks % 100 == 0 else f"{roubles},{kopecks % 100:02d} ₽"


def refusal_lines(refusals: Refusals) -> list[str]:
    """The bad rows of a price file, each in words: «Row 4: no price»."""
    return [
        _("Row %(line)s: %(why)s", line=line, why=_row_words(code, params))
        for line, code, params in refusals.rows
    ]


def _row_words(code: str, params: dict[str, Any]) -> str:
    text = TEXTS.get(code)
    return text(params) if text else code


CARD_STATUSES = {
    "sent": _l("sent, WB is making it"),
    "made": _l("made"),
    "refused": _l("refused by WB"),
}
card_status: Callable[[str], str] = _words(CARD_STATUSES)
