"""Who may do what: the one table every ТСД and desk route asks (docs/ARCHITECTURE.md, People).

A route names its area of work (``auth.tsd_required("pack")``, ``supervisor_required`` is
the area ``desk``); a person may open it when one of their roles is listed for it. A
person holds a main role and, on the ТСД, further ТСД roles (``User.roles``): a picker who
also packs may open both. Supervisors and admins may do every ТСД job (they stand in on
the floor); the desk is theirs alone. Who may manage whom on the staff page is
``warehouse.staff.users.may_manage``.
"""

from __future__ import annotations

from warehouse.models import Someone
from warehouse.models.work import DESK_ROLES, TSD_ROLES

ACCESS: dict[str, tuple[str, ...]] = {
    # the ТСД's home: a menu of the work the person's roles allow (and the badge switch)
    "tsd": (*TSD_ROLES, *DESK_ROLES),
    # picking one order or a batch on a cart, «Нет товара», the picked order's label
    "pick": ("picker", *DESK_ROLES),
    # the pack station: an order found by any scan, verification, packing, its printer
    "pack": ("packer", *DESK_ROLES),
    # a label asked for on the ТСД (the packer's parcel label, the picker's order label):
    # followed until printed and answered («Напечаталась», «Ещё раз»)
    "label": ("picker", "packer", *DESK_ROLES),
    # loading parcels onto a hand-over and finishing the loading
    "load": ("loader", *DESK_ROLES),
    # the goods-in work the warehouse gives its pickers: receiving a delivery and putting
    # it away, moves between bins, counts, returned parcels
    "receive": ("picker", *DESK_ROLES),
    "move": ("picker", *DESK_ROLES),
    "count": ("picker", *DESK_ROLES),
    "return": ("picker", *DESK_ROLES),
    # giving an unknown barcode to a product while receiving (the catalogue's job)
    "bind_barcode": DESK_ROLES,
    # every desk page (the staff page asks ``may_manage`` for each person besides)
    "desk": DESK_ROLES,
    # the desk's settings only an admin changes (the Telegram bot's token and chat)
    "admin": ("admin",),
}

# the ТСД's work pages in the order its home offers them
TSD_WORK = ("pick", "pack", "load", "receive", "move", "count", "return")


def may(user: Someone | None, area: str) -> bool:
    """Whether ``user`` may open ``area``'s pages (an unknown area: nobody may)."""
    return user is not None and not user.roles.isdisjoint(ACCESS.get(area, ()))


def tsd_work(user: Someone) -> list[str]:
    """The ТСД work the person's roles allow, in the home's order."""
    return [area for area in TSD_WORK if may(user, area)]


def areas_of(role: str) -> list[str]:
    """The areas a role opens (the staff page says what a role may do)."""
    return [area for area, roles in ACCESS.items() if role in roles]
