"""``python -m printers.preview LABEL.zpl [--dpi 300] [--out DIR]``: one PNG per format.

Handy on the virtual Zebra's spool (``instance/printed/*.zpl``). Warnings go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from printers.preview import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printers.preview", description=__doc__)
    parser.add_argument("zpl", type=Path, help="a file of ZPL (one or more ^XA…^XZ formats)")
    parser.add_argument("--dpi", type=int, default=203, choices=(152, 203, 300, 600))
    parser.add_argument("--width-mm", type=float, help="label width if ^PW is not given")
    parser.add_argument("--height-mm", type=float, help="label length if ^LL is not given")
    parser.add_argument("--out", type=Path, help="folder for the PNGs (default: beside the file)")
    args = parser.parse_args(argv)
    try:
        preview = render(
            args.zpl.read_bytes(), dpi=args.dpi, width_mm=args.width_mm, height_mm=args.height_mm
        )
    except (OSError, ValueError) as error:
        print(f"{args.zpl}: {error}", file=sys.stderr)
        return 1
    out = args.out or args.zpl.parent
    out.mkdir(parents=True, exist_ok=True)
    for number, label in enumerate(preview.labels, start=1):
        path = out / f"{args.zpl.stem}-{number}.png"
        path.write_bytes(label.png)
        print(path)
    for warning in preview.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
