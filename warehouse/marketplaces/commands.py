"""How each outbox command is carried out at each marketplace.

Commands: ``confirm`` (take the order into assembly), ``pack`` (report packages /
boxes with marking codes), ``ship`` (ready to hand over), ``cancel`` (the seller
cancels), ``push_stock`` and the prices' (``pricing.push``). Every handler checks the
marketplace's state first where the API allows, so delivering a command twice has the
effect of once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.catalog import new_cards
from warehouse.floor import picking
from warehouse.marketplaces import megamarket_shapes as mm_shapes
from warehouse.marketplaces.base import Label, RejectedError, TransientError
from warehouse.marketplaces.connectors import client_for
from warehouse.models import HandOver, MarketplaceAccount, Order, OutboxCommand
from warehouse.pricing import push as price_push
from warehouse.pricing import showcase
from warehouse.shipping import closing, handovers
from warehouse.stock import stock_sync

logger = logging.getLogger(__name__)

Handler = Callable[[Session, Any, OutboxCommand], None]

# Which command must be delivered before the marketplace issues the order's label.
LABEL_AFTER = {"wb": "confirm", "ozon": "pack", "yandex": "pack", "megamarket": "pack"}


def send(session: Session, command: OutboxCommand) -> None:
    """Deliver ``command`` to its account's marketplace (raises base.* errors)."""
    kind = command.cabinet.kind
    handler = HANDLERS.get((kind, command.kind)) or HANDLERS.get(("*", command.kind))
    if handler is None:
        raise RejectedError(f"unknown command {command.kind!r} for {kind}")
    with client_for(command.cabinet) as client:
        handler(session, client, command)


def fetch_label(session: Session, order: Order) -> Label:
    """The marketplace's own label, once the step it depends on has been delivered."""
    needed = LABEL_AFTER[order.account.kind]
    done = session.scalar(
        select(OutboxCommand.id).where(
            OutboxCommand.order_id == order.id,
            OutboxCommand.kind == needed,
            OutboxCommand.status == "done",
        )
    )
    if done is None:
        raise TransientError(f"waiting for the marketplace to accept {needed} of the order")
    with client_for(order.account) as client:
        label: Label = client.label(order.external_id)
        return label


def _order(session: Session, command: OutboxCommand) -> Order:
    return session.get_one(Order, command.order_id)


def _nothing(session: Session, client: Any, command: OutboxCommand) -> None:
    """The marketplace needs no call for this step."""


def _push_stock(session: Session, client: Any, command: OutboxCommand) -> None:
    account = command.cabinet
    levels = stock_sync.levels(session, account)
    if not levels:
        return
    warehouse_id = str((account.settings or {}).get("warehouse_id") or "")
    if not warehouse_id and account.kind in ("wb", "ozon"):
        raise RejectedError("set the marketplace warehouse id of this account", code="settings")
    client.push_stocks(warehouse_id, levels)
    stock_sync.pushed(session, account, levels)
    logger.info("stock pushed account=%s items=%s", account.id, len(levels))


def _cancel(session: Session, client: Any, command: OutboxCommand) -> None:
    order = _order(session, command)
    current = client.order_statuses([order.external_id]).get(order.external_id, "")
    if "cancel" in current.lower():
        return  # already cancelled there
    client.cancel(order.external_id, "cancelled by the seller")


def _units(session: Session, order: Order) -> list[tuple[str, int, list[str]]]:
    """(sku, quantity, marking codes) per line, for packages and boxes."""
    codes = _marking_codes(session, order)
    return [
        (line.external_sku, line.quantity, codes.get(line.id, []))
        for line in order.lines
        if line.quantity  # a line whose every unit was taken off the order is not packed
    ]


def _marking_codes(session: Session, order: Order) -> dict[int, list[str]]:
    """Честный знак codes captured at pick, per order line."""
    return picking.marking_codes(session, order)


# --- Wildberries --------------------------------------------------------------------------


def _wb_confirm(session: Session, client: Any, command: OutboxCommand) -> None:
    """WB confirms an assembly order by adding it to an open supply."""
    order = _order(session, command)
    statuses = client.status_pairs([order.external_id])
    if order.external_id not in statuses:
        raise RejectedError("Wildberries does not know this order", code="unknown_order")
    supplier_status, _wb_status = statuses[order.external_id]
    if supplier_status in ("confirm", "complete"):
        order.marketplace_status = "/".join(statuses[order.external_id])
        return
    if supplier_status != "new":
        raise RejectedError(f"order is {supplier_status} at Wildberries", code=supplier_status)
    supply = _open_wb_supply(session, client, command.cabinet, handovers.ship_date_for(order))
    client.add_to_supply(supply.external_id, [order.external_id])
    order.marketplace_status = "confirm/waiting"
    order.handover_id = supply.id
    logger.info("wb order confirmed order=%s supply=%s", order.id, supply.external_id)


