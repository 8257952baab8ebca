"""The geometry of the indicator charts, drawn as SVG by the templates.

Every coordinate leaves here as a string with a decimal point (`_n`): a float given to a template
would be localised to «12,5», which is no SVG length. Text shown to the reader (values, axis
labels) is formatted here too, in the reader's language (the decimal comma in Norwegian).

The charts carry no number the tables beside them do not: a hidden figure gets no bar, no
whisker and no point, only its label («under 5», «prikket»)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .selectors import Figure

BAR_WIDTH = 340  # the coordinate width: about a phone's, so its text stays readable there
BAR_ROW = 40  # one municipality: its name on one line, its bar below
BAR_TOP = 26  # room for the community line's label
BAR_AXIS = 26  # room for the axis labels at the bottom
LINE_WIDTH = 340
LINE_HEIGHT = 210
LINE_LEFT = 46
LINE_RIGHT = 14
LINE_TOP = 14
LINE_BOTTOM = 30
SPARK_WIDTH = 120
SPARK_HEIGHT = 32


def _n(value: float) -> str:
    """A coordinate for an SVG attribute: at most one decimal, always a point."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def number(value: float | None, decimals: int = 1) -> str:
    """A value as the reader reads it: «12,3» in Norwegian, «–» when there is none."""
    if value is None:
        return "–"
    return number_format(round(value, decimals), decimals)


