"""The advice shown: a rich table in the terminal and one self-contained HTML page.

The page uses the batch report's style and helpers (`simulator.html_report`): the ranking
table, an interval chart of each move's NPV (p10-p90 bar, p50 tick, mean dot), the firm's
cumulative cash over time for the top moves and the status quo (median and p10-p90 band),
the drivers and the scenario discovery box.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd
from rich.table import Table

from hub.numbers import compact, compact_money
from simulator.advice.advise import Advice
from simulator.advice.moves import STATUS_QUO
from simulator.html_report import PAD, PALETTE, WIDTH, _table, band_chart, legend, page_head

COLUMNS = ("move", "npv_p10", "npv_p50", "npv_p90", "p_beats_status_quo", "max_regret")
TOP_CHART = 4  # moves drawn over time besides the status quo


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.0%}"


def terminal_table(advice: Advice) -> Table:
    """The ranking: NPV quantiles, P(beats status quo), max regret; robust and best marked."""
    table = Table(title=f"Moves for {advice.firm}: NPV over {advice.scenario.months} months at "
                        f"{advice.discount.annual:.0%} a year, {advice.ensemble.size} members "
                        "(* best expected, R robust: least maximum regret)")
    for name in ("", "move", "NPV p10", "p50", "p90", "P(beats status quo)", "max regret"):
        table.add_column(name, justify="left" if name in ("", "move") else "right",
                         no_wrap=name == "move")
    for row in advice.table.itertuples():
        mark = ("*" if row.best_expected else "") + ("R" if row.robust else "")
        style = "bold green" if mark else ("dim" if row.move == STATUS_QUO else None)
        table.add_row(mark, row.move, *(compact_money(v) for v in (
                          row.npv_p10, row.npv_p50, row.npv_p90)),
                      _share(row.p_beats_status_quo), compact_money(row.max_regret), style=style)
    return table


def discovery_text(advice: Advice) -> str:
    """Where the top move loses, in one paragraph."""
    found = advice.discovery
    head = (f"Scenario discovery: {found.move} loses to {found.against} in "
            f"{found.losses:.0%} of the members")
    if found.box is None:
        return f"{head}; {found.note}."
    box = found.box
    ranges = "; ".join(f"{n} in {compact(box.limits[n][0])} .. {compact(box.limits[n][1])}"
                       for n in box.restricted) or "anywhere (no range stands out)"
    return (f"{head}; mostly where {ranges} (PRIM box: {box.coverage:.0%} of the losses, "
            f"{box.density:.0%} of its members lose, against {box.base_density:.0%} overall).")


def interval_chart(table: pd.DataFrame) -> str:
    """SVG: per move a p10-p90 bar of its NPV, a tick at p50 and a dot at the mean."""
    row_h, label_w = 18, 170
    height = 40 + len(table) * row_h
    low = min(table["npv_p10"].min(), 0.0)
    high = max(table["npv_p90"].max(), low + 1.0)

    def x(v: float) -> float:
        return label_w + (v - low) / (high - low) * (WIDTH - label_w - PAD / 2)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             'role="img"><title>NPV per move</title>',
             '<text x="4" y="16" font-weight="bold">NPV per move (p10-p90, p50 tick, mean dot)'
             '</text>',
             f'<line x1="{x(0):.1f}" y1="24" x2="{x(0):.1f}" y2="{height - 8}" stroke="#999"/>']
    for i, r in enumerate(table.itertuples()):
        top = 28 + i * row_h
        color = PALETTE[0] if r.move != STATUS_QUO else "#888"
        parts += [f'<text x="4" y="{top + 11}">{escape(r.move)}</text>',
                  f'<rect x="{x(r.npv_p10):.1f}" y="{top + 3}" height="{row_h - 8}" width="'
                  f'{max(x(r.npv_p90) - x(r.npv_p10), 1):.1f}" fill="{color}" fill-opacity="0.35">'
                  f'<title>{escape(r.move)}: {compact_money(r.npv_p10)} .. '
                  f'{compact_money(r.npv_p90)}</title></rect>',
                  f'<line x1="{x(r.npv_p50):.1f}" y1="{top + 1}" x2="{x(r.npv_p50):.1f}" '
                  f'y2="{top + row_h - 3}" stroke="{color}" stroke-width="2"/>',
                  f'<circle cx="{x(r.npv_mean):.1f}" cy="{top + row_h / 2 - 1}" r="2.5" '
                  f'fill="#222"/>']
    parts.append(f'<text x="{label_w}" y="{height - 2}">{escape(compact_money(low))}</text>'
                 f'<text x="{WIDTH - PAD}" y="{height - 2}">{escape(compact_money(high))}</text>'
                 '</svg>')
    return "".join(parts)


def cash_over_time(advice: Advice, moves: list[str]) -> pd.DataFrame:
    """Per move and month: p10, median, p90 of the firm's cash change since month 0."""
    names = [m.name for m in advice.moves]
    initial = next(f.cash_usd for f in advice.scenario.firms if f.name == advice.firm)
    rows = []
    for move in moves:
        change = advice.cash[names.index(move)] - initial  # [members, months]
        q = np.quantile(change, [0.1, 0.5, 0.9], axis=0)
        rows += [{"strategy": move, "month": t + 1, "cash_p10": q[0, t], "cash_median": q[1, t],
                  "cash_p90": q[2, t]} for t in range(change.shape[1])]
    return pd.DataFrame(rows)


def render(advice: Advice) -> str:
    """The whole page."""
    summary, table = advice.summary(), advice.table
    top = [m for m in table["move"] if m != STATUS_QUO][:TOP_CHART] + [STATUS_QUO]
    shown = table[list(COLUMNS) + ["gain_p50"]].rename(columns={"gain_p50": "median gain"})
    html = [page_head(f"Advice for {advice.firm}"),
            f"<h1>Where should {escape(advice.firm)} expand next?</h1>",
            f"<p class='muted'>Scenario {escape(advice.scenario.name)} "
            f"({escape(str(advice.scenario.source))}, digest {summary['scenario']['digest']}); "
            f"{len(advice.moves)} moves x {advice.ensemble.size} members: "
            f"{escape(advice.ensemble.source)}; common random numbers. NPV of the firm's "
            f"monthly cash flows over {advice.scenario.months} months at "
            f"{advice.discount.annual:.1%} a year ({escape(advice.discount.source)}), "
            "no terminal value.</p>",
            f"<p><b>Best expected:</b> {escape(summary['best_expected'])}. <b>Robust</b> "
            f"(least maximum regret): {escape(summary['robust'])}.</p>",
            "<h2>Ranking</h2>", _table(shown, {"p_beats_status_quo": ".0%"}),
            "<div class='charts'>", interval_chart(table),
            band_chart(cash_over_time(advice, top), "cash", "Cash change since month 0 (USD)",
                       top), "</div>",
            f"<p class='legend'>{legend(top)}</p>",
            "<h2>Why: the drivers</h2><ul>",
            *(f"<li><b>{escape(r.move)}</b>: {escape(r.drivers)}</li>"
              for r in table.itertuples()), "</ul>",
            "<h2>Scenario discovery (PRIM)</h2>", f"<p>{escape(discovery_text(advice))}</p>",
            "</body></html>"]
    return "\n".join(html)
