"""``make bench``: every hot path beside its reference, in one run, on loopback only.

    .venv/bin/python bench/run.py [--quick]

Writes ``bench/results/latest.json`` and prints a table: each figure, its target (issue
#15, 2 cores, SQLite) and whether it is met. Sections: ``scan`` (bench/scan.py: CPU per
scan beside a bare Flask endpoint and a raw-sqlite3 floor on the same gunicorn settings,
open-loop latency at 100 and 300 scans/s, saturation, SQL per scan), ``import``
(bench/imports.py), ``labels`` (bench/labels.py), ``orders_page`` (bench/orders_page.py at
50,000 orders), ``prices`` (bench/prices.py: 10,000 products priced and pushed to each
marketplace's sandbox), ``reports`` (bench/reports.py: each report built and written to
XLSX on a large seller's year), ``memory`` (a web worker's and the RQ worker's peak RSS) and
``meta``.

With ``WAREHOUSE_DATABASE_URL`` / ``WAREHOUSE_REDIS_URL`` set, the same run measures
PostgreSQL (that database is emptied) and the Redis server. ``--quick``: fewer orders on
the orders page (5,000), for trying the bench itself; its figures are not the targets'.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common, imports, labels, orders_page, prices, reports, scan

RESULTS = common.ROOT / "bench" / "results"
# (section, figure, target, "<=" or ">="): issue #15's targets
TARGETS = (
    ("scan", "cpu_ratio_to_floor", 2.5, "<="),
    ("scan", "sql_per_scan", 6, "<="),
    ("scan", "p99_ms", 25, "<="),
    ("scan", "p99_ms_300", 60, "<="),
    ("scan", "response_bytes", 1024, "<="),
    ("import", "orders_per_s", 500, ">="),
    ("import", "growth", 1.2, "<="),
    ("labels", "own_per_s", 1000, ">="),
    ("labels", "pdf_to_zpl_ms_203", 50, "<="),
    ("labels", "pdf_to_zpl_ms_300", 50, "<="),
    ("orders_page", "p50_ms", 100, "<="),
    ("memory", "web_worker_peak_rss_mb", 150, "<="),
)
# the orders window's views issue #15 names: the first page, a filter, a search
ORDER_VIEWS = ("first page (list fragment)", "filter: late", "search: an order number")


def rq_worker_peak_rss(env: dict[str, str], seconds: float = 8.0) -> float:
    """The RQ worker (``python -m warehouse.worker``, its work horses too) running the
    cron's rounds on the scan bench's database: the highest resident memory seen."""
    process = subprocess.Popen(
        [sys.executable, "-m", "warehouse.worker"],
        cwd=common.ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = [0.0]

    def watch() -> None:
        while process.poll() is None:
            for pid in [process.pid, *common.children(process.pid)]:
                try:
                    peak[0] = max(peak[0], common.peak_rss_mb(pid))
                except OSError:
                    continue
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        enqueue = (
            "from warehouse import create_app, jobs; from warehouse.infra import queue\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    for job in (jobs.sweep_outbox, jobs.check_alerts, jobs.import_all_orders,"
            " jobs.sweep_print_jobs, jobs.import_all_cards) * 3:\n"
            "        queue.queue('default').enqueue(job)\n"
        )
        subprocess.run(
            [sys.executable, "-c", enqueue],
            cwd=common.ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        time.sleep(seconds)
    finally:
        common.stop(process)
        watcher.join(2)
    return peak[0]


def orders_figures(count: int) -> dict[str, Any]:
    measured = orders_page.run(count, samples=50)
    views = [f for f in measured["figures"] if f["view"] in ORDER_VIEWS]
    return {
        "orders": count,
        "p50_ms": max(f["p50_ms"] for f in views),
        "p95_ms": max(f["p95_ms"] for f in views),
        "views": {f["view"]: {"p50_ms": f["p50_ms"], "p95_ms": f["p95_ms"]} for f in views},
    }


def meta() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=common.ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "commit": commit,
        "database": common.database_kind(),
        "redis": "server" if os.environ.get("WAREHOUSE_REDIS_URL") else "embedded",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def table(result: dict[str, Any]) -> str:
    lines = [f"{'figure':<34} {'value':>10} {'target':>10}  ok"]
    for section, name, target, how in TARGETS:
        value = result.get(section, {}).get(name)
        if value is None:
            continue
        met = value <= target if how == "<=" else value >= target
        figure = f"{section}.{name}"
        lines.append(f"{figure:<34} {value:>10} {how + str(target):>10}  {'✓' if met else '✗'}")
    shown = {(section, name) for section, name, *_ in TARGETS}
    for section in ("scan", "import", "labels", "orders_page", "prices", "reports", "memory"):
        for name, value in result.get(section, {}).items():
            if (section, name) not in shown and isinstance(value, int | float):
                lines.append(f"{section + '.' + name:<34} {value:>10}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {"meta": meta()}
    workdir = Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    try:
        print("scan …", flush=True)
        figures = scan.measure(workdir)
        env = figures.pop("env")
        result["memory"] = {"web_worker_peak_rss_mb": figures.pop("web_worker_peak_rss_mb")}
        result["scan"] = figures
        result["memory"]["rq_worker_peak_rss_mb"] = rq_worker_peak_rss(env)
        print("import …", flush=True)
        result["import"] = imports.measure()
        print("labels …", flush=True)
        result["labels"] = labels.figures()
        print("orders page …", flush=True)
        result["orders_page"] = orders_figures(5_000 if args.quick else 50_000)
        print("prices …", flush=True)
        result["prices"] = prices.measure(1_000 if args.quick else 10_000)
        print("reports …", flush=True)
        result["reports"] = reports.measure(0.1 if args.quick else 1.0)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(result))
    print(f"\nwritten to {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
