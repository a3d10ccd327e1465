"""CUPS queues, checked by us: a Zebra's raw queue through the ``zebra`` package, and an
office printer's queue given whole documents (PDF) with ``lp``.

``zebra`` 0.2.1 runs ``lpr -P<queue> -oraw`` and ignores its exit code; it also encodes
``str`` as cp437. So: we pass bytes (UTF-8 ZPL with ``^CI28`` stays intact), confirm with
``lpstat`` that the queue exists, is enabled and accepts jobs before, and that a new job
appeared and completed after. A document goes with ``lp -d <queue>`` and no ``-o raw``:
CUPS reads its type and its own filters make of it what the printer speaks. The CUPS
server is the usual one (``CUPS_SERVER`` or ``client.conf``).
"""

from __future__ import annotations

import logging
import re
import subprocess
import time

from zebra import Zebra

from printers.transport import PrinterNotReady, PrinterSendFailed, PrinterUnreachable

logger = logging.getLogger(__name__)

LPSTAT_TIMEOUT = 5.0
POLL = 0.2
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


class QueueRefuses(PrinterUnreachable):
    """The CUPS server answers but the queue is not there or takes no jobs."""


class QueueStopped(PrinterNotReady):
    """The CUPS queue is there but stopped (disabled): nothing prints until it is started."""


def check_queue(queue: str) -> None:
    """Raise unless ``queue`` exists, is enabled and accepts jobs (nothing is sent)."""
    _valid(queue)
    printer = _lpstat("-p", queue)
    if printer.returncode != 0:
        said = _first_line(printer) or "not found"
        scheduler = _lpstat("-r")
        if "is running" not in scheduler.stdout or "not running" in scheduler.stdout:
            raise PrinterUnreachable(f"CUPS queue {queue}: the CUPS server does not answer")
        raise QueueRefuses(f"CUPS queue {queue}: {said}")
    if " disabled" in printer.stdout:
        raise QueueStopped(f"CUPS queue {queue} is stopped: {_first_line(printer)}")
    accepting = _lpstat("-a", queue)
    if accepting.returncode != 0 or "not accepting" in accepting.stdout:
        raise QueueRefuses(f"CUPS queue {queue} does not accept jobs")


def submit(queue: str, data: bytes, *, timeout: float) -> int:
    """Queue ``data`` raw and wait until CUPS has completed the job; returns its id.

    No new job after ``lpr``: nothing was queued (``PrinterUnreachable``). A job that does
    not complete in time is cancelled, but may have reached the printer
    (``PrinterSendFailed``).
    """
    if not data:
        raise ValueError("nothing to send")
    _valid(queue)
    before = _jobs(queue, "all")
    try:
        Zebra(queue).output(data)
    except OSError as exc:  # lpr missing
        raise PrinterUnreachable(f"cannot run lpr for CUPS queue {queue}: {exc}") from exc
    return _completed(queue, before, len(data), timeout, "label")


def submit_document(queue: str, data: bytes, *, title: str, timeout: float) -> int:
    """Queue a whole document (a PDF) for CUPS to print as such, not raw; wait until CUPS
    has completed the job; returns its id. Raises like ``submit``."""
    if not data:
        raise ValueError("nothing to send")
    _valid(queue)
    before = _jobs(queue, "all")
    command = ["lp", "-d", queue, "-t", title[:100] or "document", "-"]
    try:
        given = subprocess.run(command, input=data, capture_output=True, timeout=LPSTAT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrinterUnreachable(f"cannot run lp for CUPS queue {queue}: {exc}") from exc
    if given.returncode != 0:
        said = given.stderr.decode("utf-8", "replace").strip() or f"exit {given.returncode}"
        raise PrinterUnreachable(f"CUPS queue {queue} did not take the document: {said}")
    return _completed(queue, before, len(data), timeout, "document")


def _completed(queue: str, before: set[int], size: int, timeout: float, what: str) -> int:
    """The job that appeared since ``before``, once CUPS has completed it."""
    new = _jobs(queue, "all") - before
    if not new:
        raise PrinterUnreachable(f"CUPS queue {queue} did not take the job (lpr failed)")
    job = max(new)
    logger.info("CUPS job %s-%s queued, %d bytes", queue, job, size)
    deadline = time.monotonic() + timeout
    while job not in _jobs(queue, "completed"):
        if time.monotonic() > deadline:
            subprocess.run(["cancel", f"{queue}-{job}"], capture_output=True, check=False)
            raise PrinterSendFailed(
                f"CUPS job {queue}-{job} did not complete within {timeout:g} s and was "
                f"cancelled; the {what} may have printed, check before resending"
            )
        time.sleep(POLL)
    return job


def _jobs(queue: str, which: str) -> set[int]:
    result = _lpstat("-W", which, "-o", queue)
    pattern = re.compile(rf"^{re.escape(queue)}-(\d+)\s", re.MULTILINE)
    return {int(number) for number in pattern.findall(result.stdout)}


def _lpstat(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["lpstat", *args],
            capture_output=True,
            text=True,
            timeout=LPSTAT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrinterUnreachable(f"CUPS does not answer (lpstat {' '.join(args)}): {exc}") from exc


def _valid(queue: str) -> None:
    if not _QUEUE_NAME.fullmatch(queue):
        raise ValueError(f"bad CUPS queue name {queue!r}")


def _first_line(result: subprocess.CompletedProcess[str]) -> str:
    text = (result.stderr or result.stdout).strip()
    return text.splitlines()[0] if text else ""
