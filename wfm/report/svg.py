"""Small inline-SVG charts: line/step charts and bar charts with labelled axes.

The report must open offline in any browser without plotting libraries, so charts are plain SVG
text. Coordinates are computed here; nothing is scripted. Every chart has a title, axis labels,
tick labels and a legend, and each bar or band carries a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH = 960
HEIGHT = 280
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 34, 56
TICK_FONT_PX = 11  # the report's CSS: .tick{font-size:11px}
LABEL_GAP_PX = 6  # least free space between two neighbouring x labels
LABEL_OFFSET_PX = 3  # an x label starts this far right of its tick
DAY_LABEL_STEPS = (1, 2, 7, 14, 28)  # every day, every other day, weekly, ...


@dataclass(frozen=True)
class Line:
    """One plotted series: y values at positions 0..n-1 (None or NaN leaves a gap)."""

    label: str
    values: Sequence[float | None]
    color: str
    dashed: bool = False
    step: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded range between ``low`` and ``high`` at each position (e.g. p10-p90)."""

    label: str
    low: Sequence[float | None]
    high: Sequence[float | None]
    color: str
    opacity: float = 0.25


@dataclass(frozen=True)
class Axes:
    """Axis labels and ticks; ``x_ticks`` are (position, label) pairs."""

    x_label: str
    y_label: str
    x_ticks: Sequence[tuple[float, str]] = field(default_factory=tuple)
    markers: Sequence[tuple[float, str]] = field(default_factory=tuple)  # vertical lines


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 x 10^k)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10 ** exponent
        if top >= value:
            return float(top)
    return float(10 ** (exponent + 1))


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(float(value))


