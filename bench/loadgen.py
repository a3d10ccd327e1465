"""The load generator of ``bench/run.py``, in its own process: pickers scanning over HTTP.

Reads one JSON job on stdin, prints one JSON result on stdout:

- ``{"base", "pickers": [{"badge", "first", "codes": [[barcode, weight], ...]}], ...}``:
  each picker logs in on the ТСД (CSRF token, badge), takes its task, scans its bin
  (``first``, not measured), then its codes, chosen by weight (right and wrong scans
  mixed), a unique scan id per scan;
- or ``{"base", "path"}``: plain POSTs to one path (the reference endpoints);
- ``"rate"``: open loop — requests are sent on a fixed schedule whatever the answers
  (``rate`` per second for ``seconds``), and a latency is counted from the moment the
  request was due, so a slow server is not hidden by a polite client; without it,
  closed loop — ``concurrency`` clients send the next request when the answer comes,
  for ``seconds`` or ``requests``;
- ``"cpu_of"``: process ids (the server's workers) whose CPU (``/proc``) is read just
  before the first measured request and just after the last (``cpu_s``): the log-ins
  and bin scans before them are not a scan's cost.

Nothing here reads the server's state: the answers' codes and sizes (and, asked, the
workers' CPU from the kernel) are all it knows.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

TICKS = os.sysconf("SC_CLK_TCK")
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
FEEDBACK = re.compile(r'role="alert">([^<]*)<')


@dataclass
class Picker:
    client: httpx.AsyncClient
    url: str  # where its scans go
    headers: dict[str, str]
    codes: list[str] = field(default_factory=lambda: ["4601234567008"])
    weights: list[float] = field(default_factory=lambda: [1.0])

    def code(self, rng: random.Random) -> str:
        return rng.choices(self.codes, self.weights)[0]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    refusals: dict[str, int] = field(default_factory=dict)  # the answer's first words

    def add(self, began: float, answer: httpx.Response | None) -> None:
        self.latencies.append(time.perf_counter() - began)
        if answer is None:
            self.errors += 1
            return
        self.sizes.append(len(answer.content))
        key = str(answer.status_code)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if answer.status_code != 200:
            said = FEEDBACK.search(answer.text)
            words = said.group(1).strip()[:60] if said else answer.text[:60]
            self.refusals[words] = self.refusals.get(words, 0) + 1


async def log_in(base: str, who: dict[str, Any], limits: httpx.Limits) -> Picker:
    """The picker logs in by badge, takes its task and scans its bin (not measured)."""
    badge = who["badge"]
    client = httpx.AsyncClient(base_url=base, timeout=60, limits=limits)
    page = (await client.get("/tsd/login")).text
    headers = {"X-CSRFToken": _token(page), "HX-Request": "true"}
    answer = await client.post("/tsd/login", data={"badge": badge}, headers=headers)
    if answer.status_code not in (200, 302, 303):
        raise SystemExit(f"login of {badge} refused: {answer.status_code}")
    headers["X-CSRFToken"] = _token((await client.get("/tsd/")).text)  # a new session
    started = await client.post("/tsd/next", headers=headers)
    location = started.headers.get("location", "")
    if "/tsd/tasks/" not in location:
        raise SystemExit(f"no task for {badge}: {started.status_code} {location!r}")
    picker = Picker(client, location.rstrip("/") + "/scan", headers)
    picker.codes = [code for code, _weight in who["codes"]]
    picker.weights = [float(weight) for _code, weight in who["codes"]]
    if who.get("first"):
        await send(picker, who["first"], Tally(), time.perf_counter())
    return picker


def _token(page: str) -> str:
    found = TOKEN.search(page)
    if found is None:
        raise SystemExit("no CSRF token on the page")
    return found.group(1)


async def send(picker: Picker, code: str, tally: Tally, began: float) -> None:
    data = {"barcode": code, "scan_id": uuid.uuid4().hex}
    try:
        answer = await picker.client.post(picker.url, data=data, headers=picker.headers)
    except httpx.HTTPError:
        answer = None
    tally.add(began, answer)


async def run(job: dict[str, Any]) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    if "path" in job:
        plain = httpx.AsyncClient(base_url=job["base"], timeout=60, limits=limits)
        pickers = [Picker(plain, job["path"], {})]
    else:
        pickers = list(
            await asyncio.gather(*(log_in(job["base"], who, limits) for who in job["pickers"]))
        )
    rng = random.Random(job.get("seed", 1))
    tally = Tally()
    watched = job.get("cpu_of", [])
    cpu_before = cpu_seconds(watched)
    begin = time.perf_counter()
    if job.get("rate"):
        await _open_loop(job, pickers, rng, tally)
    else:
        await _closed_loop(job, pickers, rng, tally)
    elapsed = time.perf_counter() - begin
    cpu_s = cpu_seconds(watched) - cpu_before
    for client in {id(p.client): p.client for p in pickers}.values():
        await client.aclose()
    return {**_result(tally, elapsed), "cpu_s": round(cpu_s, 3)}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


async def _open_loop(
    job: dict[str, Any], pickers: list[Picker], rng: random.Random, tally: Tally
) -> None:
    rate, seconds = float(job["rate"]), float(job["seconds"])
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    pending = []
    for n in range(total):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        picker = pickers[n % len(pickers)]
        pending.append(asyncio.create_task(send(picker, picker.code(rng), tally, due)))
    await asyncio.gather(*pending)


async def _closed_loop(
    job: dict[str, Any], pickers: list[Picker], rng: random.Random, tally: Tally
) -> None:
    requests = job.get("requests")
    until = time.perf_counter() + float(job.get("seconds", 3600))
    sent = [0]

    async def one_client(picker: Picker) -> None:
        while time.perf_counter() < until and (requests is None or sent[0] < requests):
            sent[0] += 1
            await send(picker, picker.code(rng), tally, time.perf_counter())

    concurrency = int(job.get("concurrency", len(pickers)))
    await asyncio.gather(*(one_client(pickers[n % len(pickers)]) for n in range(concurrency)))


def _result(tally: Tally, elapsed: float) -> dict[str, Any]:
    ordered = sorted(tally.latencies)

    def pct(p: float) -> float:
        if not ordered:
            return 0.0
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {
        "requests": len(ordered),
        "seconds": round(elapsed, 2),
        "rps": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
        "mean_bytes": round(sum(tally.sizes) / len(tally.sizes)) if tally.sizes else 0,
        "statuses": tally.statuses,
        "errors": tally.errors,
        "refusals": dict(sorted(tally.refusals.items(), key=lambda kv: -kv[1])[:5]),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.loads(sys.stdin.read())))))
