"""A batch report as one self-contained HTML page: tables and inline SVG charts, no scripts.

Charts are drawn here as SVG (no JavaScript, no external CSS or fonts), so the page opens
offline and can be mailed as one file: the focus firm's share of users and revenue over
time per strategy (median line, 10th-90th percentile band), and Sobol' sensitivity bars.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from hub.numbers import compact
from simulator.analysis import Batch, over_time
from simulator.prim import PrimBox

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.legend span { margin-right: 1rem; } .muted { color: #666; }
svg text { font-size: 11px; fill: #333; }
"""
WIDTH, HEIGHT, PAD = 520, 280, 48


def legend(names: list[str]) -> str:
    """One coloured square and name per series, in the charts' colours."""
    return "".join(f'<span style="color:{PALETTE[i % len(PALETTE)]}">&#9632; {escape(name)}'
                   "</span>" for i, name in enumerate(names))


def page_head(title: str) -> str:
    """The page's opening up to <body>, with its title and the reports' style."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>")


def _table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if isinstance(value, float | np.floating):
                text = format(value, formats[column]) if column in formats else compact(value)
            else:
                text = str(value)
            cells.append(f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def band_chart(frame: pd.DataFrame, measure: str, title: str, strategies: list[str]) -> str:
    """SVG: per strategy the median of `measure` by month and its 10th-90th percentile band."""
    if frame.empty:
        return ""
    months = frame["month"].to_numpy(dtype=float)
    low, high = frame[f"{measure}_p10"].min(), frame[f"{measure}_p90"].max()
    low, high = min(low, 0.0), high if high > low else low + 1.0
    x0, x1 = months.min(), max(months.max(), months.min() + 1)

    def x(m: np.ndarray) -> np.ndarray:
        return PAD + (m - x0) / (x1 - x0) * (WIDTH - 1.5 * PAD)

    def y(v: np.ndarray) -> np.ndarray:
        return HEIGHT - PAD + (low - v) / (high - low) * (HEIGHT - 1.6 * PAD)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'role="img"><title>{escape(title)}</title>',
             f'<text x="{PAD}" y="16" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD / 2}" y2="{HEIGHT - PAD}" '
             'stroke="#999"/>',
             f'<line x1="{PAD}" y1="{PAD * 0.6}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>']
    for value in np.linspace(low, high, 5):
        parts.append(f'<text x="{PAD - 4}" y="{y(value):.1f}" text-anchor="end">'
                     f'{escape(compact(value))}</text>')
    for month in np.unique(np.linspace(x0, x1, 6).round()):
        parts.append(f'<text x="{x(month):.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle">'
                     f'{int(month)}</text>')
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle">month</text>')
    for i, strategy in enumerate(strategies):
        rows = frame[frame["strategy"] == strategy].sort_values("month")
        if rows.empty:
            continue
        color, m = PALETTE[i % len(PALETTE)], rows["month"].to_numpy(dtype=float)
        upper = zip(x(m), y(rows[f"{measure}_p90"].to_numpy(dtype=float)), strict=True)
        lower = zip(x(m[::-1]), y(rows[f"{measure}_p10"].to_numpy(dtype=float)[::-1]), strict=True)
        band = " ".join(f"{a:.1f},{b:.1f}" for a, b in [*upper, *lower])
        line = " ".join(f"{a:.1f},{b:.1f}" for a, b in
                        zip(x(m), y(rows[f"{measure}_median"].to_numpy(dtype=float)), strict=True))
        parts.append(f'<polygon points="{band}" fill="{color}" fill-opacity="0.18" stroke="none"/>')
        parts.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2">'
                     f'<title>{escape(strategy)}</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)


def sensitivity_chart(indices: pd.DataFrame, strategy: str, kpi: str) -> str:
    """SVG: horizontal bars of first (S1) and total (ST) order indices per parameter."""
    rows = indices[(indices["strategy"] == strategy) & (indices["kpi"] == kpi)]
    if rows.empty:
        return ""
    bar, label_w, chart_w = 12, 190, WIDTH - 230
    height = 40 + len(rows) * (2 * bar + 10)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'role="img"><title>Sobol indices {escape(strategy)} {escape(kpi)}</title>',
             f'<text x="4" y="16" font-weight="bold">{escape(strategy)}: {escape(kpi)} '
             '(S1 dark, ST light)</text>']
    for i, r in enumerate(rows.itertuples()):
        top = 30 + i * (2 * bar + 10)
        parts.append(f'<text x="4" y="{top + bar + 4}">{escape(r.parameter)}</text>')
        for j, (value, color) in enumerate(((r.S1, "#1f77b4"), (r.ST, "#9ecae1"))):
            width = max(0.0, min(1.0, float(value))) * chart_w
            parts.append(f'<rect x="{label_w}" y="{top + j * bar}" width="{width:.1f}" '
                         f'height="{bar - 2}" fill="{color}"/>')
            parts.append(f'<text x="{label_w + width + 4:.1f}" y="{top + j * bar + bar - 3}">'
                         f'{value:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(batch: Batch, tables: dict[str, pd.DataFrame], boxes: dict[str, PrimBox],
           strategy: str, kpi: str) -> str:
    """The whole page for a batch folder, from the tables the terminal report printed."""
    meta, strategies = batch.metadata, batch.strategies
    trend = over_time(batch)
    html = [page_head(meta["sweep"]["name"]),
            f"<h1>{escape(meta['sweep']['name'])}</h1>",
            f"<p class='muted'>{escape(meta['sweep']['path'])} (sha256 "
            f"{escape(meta['sweep']['sha256'][:12])}), scenario {escape(meta['scenario']['name'])}"
            f"; {len(batch.runs)}/{meta['runs']} runs, design {escape(meta['design']['kind'])}"
            f", {meta['points']} points x {meta['seeds']} seeds; product "
            f"{escape(meta['product_version'])}; KPIs of {escape(meta['focus_firm'])}.</p>",
            "<h2>Over time</h2>", f"<p class='legend'>{legend(strategies)}</p><div class='charts'>",
            band_chart(trend, "share", "Share of users", strategies),
            band_chart(trend, "revenue", "Revenue per month (USD)", strategies), "</div>",
            "<h2>Final KPIs per strategy</h2>",
            _table(tables["kpis"].drop(columns=["failed"]))]
    if not tables["regions"].empty:
        html += ["<h2>Best strategy per region</h2>", _table(
            tables["regions"], {"share": ".1%", "runner_up_share": ".1%"})]
    if not tables["sobol"].empty:
        html += ["<h2>Sensitivity (Sobol' indices)</h2><div class='charts'>"]
        for name, group in tables["sobol"].groupby(["strategy", "kpi"], sort=False):
            html.append(sensitivity_chart(group, *name))
        html += ["</div>", _table(tables["sobol"], {c: ".3f" for c in
                                                    ("S1", "S1_conf", "ST", "ST_conf")})]
    if boxes:
        rows = [{"outcome": outcome, "parameter ranges": "; ".join(
                    f"{n} in {compact(box.limits[n][0])} .. {compact(box.limits[n][1])}"
                    for n in box.restricted) or "(anywhere)",
                 "coverage": box.coverage, "density": box.density, "base rate": box.base_density}
                for outcome, box in boxes.items()]
        html += [f"<h2>Scenario discovery (PRIM): where {escape(strategy)} wins or does worst on "
                 f"{escape(kpi)}</h2>", _table(pd.DataFrame(rows), {
                     "coverage": ".0%", "density": ".0%", "base rate": ".0%"})]
    html.append("</body></html>")
    return "\n".join(html)
