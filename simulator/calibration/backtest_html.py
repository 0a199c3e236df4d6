"""A backtest as one self-contained HTML page, in the batch report's style (inline SVG).

Two kinds of chart: each firm's worldwide users over time (ensemble median and 10th-90th
percentile band, `simulator.reports.html.band_chart`, months as calendar dates), and per
metric an interval chart: each held-out observation's predictive 90% interval (light),
ensemble 90% (dark) and the observed value (a dot, red when outside), on round ticks. The
table gives each observation in its unit, intervals as one "low to high" cell, so it fits a
1280 px window.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from plumbing.errors import InputError
from simulator.calibration.ensemble import calibration_metadata
from simulator.reports.chart_axes import nice_ticks, tick_labels, x_axis
from simulator.reports.html import PALETTE, _table, band_chart, figure, legend, page_head
from simulator.scenario import parse_scenario

ROW, LABEL_W, CHART_W = 22, 210, 560
KINDS = {"users": "count", "fraction": "percent", "usd_per_year": "money"}  # unit -> figures
UNIT_WORDS = {"users": "users", "fraction": "share", "usd_per_year": "USD a year",
              "months since start": "months since the start"}


def interval_chart(rows: pd.DataFrame, title: str, unit: str) -> str:
    """SVG: one line per observation, intervals against a shared axis, the observed dot."""
    low = float(np.nanmin(rows[["predictive_p05", "observed"]].to_numpy()))
    high = float(np.nanmax(rows[["predictive_p95", "observed"]].to_numpy()))
    ticks = nice_ticks(min(low, 0.0), high)
    low, high = ticks[0], ticks[-1]
    first = 36  # below the title and the rows' heading
    width, bottom = LABEL_W + CHART_W + 30, first + ROW * len(rows)

    def x(value: float) -> float:
        return LABEL_W + (value - low) / (high - low) * CHART_W

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{bottom + 44}" '
             f'role="img"><title>{escape(title)}</title>',
             f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>',
             f'<text class="axis-title y-title" x="4" y="{first - 4}">observation</text>',
             *x_axis(tick_labels(ticks, KINDS.get(unit, "count")), x, bottom, LABEL_W,
                     LABEL_W + CHART_W, f"{UNIT_WORDS.get(unit, unit)} (light: predictive 90%;"
                     " dark: ensemble 90%; dot: observed, red when outside)")]
    for i, r in enumerate(rows.itertuples()):
        y = first + i * ROW
        parts.append(f'<text x="4" y="{y + 12}">{escape(r.id)}</text>')
        parts.append(f'<rect x="{x(r.predictive_p05):.1f}" y="{y + 3}" '
                     f'width="{max(1.0, x(r.predictive_p95) - x(r.predictive_p05)):.1f}" '
                     f'height="12" fill="{PALETTE[0]}" fill-opacity="0.25"/>')
        parts.append(f'<rect x="{x(r.ensemble_p05):.1f}" y="{y + 6}" '
                     f'width="{max(1.0, x(r.ensemble_p95) - x(r.ensemble_p05)):.1f}" '
                     f'height="6" fill="{PALETTE[0]}"/>')
        color = "#2ca02c" if r.inside else "#d62728"
        parts.append(f'<circle cx="{x(r.observed):.1f}" cy="{y + 9}" r="4" fill="{color}">'
                     f'<title>observed {escape(figure(r.observed, KINDS.get(unit, "")))}'
                     '</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def prediction_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per held-out observation, each figure in its unit, intervals in one cell."""
    rows = []
    for r in predictions.itertuples():
        kind = KINDS.get(r.unit, "")

        def show(value: float, kind: str = kind) -> str:
            return figure(value, kind)

        rows.append({"observation": r.id, "firm": r.firm, "where": r.geography,
                     "month": str(r.date)[:7], "unit": UNIT_WORDS.get(r.unit, r.unit),
                     "observed": show(r.observed), "model median": show(r.median),
                     "ensemble 90%": f"{show(r.ensemble_p05)} to {show(r.ensemble_p95)}",
                     "predictive 90%": f"{show(r.predictive_p05)} to {show(r.predictive_p95)}",
                     "inside": "yes" if r.inside else "no"})
    return pd.DataFrame(rows)


def start_month(calibration: str) -> str | None:
    """The calendar month (YYYY-MM) of the calibrated scenario's month 1, if it can be read."""
    try:
        metadata = calibration_metadata(Path(calibration))
        scenario = parse_scenario(metadata["scenario"]["text"], metadata["scenario"]["path"])
    except (InputError, KeyError, OSError):
        return None
    return scenario.start_date


def render_backtest(result) -> str:
    """The whole page for a backtest result."""
    summary, predictions = result.summary, result.predictions
    firms = list(dict.fromkeys(result.series["strategy"])) if not result.series.empty else []
    html = [page_head(f"Backtest {summary['holdout']}"),
            f"<h1>Backtest {escape(summary['holdout'])}</h1>",
            f"<p class='answer'>The calibrated model's 90% intervals covered "
            f"{summary['coverage_90']:.0%} of {summary['observations']} held-out observations "
            "(target 70%).</p>",
            f"<p class='muted'>calibration {escape(summary['calibration'])}; "
            f"{summary['members']} {escape(summary['ensemble'])} members, {summary['runs']} "
            "runs. The ensemble interval spans the model's runs; the predictive interval adds "
            "the observation's own error.</p>",
            "<h2>Held-out observations</h2><div class='charts'>"]
    for metric, rows in predictions.groupby("metric", sort=False):
        unit = rows["unit"].iloc[0]
        html.append(interval_chart(rows, f"{metric} ({UNIT_WORDS.get(unit, unit)})", unit))
    html += ["</div>", _table(prediction_table(predictions),
                              left=("observation", "firm", "where", "unit")),
             "<h2>Worldwide users over time (ensemble)</h2>",
             f"<p class='legend'>{legend(firms)}</p><div class='charts'>",
             band_chart(result.series, "users", "Users per firm (median, p10-p90 band)", firms,
                        "users worldwide", "count", start_month(summary["calibration"])),
             "</div>"]
    ranks = pd.DataFrame(summary["spearman"])
    if not ranks.empty:
        ranks = ranks.assign(date=ranks["date"].astype(str).str[:7]).rename(columns={
            "date": "month", "countries": "countries ranked",
            "spearman": "Spearman's rho (1: the observed order)"})
        html += ["<h2>Country traffic rank correlation</h2>", _table(
            ranks, {"Spearman's rho (1: the observed order)": ".2f"})]
    if result.context:
        html += ["<h2>Not modelled (recorded, not scored)</h2>", "<ul>"]
        html += [f"<li>{escape(o.id)}: {escape(o.error_reason)}</li>" for o in result.context]
        html.append("</ul>")
    html.append("</body></html>")
    return "\n".join(html)
