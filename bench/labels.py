"""Label work a pack station waits for: marketplace PDF → ZPL, our layouts, the preview.

    .venv/bin/python bench/labels.py [--rounds 20]

Prints the median and worst time per label for each step, at 203 and 300 dpi. Pure CPU,
in this process: no printer, no network.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from printers import VirtualZebra, delivery, graphics, layouts, preview
from warehouse.labels import print_runs
from warehouse.marketplaces.sandbox import pdf, wb_stickers

POSTING = "87654321-0012-1"
STICKER = wb_stickers.sticker_for(4242)


def steps(dpi: int) -> dict[str, Callable[[], bytes]]:
    ozon_pdf = pdf.text_pdf([["OZON", POSTING, "Москва, ПВЗ 12"]], 75, 120, [POSTING])
    gfa = graphics.pdf_to_zpl(ozon_pdf, dpi=dpi, width_mm=75, height_mm=120)
    wb = wb_stickers.render_zpl(STICKER, "zplv", 58, 40).encode()
    product = layouts.product_label("Футболка чёрная, M", "TSH-BLK-M", "4601234567893", dpi=dpi)
    return {
        "Ozon PDF → ZPL ^GFA (75×120)": lambda: graphics.pdf_to_zpl(
            ozon_pdf, dpi=dpi, width_mm=75, height_mm=120
        ),
        "WB ZPL at this dpi (58×40)": lambda: print_runs.marketplace_zpl(
            wb, dpi=dpi, width_mm=58, height_mm=40
        ),
        "product label layout (58×40)": lambda: layouts.product_label(
            "Футболка чёрная, M", "TSH-BLK-M", "4601234567893", dpi=dpi
        ),
        "preview PNG of the ^GFA label": lambda: preview.render(gfa, dpi=dpi).png,
        "preview PNG of the product label": lambda: preview.render(product, dpi=dpi).png,
    }


def timed(step: Callable[[], bytes], rounds: int) -> tuple[float, float]:
    step()  # warm: imports, font loading
    seconds = []
    for _ in range(rounds):
        begin = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - begin)
    return statistics.median(seconds) * 1000, max(seconds) * 1000


def figures(rounds: int = 20) -> dict[str, float]:
    """``bench/run.py``'s label figures: own layouts per second, WB's ZPL and PDF → ZPL per
    label at 203 and 300 dpi, and labels checked, sent and confirmed per second on the
    virtual Zebra over loopback TCP."""
    found: dict[str, float] = {}
    own, _ = timed(
        lambda: layouts.product_label("Футболка чёрная, M", "TSH-BLK-M", "4601234567893"),
        rounds * 10,
    )
    found["own_per_s"] = round(1000 / own)
    for dpi in (203, 300):
        named = steps(dpi)
        found[f"wb_zpl_ms_{dpi}"] = round(timed(named["WB ZPL at this dpi (58×40)"], rounds)[0], 3)
        found[f"pdf_to_zpl_ms_{dpi}"] = round(
            timed(named["Ozon PDF → ZPL ^GFA (75×120)"], rounds)[0], 1
        )
    found["sent_per_s"] = _sent_per_second(rounds * 5)
    return found


def _sent_per_second(count: int) -> float:
    """Our product label to the virtual Zebra: status, send, confirmation, ``count`` times."""
    zebra = VirtualZebra().start()
    try:
        target = delivery.Target(*zebra.address)
        timeouts = delivery.Timeouts(confirm=5.0, poll=0.01)
        label = layouts.product_label("Футболка чёрная, M", "TSH-BLK-M", "4601234567893")
        begin = time.perf_counter()
        for _ in range(count):
            delivery.deliver(target, label, timeouts)
        return round(count / (time.perf_counter() - begin), 1)
    finally:
        zebra.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    print(f"{'step':<36} {'dpi':>4} {'median ms':>10} {'max ms':>8}")
    for dpi in (203, 300):
        for name, step in steps(dpi).items():
            median, worst = timed(step, rounds)
            print(f"{name:<36} {dpi:>4} {median:>10.1f} {worst:>8.1f}")


if __name__ == "__main__":
    main()