def _open_wb_supply(
    session: Session, client: Any, account: MarketplaceAccount, day: date
) -> HandOver:
    """The open hand-over of the day, with its supply made at WB on first use."""
    supply = handovers.open_for(session, account, day)
    if not supply.external_id:
        session.refresh(supply, with_for_update=True)  # two confirms make one supply
    if not supply.external_id:
        supply.external_id = client.create_supply(f"warehouse {day:%Y-%m-%d}")
        session.flush()
    return supply


def _wb_pack(session: Session, client: Any, command: OutboxCommand) -> None:
    order = _order(session, command)
    codes = [code for _sku, _qty, unit_codes in _units(session, order) for code in unit_codes]
    if not codes:
        return
    supplier_status, _wb_status = client.status_pairs([order.external_id]).get(
        order.external_id, ("", "")
    )
    if supplier_status == "complete":
        return  # its supply was delivered: the hand-over sent the codes (and WB keeps them)
    client.set_sgtins(order.external_id, codes)


# --- Ozon, Yandex Market, Megamarket -------------------------------------------------------


def _ozon_pack(session: Session, client: Any, command: OutboxCommand) -> None:
    order = _order(session, command)
    current = client.order_statuses([order.external_id]).get(order.external_id)
    if current != "awaiting_packaging":
        if current in ("awaiting_deliver", "delivering", "delivered"):
            return  # shipped (packed) already: an earlier delivery got through
        raise RejectedError(f"posting is {current} at Ozon", code=str(current))
    units = _units(session, order)
    codes = {sku: unit_codes for sku, _qty, unit_codes in units if unit_codes}
    if codes:
        client.set_exemplars(order.external_id, codes)
    client.ship(order.external_id, [[(sku, qty) for sku, qty, _codes in units]])


def _ozon_push_stock(session: Session, client: Any, command: OutboxCommand) -> None:
    """As ``_push_stock``, but Ozon answers per product: the products it refused stay
    unpushed (sent again at the next push), the rest count as pushed."""
    account = command.cabinet
    levels = stock_sync.levels(session, account)
    if not levels:
        return
    warehouse_id = str((account.settings or {}).get("warehouse_id") or "")
    if not warehouse_id:
        raise RejectedError("set the marketplace warehouse id of this account", code="settings")
    failed = client.push_stocks(warehouse_id, levels)
    stock_sync.pushed(session, account, {k: v for k, v in levels.items() if k not in failed})
    logger.info("stock pushed account=%s items=%s failed=%s", account.id, len(levels), failed)


def _yandex_pack(session: Session, client: Any, command: OutboxCommand) -> None:
    order = _order(session, command)
    client.set_boxes(order.external_id, [_units(session, order)])  # /boxes replaces: idempotent


def _yandex_ship(session: Session, client: Any, command: OutboxCommand) -> None:
    order = _order(session, command)
    current = client.order_statuses([order.external_id]).get(order.external_id, "")
    if current != "PROCESSING/READY_TO_SHIP" and not current.startswith(("DELIVER", "PICKUP")):
        client.ready_to_ship(order.external_id)


def _megamarket_confirm(session: Session, client: Any, command: OutboxCommand) -> None:
    order = _order(session, command)
    current = client.order_statuses([order.external_id]).get(order.external_id)
    if current == "NEW":
        client.confirm(order.external_id)


def _megamarket_pack(session: Session, client: Any, command: OutboxCommand) -> None:
    order = _order(session, command)
    current = client.order_statuses([order.external_id]).get(order.external_id)
    if current != "CONFIRMED":
        if current in ("PENDING_PACKING", "PACKED", "PENDING_SHIPPING", "SHIPPED", "DELIVERED"):
            return  # an earlier delivery got through
        raise RejectedError(f"shipment is {current} at Megamarket", code=str(current))
    indexes = [str(index) for index in (order.raw or {}).get("itemIndexes", [])]
    client.pack(order.external_id, [[(index, "") for index in indexes]])


def _megamarket_ship(session: Session, client: Any, command: OutboxCommand) -> None:
    """Packed is all MM needs at the pack table: ``order/shipping`` goes with the hand-over
    (its shipping date is the pickup's, ``shipping.close_megamarket``). This checks that the
    packing took, so a lot that expired or was cancelled shows up now, not at the pickup."""
    order = _order(session, command)
    current = client.order_statuses([order.external_id]).get(order.external_id, "")
    order.marketplace_status = current or order.marketplace_status
    if current.startswith("PENDING_"):
        raise TransientError(f"Megamarket is still processing the shipment ({current})")
    if current not in ("PACKED", "SHIPPED", "DELIVERED"):
        raise RejectedError(f"shipment is {current} at Megamarket", code=current or "unknown")


def _excess(session: Session, order: Order, at_marketplace: dict[str, int]) -> dict[str, int]:
    """Units the marketplace still holds beyond what our short-picked lines now ask for
    (sku → count): what a ``cancel_lines`` still has to take off. Asking the marketplace
    first makes a repeat take nothing twice."""
    ours: dict[str, int] = {}
    for line in order.lines:
        ours[line.external_sku] = ours.get(line.external_sku, 0) + line.quantity
    return {
        sku: count - ours.get(sku, 0)
        for sku, count in at_marketplace.items()
        if sku in ours and count > ours.get(sku, 0)
    }


