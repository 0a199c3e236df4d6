"""A backtest as one self-contained HTML page, in the batch report's style (inline SVG).

Two kinds of chart: each firm's worldwide users over time (ensemble median and 10th-90th
percentile band, `simulator.html_report.band_chart`), and per metric an interval chart:
each held-out observation's predictive 90% interval (light), ensemble 90% (dark) and the
observed value (a dot, red when outside).
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from hub.numbers import compact
from simulator.html_report import PALETTE, _table, band_chart, legend, page_head

ROW, LABEL_W, CHART_W = 22, 210, 560


def interval_chart(rows: pd.DataFrame, title: str) -> str:
    """SVG: one line per observation, intervals against a shared axis, the observed dot."""
    low = float(np.nanmin(rows[["predictive_p05", "observed"]].to_numpy()))
    high = float(np.nanmax(rows[["predictive_p95", "observed"]].to_numpy()))
    low, high = min(low, 0.0), high if high > low else low + 1.0
    width, height = LABEL_W + CHART_W + 20, 40 + ROW * len(rows)

    def x(value: float) -> float:
        return LABEL_W + (value - low) / (high - low) * CHART_W

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img"><title>{escape(title)}</title>',
             f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>']
    for value in np.linspace(low, high, 5):
        parts.append(f'<text x="{x(value):.1f}" y="{height - 4}" text-anchor="middle">'
                     f'{escape(compact(value))}</text>')
    for i, r in enumerate(rows.itertuples()):
        y = 30 + i * ROW
        parts.append(f'<text x="4" y="{y + 12}">{escape(r.id)}</text>')
        parts.append(f'<rect x="{x(r.predictive_p05):.1f}" y="{y + 3}" '
                     f'width="{max(1.0, x(r.predictive_p95) - x(r.predictive_p05)):.1f}" '
                     f'height="12" fill="{PALETTE[0]}" fill-opacity="0.25"/>')
        parts.append(f'<rect x="{x(r.ensemble_p05):.1f}" y="{y + 6}" '
                     f'width="{max(1.0, x(r.ensemble_p95) - x(r.ensemble_p05)):.1f}" '
                     f'height="6" fill="{PALETTE[0]}"/>')
        color = "#2ca02c" if r.inside else "#d62728"
        parts.append(f'<circle cx="{x(r.observed):.1f}" cy="{y + 9}" r="4" fill="{color}">'
                     f'<title>observed {escape(compact(r.observed))}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def render_backtest(result) -> str:
    """The whole page for a backtest result."""
    summary, predictions = result.summary, result.predictions
    firms = list(dict.fromkeys(result.series["strategy"])) if not result.series.empty else []
    html = [page_head(f"Backtest {summary['holdout']}"),
            f"<h1>Backtest {escape(summary['holdout'])}</h1>",
            f"<p class='muted'>calibration {escape(summary['calibration'])}; "
            f"{summary['members']} {escape(summary['ensemble'])} members, {summary['runs']} "
            f"runs; coverage of the predictive 90% intervals {summary['coverage_90']:.0%} of "
            f"{summary['observations']} held-out observations (target 70%).</p>",
            "<h2>Held-out observations</h2><div class='charts'>"]
    for metric, rows in predictions.groupby("metric", sort=False):
        unit = rows["unit"].iloc[0]
        html.append(interval_chart(rows, f"{metric} ({unit})"))
    html += ["</div>", _table(predictions.drop(columns=["unit"])),
             "<h2>Worldwide users over time (ensemble)</h2>",
             f"<p class='legend'>{legend(firms)}</p><div class='charts'>",
             band_chart(result.series, "users", "Users per firm", firms), "</div>"]
    ranks = pd.DataFrame(summary["spearman"])
    if not ranks.empty:
        html += ["<h2>Country traffic rank correlation</h2>", _table(ranks, {"spearman": ".2f"})]
    if result.context:
        html += ["<h2>Not modelled (recorded, not scored)</h2>", "<ul>"]
        html += [f"<li>{escape(o.id)}: {escape(o.error_reason)}</li>" for o in result.context]
        html.append("</ul>")
    html.append("</body></html>")
    return "\n".join(html)
