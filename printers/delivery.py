"""One label job to one printer, the careful way (see docs: the printer never acknowledges).

1. ask ``~HS`` (``~HQES`` if silent) and the odometer; refuse a printer that is not ready;
2. send the job on a connection of its own;
3. confirm: poll until the printer's buffer is empty and, where the printer has an
   odometer, until it has counted our labels.

Nothing here retries: the caller decides, knowing from the exception whether bytes left.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from printers import cups
from printers.transport import (
    PrinterError,
    PrinterNotReady,
    Probe,
    describe,
    probe,
    send_zpl,
)

logger = logging.getLogger(__name__)

TRANSPORTS = ("tcp", "cups")
_FORMAT_END = re.compile(rb"\^XZ", re.IGNORECASE)
# A printer that did not answer the odometer query is not asked again for this long: each
# unanswered query costs a whole reply timeout, and the buffer still confirms the job.
ODOMETER_RETRY_SECONDS = 3600.0
_no_odometer: dict[tuple[str, int], float] = {}


@dataclass(frozen=True)
class Target:
    """Where a printer is: raw TCP ``host:port``, or a CUPS queue (status still over TCP
    when ``host`` is known)."""

    host: str
    port: int = 9100
    transport: str = "tcp"
    queue: str = ""

    @property
    def name(self) -> str:
        return f"cups:{self.queue}" if self.transport == "cups" else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Timeouts:
    connect: float = 4.0
    reply: float = 3.0
    send: float = 20.0
    confirm: float = 10.0  # how long to watch the printer print after sending
    poll: float = 0.3


@dataclass(frozen=True)
class Delivery:
    """``printed`` (confirmed), ``sent`` (handed over, still in the printer's buffer or no
    way to see), or ``not_confirmed`` (the buffer emptied but the odometer did not move)."""

    outcome: str
    before: Probe | None
    after: Probe | None


def check(target: Target, timeouts: Timeouts, *, odometer: bool = False) -> Probe | None:
    """The printer's status, or None for a CUPS queue without a known address.

    Raises ``PrinterUnreachable`` or ``PrinterNotReady`` (also when a fault is reported).
    """
    if target.transport == "cups":
        cups.check_queue(target.queue)
        if not target.host:
            return None
    found = probe(
        target.host,
        target.port,
        odometer=odometer,
        connect_timeout=timeouts.connect,
        reply_timeout=timeouts.reply,
    )
    if not found.status.ready:
        problems = describe(found.status.problems)
        raise PrinterNotReady(f"printer {target.name} is not ready: {problems}", found.status)
    return found


def deliver(target: Target, data: bytes, timeouts: Timeouts) -> Delivery:
    """Check, send, confirm. Raises the ``PrinterError`` classes of ``printers.transport``."""
    if target.transport not in TRANSPORTS:
        raise ValueError(f"unknown printer transport {target.transport!r}")
    before = check(target, timeouts, odometer=_asks_odometer(target))
    if before is not None and before.odometer is None:
        _no_odometer[(target.host, target.port)] = time.monotonic()
    if target.transport == "cups":
        cups.submit(target.queue, data, timeout=timeouts.send + timeouts.confirm)
    else:
        send_zpl(
            target.host,
            target.port,
            data,
            check_status=False,
            connect_timeout=timeouts.connect,
            reply_timeout=timeouts.reply,
            send_timeout=timeouts.send,
        )
    if before is None:
        return Delivery("sent", None, None)
    return _confirm(target, before, len(_FORMAT_END.findall(data)) or 1, timeouts)


def deliver_document(target: Target, data: bytes, timeouts: Timeouts, *, title: str) -> Delivery:
    """A whole document (PDF) to an office printer's CUPS queue: the queue checked, the
    file given to CUPS as a document (no raw), its job watched until completed. A document
    printer is not a Zebra: no ``~HS`` is asked, so ``sent`` is all that can be known."""
    if target.transport != "cups":
        raise ValueError(f"a document is printed through CUPS, not {target.transport!r}")
    cups.check_queue(target.queue)
    cups.submit_document(target.queue, data, title=title, timeout=timeouts.send + timeouts.confirm)
    return Delivery("sent", None, None)


def _asks_odometer(target: Target) -> bool:
    missed = _no_odometer.get((target.host, target.port))
    return missed is None or time.monotonic() - missed > ODOMETER_RETRY_SECONDS


def _confirm(target: Target, before: Probe, labels: int, timeouts: Timeouts) -> Delivery:
    deadline = time.monotonic() + timeouts.confirm
    after: Probe | None = None
    while True:
        try:
            after = probe(
                target.host,
                target.port,
                odometer=before.odometer is not None,
                connect_timeout=timeouts.connect,
                reply_timeout=timeouts.reply,
            )
        except PrinterError as exc:
            logger.info("printer %s not confirming after send: %s", target.name, exc)
        if after is not None and _done(before, after, labels):
            return Delivery("printed", before, after)
        if time.monotonic() + timeouts.poll > deadline:
            return Delivery(_unconfirmed(after), before, after)
        time.sleep(timeouts.poll)


def _done(before: Probe, after: Probe, labels: int) -> bool:
    drained = after.status.formats_in_buffer == 0 and after.status.labels_remaining == 0
    if before.odometer is None or after.odometer is None:
        return drained
    return drained and after.odometer - before.odometer >= labels


def _unconfirmed(after: Probe | None) -> str:
    if after is None or after.status.formats_in_buffer or after.status.labels_remaining:
        return "sent"  # still at the printer (it may be waiting for paper): it will print
    return "not_confirmed"