# Every value is shown with one decimal, in the charts, the tables and the files alike.
DECIMALS = 1


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value`: a round end for an axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def ticks(top: float) -> list[float]:
    """Round steps from 0 to `top` (a `nice_ceiling`): five of them, or four for a 2 × 10ⁿ."""
    leading = top / 10 ** math.floor(math.log10(top))
    count = 4 if math.isclose(leading, 2) else 5
    step = top / count
    return [step * i for i in range(count + 1)]


def tick_label(value: float, top: float) -> str:
    step = ticks(top)[1]
    return number(value, 0 if step >= 1 and float(step).is_integer() else 1)


# --- Bars by municipality and region --------------------------------------------------------------


@dataclass
class BarRow:
    figure: Figure
    y: str
    label_y: str
    bar_y: str
    whisker_y: str
    whisker_top: str
    whisker_bottom: str
    width: str = "0"
    low: str = "0"
    high: str = "0"
    has_bar: bool = False
    has_whisker: bool = False
    is_region: bool = False
    css: str = "hf-ind-bar"
    text: str = ""  # the value (and interval) beside the name
    title: str = ""


@dataclass
class BarChart:
    rows: list[BarRow]
    width: int
    height: int
    community_x: str | None
    community_label: str
    community_anchor: str  # the label's text-anchor: it stays inside the picture
    grid_top: str
    axis_y: str
    axis_label_y: str
    ticks: list[dict[str, str]] = field(default_factory=list)
    plot_width: int = BAR_WIDTH


def bar_chart(rows: Sequence[Figure], community: Figure, unit: str) -> BarChart:
    """Horizontal bars: regions in bold with their municipalities below them, each bar with its
    95 % interval as a whisker, and the community value as a dashed line across."""
    shown = [f for f in [*rows, community] if f.is_shown]
    values = [v for f in shown for v in (f.value, f.high) if v is not None]
    decimals = DECIMALS
    top = nice_ceiling(max(values, default=0) * 1.02)
    plot = BAR_WIDTH - 4
    scale = plot / top
    bars: list[BarRow] = []
    for index, figure in enumerate(rows):
        y = BAR_TOP + index * BAR_ROW
        row = BarRow(
            figure=figure,
            y=_n(y),
            label_y=_n(y + 14),
            bar_y=_n(y + 19),
            whisker_y=_n(y + 26),
            whisker_top=_n(y + 21),
            whisker_bottom=_n(y + 31),
            is_region=figure.area.kind != "municipality",
        )
        row.text = figure.short_text(decimals)
        row.title = f"{figure.area.name}: {figure.long_text(decimals, unit)}"
        if figure.is_shown and figure.value is not None:
            row.has_bar = True
            row.width = _n(max(figure.value * scale, 1))
            if figure.low is not None and figure.high is not None:
                row.has_whisker = True
                row.low, row.high = _n(figure.low * scale), _n(min(figure.high * scale, plot))
        if row.is_region:
            row.css = "hf-ind-bar hf-ind-bar--region"
        elif figure.comparison:
            row.css = f"hf-ind-bar hf-ind-bar--{figure.comparison}"
        bars.append(row)
    height = BAR_TOP + BAR_ROW * len(rows) + BAR_AXIS
    community_x, anchor = None, "start"
    if community.is_shown and community.value is not None:
        x = community.value * scale
        community_x = _n(x)
        anchor = "end" if x > plot / 2 else "start"
    axis = height - BAR_AXIS + 4
    return BarChart(
        rows=bars,
        width=BAR_WIDTH,
        height=height,
        community_x=community_x,
        community_label=_("Fellesskapet: %(value)s") % {"value": community.short_text(decimals)},
        community_anchor=anchor,
        grid_top=_n(BAR_TOP - 6),
        axis_y=_n(axis),
        axis_label_y=_n(axis + 15),
        ticks=[{"x": _n(t * scale), "label": tick_label(t, top)} for t in ticks(top)],
        plot_width=plot,
    )


# --- The trend over periods -----------------------------------------------------------------------


@dataclass
class LinePoint:
    x: str
    y: str
    low: str | None
    high: str | None
    title: str


@dataclass
class LineSeries:
    name: str
    css: str
    points: list[LinePoint]
    paths: list[str]  # one polyline per unbroken run of shown values


@dataclass
class LineChart:
    width: int
    height: int
    series: list[LineSeries]
    x_labels: list[dict[str, str]]
    y_ticks: list[dict[str, str]]
    plot_left: int = LINE_LEFT
    plot_right: int = LINE_WIDTH - LINE_RIGHT
    plot_top: int = LINE_TOP
    plot_bottom: int = LINE_HEIGHT - LINE_BOTTOM
    x_label_y: int = LINE_HEIGHT - 10
    y_label_x: int = LINE_LEFT - 6


def line_chart(
    periods: Sequence[str], series: Sequence[tuple[str, str, Sequence[Figure]]], unit: str
) -> LineChart:
    """One line per (name, css class, figures by period), with the 95 % interval of every point
    as a vertical whisker. A hidden figure breaks its line."""
    shown = [f for _name, _css, figures in series for f in figures if f.is_shown]
    values = [v for f in shown for v in (f.value, f.high) if v is not None]
    decimals = DECIMALS
    top = nice_ceiling(max(values, default=0) * 1.02)
    left, right = LINE_LEFT, LINE_WIDTH - LINE_RIGHT
    bottom = LINE_HEIGHT - LINE_BOTTOM
    span = bottom - LINE_TOP
    slots = max(len(periods) - 1, 1)

    def x_of(i: int) -> float:
        return left + (right - left) * (i / slots if len(periods) > 1 else 0.5)

    def y_of(v: float) -> float:
        return bottom - span * min(v, top) / top

    drawn = []
    for name, css, figures in series:
        points: list[LinePoint] = []
        runs: list[list[str]] = [[]]
        for i, figure in enumerate(figures):
            if not (figure.is_shown and figure.value is not None):
                runs.append([])
                continue
            x, y = x_of(i), y_of(figure.value)
            has_interval = figure.low is not None and figure.high is not None
            points.append(
                LinePoint(
                    x=_n(x),
                    y=_n(y),
                    low=_n(y_of(figure.low)) if has_interval and figure.low is not None else None,
                    high=_n(y_of(figure.high))
                    if has_interval and figure.high is not None
                    else None,
                    title=f"{name}, {figure.period}: {figure.long_text(decimals, unit)}",
                )
            )
            runs[-1].append(f"{_n(x)},{_n(y)}")
        drawn.append(LineSeries(name, css, points, [" ".join(r) for r in runs if len(r) > 1]))
    # Room for about four labels; counted from the last period, which always has one.
    every = max(1, math.ceil(len(periods) / 4))
    return LineChart(
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        series=drawn,
        x_labels=[
            {
                "x": _n(x_of(i)),
                "label": period,
                # The last label ends at its point, so it stays inside the picture.
                "anchor": "end" if i == len(periods) - 1 and len(periods) > 1 else "middle",
            }
            for i, period in enumerate(periods)
            if (len(periods) - 1 - i) % every == 0
        ],
        y_ticks=[
            {
                "y": _n(y_of(t)),
                "label_y": _n(y_of(t) + 4),
                "label": tick_label(t, top),
            }
            for t in ticks(top)
        ],
    )


# --- The small trend on the dashboard -------------------------------------------------------------


@dataclass
class Sparkline:
    width: int
    height: int
    path: str
    last_x: str | None
    last_y: str | None
    description: str


def sparkline(figures: Sequence[Figure]) -> Sparkline | None:
    """A small line of the shown values, scaled to their own range; None with fewer than two."""
    shown = [(i, f.value) for i, f in enumerate(figures) if f.is_shown and f.value is not None]
    if len(shown) < 2:
        return None
    values = [v for _i, v in shown]
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    slots = max(len(figures) - 1, 1)
    decimals = DECIMALS

    def point(i: int, v: float) -> tuple[str, str]:
        x = 2 + (SPARK_WIDTH - 4) * i / slots
        y = SPARK_HEIGHT - 3 - (SPARK_HEIGHT - 6) * (v - low) / spread
        return _n(x), _n(y)

    coords = [point(i, v) for i, v in shown]
    return Sparkline(
        width=SPARK_WIDTH,
        height=SPARK_HEIGHT,
        path=" ".join(f"{x},{y}" for x, y in coords),
        last_x=coords[-1][0],
        last_y=coords[-1][1],
        description=", ".join(f"{f.period}: {f.short_text(decimals)}" for f in figures),
    )
