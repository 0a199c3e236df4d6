"""Axes for the reports' SVG charts: ticks on round numbers and round dates, titled axes.

Value ticks follow the 1-2-5 rule (Heckbert, "Nice numbers for graph labels", Graphics
Gems, 1990): steps of 1, 2 or 5 times a power of ten, the axis widened to whole steps, so a
reader sees 0, 20, 40 rather than 0, 11.8, 23.61. Month ticks fall on calendar months that a
whole number of months divides (every quarter, half year, year...), labelled YYYY-MM, so a
reader sees 2024-01, 2024-07 rather than months 30.8 and 60.5.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from plumbing.numbers import compact, compact_money

MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240)  # divisors of a year, then whole years


def nice_step(span: float, target: int) -> float:
    """The smallest 1-2-5 step that cuts `span` into at most `target` parts."""
    raw = span / max(target, 1)
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round ticks covering [low, high]: the first at or below low, the last at or above high."""
    if not high > low:
        high = low + (abs(low) or 1.0)
    step = nice_step(high - low, target)
    first, last = math.floor(low / step), math.ceil(high / step)
    # low / step can underflow to -0.0 (a subnormal low), leaving the first tick above low.
    first -= first * step > low
    last += last * step < high
    # Rounded to the step's decimals, so 0.1 * 3 prints as 0.3, not 0.30000000000000004.
    decimals = max(0, -math.floor(math.log10(step)))
    return [round(k * step, decimals) + 0.0 for k in range(first, last + 1)]


def month_label(start: str | None, month: int) -> str:
    """Model month `month` (1 = the scenario's start_date, YYYY-MM) as YYYY-MM, else 'month N'."""
    if start is None:
        return f"month {month}"
    year, first = (int(part) for part in start.split("-"))
    index = year * 12 + first - 1 + month - 1
    return f"{index // 12}-{index % 12 + 1:02d}"


def month_ticks(first: int, last: int, start: str | None, target: int = 6) -> list[int]:
    """Model months to tick between `first` and `last`: on round dates (or round month numbers).

    The step is the smallest of 1, 2, 3, 6, 12, 24... months that gives at most `target`
    ticks; with a start date, ticks fall where the calendar month is a multiple of the step
    (quarters on Jan/Apr/Jul/Oct, years on January); without one, on multiples of the step.
    """
    span = max(last - first, 1)
    step = next((s for s in MONTH_STEPS if span / s <= target), MONTH_STEPS[-1])
    offset = 0
    if start is not None:
        year, month = (int(part) for part in start.split("-"))
        offset = year * 12 + month - 2  # calendar index of model month m is offset + m
    return [m for m in range(first, last + 1) if (offset + m) % step == 0]


def x_axis(ticks: list[tuple[float, str]], x: Callable[[float], float], y: float, left: float,
           right: float, title: str) -> list[str]:
    """SVG parts of a horizontal axis at height `y`: line, ticks, labels and its title."""
    parts = [f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="#999"/>']
    for value, label in ticks:
        parts.append(f'<line x1="{x(value):.1f}" y1="{y:.1f}" x2="{x(value):.1f}" '
                     f'y2="{y + 4:.1f}" stroke="#999"/><text x="{x(value):.1f}" y="{y + 15:.1f}"'
                     f' text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<text class="axis-title x-title" x="{(left + right) / 2:.1f}" '
                 f'y="{y + 31:.1f}" text-anchor="middle">{escape(title)}</text>')
    return parts


def y_axis(ticks: list[tuple[float, str]], y: Callable[[float], float], x: float, top: float,
           bottom: float, title: str, grid_to: float | None = None) -> list[str]:
    """SVG parts of a vertical axis at `x`: line, ticks, labels, light grid lines and its title.

    The title runs up the left edge, rotated, as on printed charts.
    """
    parts = [f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#999"/>']
    for value, label in ticks:
        if grid_to is not None:
            parts.append(f'<line x1="{x:.1f}" y1="{y(value):.1f}" x2="{grid_to:.1f}" '
                         f'y2="{y(value):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{x - 5:.1f}" y="{y(value) + 4:.1f}" text-anchor="end">'
                     f'{escape(label)}</text>')
    middle = (top + bottom) / 2
    parts.append(f'<text class="axis-title y-title" x="12" y="{middle:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {middle:.1f})">{escape(title)}</text>')
    return parts


def tick_labels(ticks: list[float], kind: str) -> list[tuple[float, str]]:
    """Ticks with their labels: `money` ($20M), `percent` (fractions as 5%), else counts (2.5K).

    Percentages get as many decimals as the step needs (0.5% steps print 0.5%, 1.0%...).
    """
    if kind == "percent":
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
        decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
        return [(t, f"{t:.{decimals}%}") for t in ticks]
    if kind == "money":
        return [(t, compact_money(t, digits=3)) for t in ticks]
    return [(t, compact(t, 3)) for t in ticks]
