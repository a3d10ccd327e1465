"""The live shift's charts as geometry for inline SVG (the templates draw it; the CSP allows
no script, and no chart library is needed for a line and some bars).

Coordinates are in the SVG's own units (its viewBox), rounded to a tenth; every drawn
value is also given in words (``data-…`` attributes, titles) so a reader and a test can
check what the picture says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from warehouse.shift.live import Burndown
from warehouse.shipping.handovers import LOCAL

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 610, 14, 206  # the plot area inside the viewBox


@dataclass(frozen=True)
class Tick:
    at: float  # x for the time axis, y for the value axis
    label: str


@dataclass(frozen=True)
class Line:
    name: str  # to_pick or to_pack (its CSS class)
    points: str  # the polyline's "x,y x,y …"
    values: str  # the same in words: "08:00 3;10:00 3;10:00 2;12:00 2"
    last_x: float
    last_y: float
    last: int  # how many are left now


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    cutoffs: list[Tick]  # x and the cabinets' names with the time
    now: Tick


def burndown_chart(day: Burndown) -> LineChart:
    """Orders left to pick and to pack through the day, the cutoffs and «now» upright."""
    series = {"to_pick": day.to_pick, "to_pack": day.to_pack}
    peak = max([value for points in series.values() for _at, value in points] + [1])
    top, step = nice_top(peak)

    def x(moment: datetime) -> float:
        share = (moment - day.start) / (day.end - day.start)
        return round(LEFT + share * (RIGHT - LEFT), 1)

    def y(value: int) -> float:
        return round(BOTTOM - value / top * (BOTTOM - TOP), 1)

    lines = [_line(name, points, x, y) for name, points in series.items()]
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        bottom=BOTTOM,
        lines=lines,
        x_ticks=[Tick(x(hour), f"{hour.astimezone(LOCAL):%H:%M}") for hour in _hours(day)],
        y_ticks=[Tick(y(value), str(value)) for value in range(0, top + 1, step)],
        cutoffs=[Tick(x(moment), label) for label, moment in day.cutoffs],
        now=Tick(x(day.now), f"{day.now.astimezone(LOCAL):%H:%M}"),
    )


def _line(
    name: str,
    points: list[tuple[datetime, int]],
    x: Callable[[datetime], float],
    y: Callable[[int], float],
) -> Line:
    last_at, last = points[-1]
    return Line(
        name=name,
        points=" ".join(f"{x(at)},{y(value)}" for at, value in points),
        values=";".join(f"{at.astimezone(LOCAL):%H:%M} {value}" for at, value in points),
        last_x=x(last_at),
        last_y=y(last),
        last=last,
    )


def nice_top(peak: int) -> tuple[int, int]:
    """The value axis: its top (≥ ``peak``) and a round step giving at most 5 ticks."""
    if peak <= 5:
        return peak, 1
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(n * power for n in (1, 2, 5, 10) if n * power >= raw)
    return math.ceil(peak / step) * step, int(step)


def _hours(day: Burndown) -> list[datetime]:
    """Whole hours on the time axis: every hour, every second one past 12 hours."""
    every = 2 if day.end - day.start > timedelta(hours=12) else 1
    local = day.start.astimezone(LOCAL)
    hour = local.replace(minute=0, second=0, microsecond=0)
    if hour < local:
        hour += timedelta(hours=1)
    found = []
    while hour <= day.end:
        if hour.hour % every == 0:
            found.append(hour)
        hour += timedelta(hours=1)
    return found


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as written beside the bar
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


BAR_ROW, BAR_HEIGHT, LABEL_WIDTH, BARS_WIDTH = 26, 18, 150, 460


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    written: Callable[[float], str] = lambda value: f"{value:g}",
    room: int = 50,
) -> BarChart:
    """Horizontal bars, one per row, the longest the full width; no value: no bar, «—».
    ``written`` writes a value beside its bar, in ``room`` units after the longest."""
    peak = max([abs(value) for _label, value in rows if value] + [0])
    span = BARS_WIDTH - LABEL_WIDTH - room
    bars = [
        Bar(
            label=label,
            value=value,
            text=written(value) if value is not None else "—",
            y=n * BAR_ROW + (BAR_ROW - BAR_HEIGHT) / 2,
            width=round(abs(value or 0) / peak * span, 1) if peak else 0.0,
        )
        for n, (label, value) in enumerate(rows)
    ]
    return BarChart(BARS_WIDTH, max(len(rows), 1) * BAR_ROW, LABEL_WIDTH, BAR_HEIGHT, bars)
