"""A batch report as one self-contained HTML page: tables and inline SVG charts, no scripts.

Charts are drawn here as SVG (no JavaScript, no external CSS or fonts), so the page opens
offline and can be mailed as one file: the focus firm's share of users and revenue over
time per strategy (median line, 10th-90th percentile band), and Sobol' sensitivity bars.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import numpy as np
import pandas as pd

from plumbing.numbers import MISSING, compact, compact_money
from simulator.reports.analysis import Batch, over_time
from simulator.reports.chart_axes import (
    month_label,
    month_ticks,
    nice_ticks,
    tick_labels,
    x_axis,
    y_axis,
)
from simulator.reports.prim import PrimBox
from simulator.scenario import Scenario

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
# Tables fit the page (1100 px of a 1280 px window): long cells wrap, never widen the page.
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222;
       padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.85rem; max-width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
td { overflow-wrap: anywhere; } th { vertical-align: bottom; }
th:first-child, td:first-child, .text { text-align: left; } .name { white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.legend span { margin-right: 1rem; } .muted { color: #666; }
.answer { font-size: 1.15rem; border-left: 4px solid #1f77b4; padding: 0.4rem 0.8rem; }
details { margin: 0.3rem 0; } summary { cursor: pointer; }
svg text { font-size: 11px; fill: #333; } svg .axis-title { font-size: 12px; fill: #555; }
"""
WIDTH, HEIGHT, PAD = 520, 300, 48
LEFT, BOTTOM, TOP = 70, 44, 30  # room for the y labels and title, the x labels and title
SOBOL_COLUMNS = {"kpi": "KPI", "S1": "first-order index S1", "S1_conf": "S1 95% interval ±",
                 "ST": "total index ST", "ST_conf": "ST 95% interval ±"}  # SALib's conf: 95%
KPI_LABELS = {  # kpi -> (what it is, the kind of its figures)
    "users": ("users at the end", "count"), "share": ("share of users at the end", "percent"),
    "revenue_total": ("revenue over the run", "money"), "cash": ("cash at the end", "money"),
}


def legend(names: list[str]) -> str:
    """One coloured square and name per series, in the charts' colours."""
    return "".join(f'<span style="color:{PALETTE[i % len(PALETTE)]}">&#9632; {escape(name)}'
                   "</span>" for i, name in enumerate(names))


