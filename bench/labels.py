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

from printers import graphics, layouts, preview
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