def text_width(text: str, font_px: float = TICK_FONT_PX) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font, in pixels.

    Per-character widths (in em) are at or above those of DejaVu Sans, Liberation Sans and
    Noto Sans, the fonts a browser picks for ``system-ui``/``sans-serif``, so labels spaced by
    this estimate do not touch when rendered.
    """
    em = 0.0
    for char in text:
        if char in " .,:;'|!":
            em += 0.35
        elif char in "-()[]/":
            em += 0.42
        elif char in "MWmw%@" or not char.isascii():
            em += 1.0
        elif char.isupper():
            em += 0.8
        else:  # digits, lower-case letters, other punctuation
            em += 0.65
    return em * font_px


def label_step(edges: Sequence[tuple[float, float]],
               steps: Sequence[int] = DAY_LABEL_STEPS) -> int:
    """The smallest step such that labels 0, step, 2·step, ... do not overlap.

    ``edges`` are the (left, right) pixel extents of the labels in order. Steps after the
    last of ``steps`` keep doubling, so some step always works (one label at worst).
    """
    if len(edges) <= 1:
        return 1
    candidates = list(steps)
    while candidates[-1] < len(edges):
        candidates.append(candidates[-1] * 2)
    for step in candidates:
        kept = edges[::step]
        if all(right + LABEL_GAP_PX <= left
               for (_, right), (left, _) in zip(kept, kept[1:], strict=False)):
            return step
    return max(len(edges), 1)


def visible_labels(xs: Sequence[float], labels: Sequence[str], *, anchor: str, width: float,
                   steps: Sequence[int] = DAY_LABEL_STEPS) -> list[bool]:
    """Which of the labels at pixel positions ``xs`` to draw so that none overlap.

    ``anchor`` is ``"start"`` (text begins ``LABEL_OFFSET_PX`` right of x) or ``"middle"``.
    Every ``label_step``-th label is kept; a kept label that would run past either edge of a
    chart ``width`` pixels wide is dropped too.
    """
    widths = [text_width(label) for label in labels]
    if anchor == "start":
        edges = [(x + LABEL_OFFSET_PX, x + LABEL_OFFSET_PX + w) for x, w in zip(xs, widths,
                                                                                   strict=True)]
    else:
        edges = [(x - w / 2, x + w / 2) for x, w in zip(xs, widths, strict=True)]
    step = label_step(edges, steps)
    return [i % step == 0 and left >= 0 and right <= width
            for i, (left, right) in enumerate(edges)]


class _Frame:
    """Maps data coordinates (position, value) to pixels inside the plot area."""

    def __init__(self, n: int, y_max: float, width: int, height: int) -> None:
        self.n = max(n, 1)
        self.y_max = y_max
        self.left, self.right = MARGIN_LEFT, width - MARGIN_RIGHT
        self.top, self.bottom = MARGIN_TOP, height - MARGIN_BOTTOM

    def x(self, position: float) -> float:
        return self.left + (self.right - self.left) * position / self.n

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * min(value, self.y_max) / self.y_max


def _axes(frame: _Frame, axes: Axes, title: str, width: int, height: int) -> list[str]:
    parts = [f'<text x="{width / 2:.0f}" y="18" class="chart-title" text-anchor="middle">'
             f'{escape(title)}</text>']
    for k in range(6):
        value = frame.y_max * k / 5
        y = frame.y(value)
        parts.append(f'<line x1="{frame.left}" x2="{frame.right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'class="grid"/>')
        parts.append(f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'class="tick">{_fmt(value)}</text>')
    xs = [frame.x(position) for position, _ in axes.x_ticks]
    shown = visible_labels(xs, [label for _, label in axes.x_ticks], anchor="start",
                           width=width)
    for x, (_, label), show in zip(xs, axes.x_ticks, shown, strict=True):
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.bottom}" '
                     f'y2="{frame.bottom + 4}" class="axis"/>')
        if show:
            parts.append(f'<text x="{x + LABEL_OFFSET_PX:.1f}" y="{frame.bottom + 16}" '
                         f'class="tick x-tick">{escape(label)}</text>')
    for position, label in axes.markers:
        x = frame.x(position)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.top}" y2="{frame.bottom}" '
                     'class="marker"/>')
        parts.append(f'<text x="{x + 4:.1f}" y="{frame.top + 12}" class="tick">'
                     f'{escape(label)}</text>')
    parts.append(f'<line x1="{frame.left}" x2="{frame.right}" y1="{frame.bottom}" '
                 f'y2="{frame.bottom}" class="axis"/>')
    parts.append(f'<line x1="{frame.left}" x2="{frame.left}" y1="{frame.top}" '
                 f'y2="{frame.bottom}" class="axis"/>')
    parts.append(f'<text x="{(frame.left + frame.right) / 2:.0f}" y="{height - 8}" '
                 f'text-anchor="middle" class="axis-label">{escape(axes.x_label)}</text>')
    middle = (frame.top + frame.bottom) / 2
    parts.append(f'<text x="14" y="{middle:.0f}" text-anchor="middle" class="axis-label" '
                 f'transform="rotate(-90 14 {middle:.0f})">{escape(axes.y_label)}</text>')
    return parts


def _legend(items: Sequence[tuple[str, str, bool | float]], width: int) -> list[str]:
    """Legend entries right-aligned above the plot: (label, colour, dashed or band opacity).

    A line is drawn as a short stroke, a band (opacity given as a float) as a shaded box.
    """
    parts = []
    x = width - MARGIN_RIGHT
    for label, color, style in reversed(items):
        x -= 14 + 7 * len(label) + 18
        if isinstance(style, float):
            parts.append(f'<rect x="{x}" y="22" width="14" height="10" fill="{color}" '
                         f'fill-opacity="{style}"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if style else ""
            parts.append(f'<line x1="{x}" x2="{x + 14}" y1="27" y2="27" stroke="{color}" '
                         f'stroke-width="3"{dash}/>')
        parts.append(f'<text x="{x + 18}" y="31" class="tick">{escape(label)}</text>')
    return parts


def _path(frame: _Frame, values: Sequence[float | None], step: bool) -> str:
    commands: list[str] = []
    pen_down = False
    for i, value in enumerate(values):
        if not _finite(value):
            pen_down = False
            continue
        y = frame.y(float(value))  # type: ignore[arg-type]
        if step:
            x0, x1 = frame.x(i), frame.x(i + 1)
            commands.append(f"{'L' if pen_down else 'M'}{x0:.1f},{y:.1f} L{x1:.1f},{y:.1f}")
        else:
            x = frame.x(i + 0.5)
            commands.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return " ".join(commands)


def line_chart(title: str, lines: Sequence[Line], axes: Axes, *,
               bands: Sequence[Band] = (), highlights: Sequence[tuple[int, float, float, str]] = (),
               width: int = WIDTH, height: int = HEIGHT) -> str:
    """An SVG line (or step) chart.

    ``highlights`` are (position, low, high, tooltip) red boxes, e.g. shortfall between the
    scheduled and the required agents of an interval.
    """
    n = max([len(line.values) for line in lines] + [len(b.high) for b in bands] + [0])
    peaks = [float(v) for line in lines for v in line.values if v is not None and _finite(v)]
    peaks += [float(v) for band in bands for v in band.high if v is not None and _finite(v)]
    frame = _Frame(n, nice_max(max(peaks, default=1.0)), width, height)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}">']
    parts += _axes(frame, axes, title, width, height)
    for band in bands:
        upper = [(frame.x(i + 0.5), frame.y(float(v)))  # type: ignore[arg-type]
                 for i, v in enumerate(band.high) if _finite(v)]
        lower = [(frame.x(i + 0.5), frame.y(float(v)))  # type: ignore[arg-type]
                 for i, v in enumerate(band.low) if _finite(v)]
        if upper and lower:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower[::-1])
            parts.append(f'<polygon points="{points}" fill="{band.color}" '
                         f'fill-opacity="{band.opacity}"><title>{escape(band.label)}</title>'
                         '</polygon>')
    for position, low, high, tip in highlights:
        x0, x1 = frame.x(position), frame.x(position + 1)
        y0, y1 = frame.y(high), frame.y(low)
        parts.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 1):.1f}" '
                     f'height="{max(y1 - y0, 1):.1f}" class="shortfall"><title>{escape(tip)}'
                     '</title></rect>')
    for line in lines:
        dash = ' stroke-dasharray="5 3"' if line.dashed else ""
        parts.append(f'<path d="{_path(frame, line.values, line.step)}" fill="none" '
                     f'stroke="{line.color}" stroke-width="1.6"{dash}>'
                     f'<title>{escape(line.label)}</title></path>')
    legend: list[tuple[str, str, bool | float]] = [(line.label, line.color, line.dashed)
                                                   for line in lines]
    legend += [(band.label, band.color, float(band.opacity)) for band in bands]
    if highlights:
        legend.append(("shortfall", "#d62728", False))
    parts += _legend(legend, width)
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float],
              colors: Sequence[str], axes: Axes, *, target: tuple[float, str] | None = None,
              y_max: float | None = None, tooltips: Sequence[str] | None = None,
              width: int = WIDTH, height: int = HEIGHT) -> str:
    """A vertical bar chart; ``target`` draws a labelled horizontal line (e.g. 92 %)."""
    n = len(values)
    top = y_max if y_max is not None else nice_max(max(list(values) + [1.0]))
    frame = _Frame(n, top, width, height)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}">']
    parts += _axes(frame, axes, title, width, height)
    slot = (frame.right - frame.left) / max(n, 1)
    gap = min(2.0, slot * 0.2)
    for i, value in enumerate(values):
        x = frame.x(i) + gap / 2
        y = frame.y(max(float(value), 0.0))
        tip = tooltips[i] if tooltips is not None else f"{labels[i]}: {_fmt(float(value))}"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(slot - gap, 0.8):.1f}" '
                     f'height="{max(frame.bottom - y, 0.5):.1f}" fill="{colors[i]}">'
                     f'<title>{escape(tip)}</title></rect>')
    if n <= 24:  # more bars than that are told apart by their tooltips
        xs = [frame.x(i + 0.5) for i in range(n)]
        shown = visible_labels(xs, labels, anchor="middle", width=width,
                               steps=range(1, n + 1))
        for x, label, show in zip(xs, labels, shown, strict=True):
            if show:
                parts.append(f'<text x="{x:.1f}" y="{frame.bottom + 16}" text-anchor="middle" '
                             f'class="tick x-tick">{escape(label)}</text>')
    if target is not None:
        value, label = target
        y = frame.y(value)
        parts.append(f'<line x1="{frame.left}" x2="{frame.right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'class="target"/>')
        parts.append(f'<text x="{frame.right - 4}" y="{y - 5:.1f}" text-anchor="end" '
                     f'class="target-label">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