def _held(incoming: Any) -> dict[str, int]:
    held: dict[str, int] = {}
    for line in incoming.lines:
        held[line.external_sku] = held.get(line.external_sku, 0) + line.quantity
    return held


def _ozon_cancel_lines(session: Session, client: Any, command: OutboxCommand) -> None:
    """Short-picked units leave the posting (``/v2/posting/fbs/product/cancel``)."""
    order = _order(session, command)
    excess = _excess(session, order, _held(client.get_posting(order.external_id)))
    if excess:
        client.cancel_products(order.external_id, excess, "out of stock")


def _yandex_cancel_lines(session: Session, client: Any, command: OutboxCommand) -> None:
    """Short-picked units leave the order (the boxes without them, ``allowRemove``)."""
    order = _order(session, command)
    excess = _excess(session, order, _held(client.get_order(order.external_id)))
    if excess:
        client.remove_items(order.external_id, excess)


def _megamarket_cancel_lines(session: Session, client: Any, command: OutboxCommand) -> None:
    """Short-picked units leave the shipment: ``order/reject`` of that many lots of the offer.

    The lots are chosen once, from MM's own list, and kept in the command's payload, so a
    repeat rejects the same lots (those MM already cancelled are skipped) and never more;
    they also leave ``raw.itemIndexes``, so packing does not send them."""
    order = _order(session, command)
    raw = client.shipments([order.external_id])
    if not raw:
        raise RejectedError("Megamarket does not know this shipment", code="NOT_FOUND")
    lots = {mm_shapes.item_index(lot): lot for lot in mm_shapes.goods(raw[0])}
    chosen = command.payload.get("item_indexes") or _megamarket_choose(lots, command.payload)
    command.payload = {**command.payload, "item_indexes": chosen}
    waiting = [
        index for index in chosen if lots[index].get("status") in ("NEW", "CONFIRMED", "PACKED")
    ]
    if waiting:
        client.reject_items(order.external_id, waiting, "out of stock")
    raw_order = dict(order.raw or {})
    raw_order["itemIndexes"] = [i for i in raw_order.get("itemIndexes", []) if i not in chosen]
    raw_order["itemIndexesByOffer"] = {
        offer: [i for i in indexes if i not in chosen]
        for offer, indexes in (raw_order.get("itemIndexesByOffer") or {}).items()
    }
    order.raw = raw_order
    logger.info("mm lots rejected order=%s lots=%s", order.id, chosen)


def _megamarket_choose(lots: dict[str, Any], payload: dict[str, Any]) -> list[str]:
    """The last live lots of each short line's offer, as many as units are missing."""
    chosen: list[str] = []
    for line in payload.get("lines") or []:
        alive = [
            index
            for index, lot in lots.items()
            if str(lot.get("offerId")) == str(line["sku"])
            and lot.get("status") in ("NEW", "CONFIRMED", "PACKED")
        ]
        if len(alive) < int(line["quantity"]):
            raise RejectedError(
                f"Megamarket has {len(alive)} live lots of {line['sku']}", code="ITEM_NOT_FOUND"
            )
        chosen += alive[len(alive) - int(line["quantity"]) :]
    return chosen


HANDLERS: dict[tuple[str, str], Handler] = {
    ("*", "push_stock"): _push_stock,
    ("*", price_push.PUSH_KIND): price_push.deliver,
    ("*", price_push.READ_KIND): price_push.read,
    ("wb", price_push.CHECK_KIND): price_push.check,
    ("wb", new_cards.CREATE_KIND): new_cards.deliver_create,
    ("wb", new_cards.CHECK_KIND): new_cards.deliver_check,
    ("*", showcase.HIDE_KIND): showcase.deliver,
    ("*", showcase.SHOW_KIND): showcase.deliver,
    ("*", "cancel"): _cancel,
    ("*", "confirm"): _nothing,
    ("*", "ship"): _nothing,
    ("*", "hand_over"): closing.deliver,
    ("wb", "confirm"): _wb_confirm,
    ("wb", "pack"): _wb_pack,
    ("ozon", "pack"): _ozon_pack,
    ("ozon", "push_stock"): _ozon_push_stock,
    ("yandex", "pack"): _yandex_pack,
    ("yandex", "ship"): _yandex_ship,
    ("megamarket", "confirm"): _megamarket_confirm,
    ("megamarket", "pack"): _megamarket_pack,
    ("megamarket", "ship"): _megamarket_ship,
    ("megamarket", "cancel_lines"): _megamarket_cancel_lines,
    ("ozon", "cancel_lines"): _ozon_cancel_lines,
    ("yandex", "cancel_lines"): _yandex_cancel_lines,
}
