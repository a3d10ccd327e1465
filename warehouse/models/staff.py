"""People beyond their login: further ТСД roles, and what the desk did to a person.

A person has one main role (``User.role``: how they log in); a ТСД person may hold more
ТСД roles (a picker who also packs) as rows of ``user_roles`` — the database keeps them
ТСД roles only (a desk right is never a side role) and each once. What a role may do is
the table in ``warehouse.staff.access``.

``staff_events`` keeps what was done to a person and by whom: created, edited, roles
changed, PIN or password reset, sessions ended, deactivated, activated. The login page
reads the newest one that ended a session to say why the person is logged out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.models.base import Base, one_of, utcnow
from warehouse.models.printing import PrintJob
from warehouse.models.shipping import HandOverEvent
from warehouse.models.work import TSD_ROLES, PickTask, ScanEvent, StockMove, User

# what the desk did to a person; the first four end every open session of theirs
ENDING_EVENTS = ("sessions_ended", "pin_reset", "password_reset", "deactivated")
STAFF_EVENTS = (*ENDING_EVENTS, "created", "edited", "roles_changed", "activated")


class UserRole(Base):
    """A further ТСД role of a person (their main one is ``User.role``)."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(one_of("role", TSD_ROLES), name="tsd_role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class StaffEvent(Base):
    """One thing the desk did to a person, with who did it and when."""

    __tablename__ = "staff_events"
    __table_args__ = (
        CheckConstraint(one_of("kind", STAFF_EVENTS), name="kind"),
        Index("ix_staff_events_user_history", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200), default="", server_default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


# A person's history and day figures read these tables by who and when (warehouse.staff.people):
# without these indexes a busy warehouse's page would read every scan ever made.
Index("ix_scan_events_user_history", ScanEvent.user_id, ScanEvent.created_at)
Index("ix_stock_moves_user_history", StockMove.user_id, StockMove.created_at)
Index("ix_print_jobs_requested_by_history", PrintJob.requested_by_id, PrintJob.created_at)
Index("ix_handover_events_user_history", HandOverEvent.user_id, HandOverEvent.at)
Index("ix_pick_tasks_picker_history", PickTask.picker_id, PickTask.finished_at)