def page_head(title: str) -> str:
    """The page's opening up to <body>, with its title and the reports' style."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>")


def figure(value: float, kind: str) -> str:
    """One figure as a reader takes it: `money` ($1.2M), `percent` (12.5%), else 1.2M."""
    if value is None or value != value:
        return MISSING
    if kind == "percent":
        return f"{value:.1%}"
    return compact_money(value) if kind == "money" else compact(value)


def _table(frame: pd.DataFrame, formats: dict[str, str | Callable] | None = None,
           left: tuple[str, ...] = (), names: tuple[str, ...] = ()) -> str:
    """An HTML table; `formats` per column: a format spec or a function of the value.

    Figures align right, the first column and the `left` columns (words) left; `names`
    columns (identifiers such as move names) left and never broken across lines.
    """
    formats = formats or {}
    align = {c: " class='text name'" if c in names else " class='text'" if c in left else ""
             for c in frame.columns}
    head = "".join(f"<th{align[c]}>{escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            style = formats.get(column)
            number = isinstance(value, float | np.floating)
            if callable(style):
                text = style(value)
            elif number and value != value:
                text = MISSING
            elif number:
                text = format(value, style) if style else compact(value)
            else:
                text = str(value)
            cells.append(f"<td{align[column]}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def band_chart(frame: pd.DataFrame, measure: str, title: str, strategies: list[str],
               y_title: str, kind: str = "count", start: str | None = None,
               limits: tuple[float, float] | None = None, reference: str | None = None,
               colors: list[str] | None = None) -> str:
    """SVG: per strategy the median of `measure` by month and its 10th-90th percentile band.

    Ticks on round values (`kind`: count, money or percent) and round dates (`start`, the
    scenario's YYYY-MM, labels months as dates); `limits` shares a value range between
    charts drawn side by side; `reference` is drawn as a dashed median line, without band.
    """
    if frame.empty:
        return ""
    months = frame["month"].to_numpy(dtype=float)
    low, high = limits or (min(frame[f"{measure}_p10"].min(), 0.0), frame[f"{measure}_p90"].max())
    ticks = nice_ticks(low, high)
    low, high = ticks[0], ticks[-1]
    x0, x1 = int(months.min()), int(max(months.max(), months.min() + 1))
    right, bottom = WIDTH - 28, HEIGHT - BOTTOM  # room for the last date label

    def x(m):
        return LEFT + (np.asarray(m, dtype=float) - x0) / (x1 - x0) * (right - LEFT)

    def y(v):
        return bottom - (np.asarray(v, dtype=float) - low) / (high - low) * (bottom - TOP)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'role="img"><title>{escape(title)}</title>',
             f'<text x="{LEFT}" y="16" font-weight="bold">{escape(title)}</text>',
             *y_axis(tick_labels(ticks, kind), y, LEFT, TOP, bottom, y_title, grid_to=right),
             *x_axis([(m, month_label(start, m) if start else str(m))
                      for m in month_ticks(x0, x1, start)], x, bottom, LEFT, right,
                     "month" if start else "month of the run")]
    series = [*strategies, *([reference] if reference else [])]
    for i, strategy in enumerate(series):
        rows = frame[frame["strategy"] == strategy].sort_values("month")
        if rows.empty:
            continue
        color = "#777" if strategy == reference else (colors or PALETTE)[i % len(PALETTE)]
        m = rows["month"].to_numpy(dtype=float)
        line = " ".join(f"{a:.1f},{b:.1f}" for a, b in
                        zip(x(m), y(rows[f"{measure}_median"]), strict=True))
        if strategy != reference:
            upper = zip(x(m), y(rows[f"{measure}_p90"]), strict=True)
            lower = zip(x(m[::-1]), y(rows[f"{measure}_p10"].to_numpy()[::-1]), strict=True)
            band = " ".join(f"{a:.1f},{b:.1f}" for a, b in [*upper, *lower])
            parts.append(f'<polygon points="{band}" fill="{color}" fill-opacity="0.18" '
                         'stroke="none"/>')
        dash = ' stroke-dasharray="5 3"' if strategy == reference else ""
        parts.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2"'
                     f'{dash}><title>{escape(strategy)}</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)


def sensitivity_chart(indices: pd.DataFrame, strategy: str, kpi: str) -> str:
    """SVG: horizontal bars of first (S1) and total (ST) order indices per parameter."""
    rows = indices[(indices["strategy"] == strategy) & (indices["kpi"] == kpi)]
    if rows.empty:
        return ""
    bar, label_w = 12, 200
    right, plot_h = WIDTH - 40, len(rows) * (2 * bar + 10)
    height = TOP + plot_h + BOTTOM

    def x(value):
        return label_w + max(0.0, min(1.0, float(value))) * (right - label_w)

    what = KPI_LABELS.get(kpi, (kpi, ""))[0]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'role="img"><title>Sobol indices {escape(strategy)} {escape(kpi)}</title>',
             f'<text x="4" y="16" font-weight="bold">{escape(strategy)}: {escape(what)} '
             '(S1 dark, ST light)</text>',
             f'<text class="axis-title y-title" x="4" y="{TOP - 2}">parameter</text>',
             *x_axis([(t, f"{t:g}") for t in nice_ticks(0, 1)], x, TOP + plot_h, label_w, right,
                     "share of the variance explained (Sobol' index)")]
    for i, r in enumerate(rows.itertuples()):
        top = TOP + 4 + i * (2 * bar + 10)
        parts.append(f'<text x="4" y="{top + bar + 4}">{escape(r.parameter)}</text>')
        for j, (value, color) in enumerate(((r.S1, "#1f77b4"), (r.ST, "#9ecae1"))):
            parts.append(f'<rect x="{label_w}" y="{top + j * bar}" width="'
                         f'{x(value) - label_w:.1f}" height="{bar - 2}" fill="{color}"/>')
            # Saltelli's estimates can dip below 0 by noise: show them as the 0 they mean.
            parts.append(f'<text x="{x(value) + 4:.1f}" y="{top + j * bar + bar - 3}">'
                         f'{max(value, 0.0):.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def start_month(batch: Batch) -> str | None:
    """The calendar month (YYYY-MM) of the batch's month 1: its scenario's start_date.

    None (charts then count months) when the scenario file is gone or unreadable.
    """
    import tomllib


    try:
        with open(batch.metadata["scenario"]["path"], "rb") as handle:
            start = tomllib.load(handle).get("start_date")
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None
    return start if isinstance(start, str) else Scenario.model_fields["start_date"].default


def kpi_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """The final KPIs per strategy in words, each figure in its unit (percent, money, count)."""
    rows = []
    for r in kpis.itertuples():
        what, kind = KPI_LABELS.get(r.kpi, (r.kpi, "count"))
        rows.append({"strategy": r.strategy, "KPI of the focus firm": what,
                     "pessimistic (p10)": figure(r.p10, kind), "median": figure(r.median, kind),
                     "optimistic (p90)": figure(r.p90, kind), "runs": str(r.runs)})
    return pd.DataFrame(rows)


def render(batch: Batch, tables: dict[str, pd.DataFrame], boxes: dict[str, PrimBox],
           strategy: str, kpi: str) -> str:
    """The whole page for a batch folder, from the tables the terminal report printed."""
    meta, strategies = batch.metadata, batch.strategies
    trend, start, firm = over_time(batch), start_month(batch), escape(meta["focus_firm"])
    html = [page_head(meta["sweep"]["name"]),
            f"<h1>{escape(meta['sweep']['name'])}</h1>",
            f"<p class='muted'>{escape(meta['sweep']['path'])} (sha256 "
            f"{escape(meta['sweep']['sha256'][:12])}), scenario {escape(meta['scenario']['name'])}"
            f"; {len(batch.runs)}/{meta['runs']} runs, design {escape(meta['design']['kind'])}"
            f", {meta['points']} points x {meta['seeds']} seeds; product "
            f"{escape(meta['product_version'])}; KPIs of {firm}. Percentiles are across "
            "seeds and design points: p10 is the pessimistic case, p90 the optimistic.</p>",
            "<h2>Over time</h2>", f"<p class='legend'>{legend(strategies)}</p><div class='charts'>",
            band_chart(trend, "share", "Share of users", strategies,
                       f"{meta['focus_firm']}'s share of all users", "percent", start),
            band_chart(trend, "revenue", "Revenue per month (USD)", strategies,
                       f"{meta['focus_firm']}'s revenue per month", "money", start), "</div>",
            "<h2>Final KPIs per strategy</h2>",
            _table(kpi_table(tables["kpis"]), left=("KPI of the focus firm",))]
    if not tables["regions"].empty:
        regions = tables["regions"].rename(columns={
            "strategy": "best strategy", "share": "its median share",
            "runner_up_share": "runner-up's share", "revenue": "revenue per month"})
        html += ["<h2>Best strategy per region (median final share of the region's users)</h2>",
                 _table(regions, {"its median share": ".1%", "runner-up's share": ".1%",
                                  "revenue per month": lambda v: figure(v, "money"),
                                  "runs": "d"}, left=("best strategy",))]
    if not tables["sobol"].empty:
        html += ["<h2>Sensitivity (Sobol' indices)</h2><div class='charts'>"]
        for name, group in tables["sobol"].groupby(["strategy", "kpi"], sort=False):
            html.append(sensitivity_chart(group, *name))
        sobol = tables["sobol"].assign(kpi=tables["sobol"]["kpi"].map(
            lambda k: KPI_LABELS.get(k, (k,))[0])).rename(columns=SOBOL_COLUMNS)
        html += ["</div>", _table(sobol, {c: ".3f" for c in list(SOBOL_COLUMNS.values())[1:]},
                                  left=("KPI", "parameter"))]
    if boxes:
        rows = [{"outcome": outcome, "parameter ranges (quasi-p)": "; ".join(
                    f"{n} in {compact(box.limits[n][0])} .. {compact(box.limits[n][1])} "
                    f"({box.significance(n)})" for n in box.restricted) or "(anywhere)",
                 "coverage": box.coverage, "density": box.density, "mass": box.mass,
                 "base rate": box.base_density}
                for outcome, box in boxes.items()]
        html += [f"<h2>Scenario discovery (PRIM): where {escape(strategy)} wins or does worst on "
                 f"{escape(KPI_LABELS.get(kpi, (kpi,))[0])}</h2>", _table(pd.DataFrame(rows), {
                     "coverage": ".0%", "density": ".0%", "mass": ".0%", "base rate": ".0%"},
                     left=("parameter ranges (quasi-p)",))]
    html.append("</body></html>")
    return "\n".join(html)
