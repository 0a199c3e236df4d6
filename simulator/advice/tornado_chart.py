"""The tornado (`simulator.advice.tornado`) as an SVG chart for the advice HTML page.

One row per uncertain parameter, largest swing first: the bar runs from the move's gain at
the parameter's low decile (light) to its gain at the high decile (dark) around the mean
gain (dashed); the status quo (0) is marked when it is in range. The x axis is the gain in
US dollars on round ticks; each row names the parameter and its two deciles.
"""

from __future__ import annotations

from html import escape

from plumbing.numbers import compact, compact_money
from simulator.advice.tornado import Tornado
from simulator.reports.chart_axes import nice_ticks, tick_labels, x_axis
from simulator.reports.html import PALETTE

MAX_BARS = 10  # the rest move the gain less than the tenth: left out, and said so
WIDTH, VALUE_W, ROW_H, TOP = 1000, 90, 30, 48
CHAR_PX = 7.5  # a label character's width in the page's 13 px sans-serif, at most
LOW_COLOR, HIGH_COLOR = "#9ecae1", PALETTE[0]


def tornado_chart(found: Tornado | None, months: int) -> str:
    """SVG of the tornado; a short paragraph instead where there are no bars."""
    if found is None:
        return ""
    if not found.bars:
        return (f"<p class='muted'>What {escape(found.move)}'s gain depends on: "
                f"{escape(found.note)}.</p>")
    bars = found.bars[:MAX_BARS]
    labels = [f"{b.parameter} ({compact(b.low_value, 3)} .. {compact(b.high_value, 3)})"
              for b in bars]
    label_w = min(max(200.0, CHAR_PX * max(map(len, labels)) + 16), WIDTH / 2)
    values = [found.mean_gain, *(v for b in bars for v in (b.gain_at_low, b.gain_at_high))]
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    right = WIDTH - VALUE_W

    def x(v: float) -> float:
        return label_w + (v - low) / (high - low) * (right - label_w)

    bottom = TOP + len(bars) * ROW_H
    height = bottom + 46
    which = (" (the status quo ranks first: the best other move)" if found.top_is_status_quo
             else "")
    title = (f"What the gain of {found.move}{which} over the status quo depends on: "
             f"each uncertain parameter from its low to its high decile, {found.members} "
             "simulated futures")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'role="img"><title>{escape(title)}</title>',
             f'<text x="4" y="16" font-weight="bold">What the gain of {escape(found.move)}'
             f"{escape(which)} depends on</text>",
             f'<text x="4" y="32" font-size="12">bar: gain at the parameter\'s low decile '
             f'(light) to its high decile (dark); dashed: mean gain '
             f'{escape(compact_money(found.mean_gain))}</text>',
             f'<text class="axis-title y-title" x="4" y="{TOP - 2}">uncertain parameter '
             "(low .. high decile)</text>",
             f'<line x1="{x(found.mean_gain):.1f}" y1="{TOP}" x2="{x(found.mean_gain):.1f}" '
             f'y2="{bottom}" stroke="#444" stroke-dasharray="3 2"/>',
             *x_axis(tick_labels(ticks, "money"), x, bottom, label_w, right,
                     f"NPV gain over the status quo over {months} months (USD)")]
    if low < 0.0 < high:
        parts.append(f'<line x1="{x(0.0):.1f}" y1="{TOP}" x2="{x(0.0):.1f}" y2="{bottom}" '
                     'stroke="#d62728" stroke-width="1"/>')
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_H
        name, deciles = labels[i].split(" ", 1)
        parts.append(f'<text x="4" y="{y + 19}">{escape(name)} '
                     f'<tspan fill="#666">{escape(deciles)}</tspan></text>')
        for value, color in ((bar.gain_at_low, LOW_COLOR), (bar.gain_at_high, HIGH_COLOR)):
            left, width = sorted((x(found.mean_gain), x(value)))
            parts.append(f'<rect x="{left:.1f}" y="{y + 6}" width="{max(width - left, 1):.1f}" '
                         f'height="{ROW_H - 12}" fill="{color}"/>')
        sign = "+" if bar.swing > 0 else ""
        parts.append(f'<text x="{right + 6}" y="{y + 19}">{sign}'
                     f"{escape(compact_money(bar.swing))}</text>")
    parts.append("</svg>")
    left_out = len(found.bars) - len(bars)
    more = (f"<p class='muted'>{left_out} more parameters move the gain less.</p>"
            if left_out else "")
    return "".join(parts) + more
