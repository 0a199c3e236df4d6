"""The advice shown: a rich table in the terminal and one self-contained HTML page.

The page is written for the person who decides: the answer in one sentence first, then the
ranking in words and millions of dollars, the gain of the top moves over the status quo
(p10-p90 bar, median tick, every bar labelled), each top move's cash over time beside the
status quo (one panel per move on a shared scale, so bands never hide each other), the
drivers per move folded, and where the top move loses (PRIM). Model months are shown as
calendar months (YYYY-MM) from the scenario's start_date. The batch report's style and
helpers (`simulator.reports.html`) draw it.
"""

from __future__ import annotations

import re
from html import escape

import numpy as np
import pandas as pd
from rich.table import Table

from plumbing.numbers import compact, compact_money
from simulator.advice.advise import Advice
from simulator.advice.labels import LABELS
from simulator.advice.moves import STATUS_QUO
from simulator.advice.tornado import RECIPE, top_move_tornado
from simulator.advice.tornado_chart import tornado_chart
from simulator.reports.chart_axes import month_label, nice_ticks, tick_labels, x_axis
from simulator.reports.html import PALETTE, _table, band_chart, figure, page_head

TOP_GAIN = 10  # moves in the gain chart: a screen's worth, the rest are in the table
TOP_CASH = 4  # moves drawn over time, one panel each, beside the status quo
OPEN_DRIVERS = 3  # moves whose drivers are unfolded
MONTH = re.compile(r"\b(?:(in|at) )?month (\d+)\b")


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.0%}"


def terminal_table(advice: Advice) -> Table:
    """The ranking: NPV quantiles, P(beats status quo), max regret; robust and best marked."""
    table = Table(title=f"Moves for {advice.firm}: NPV over {span_text(advice)} at "
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
    ranges = "; ".join(f"{n} in {compact(box.limits[n][0])} .. {compact(box.limits[n][1])} "
                       f"({box.significance(n)})" for n in box.restricted) \
        or "anywhere (no range stands out)"
    return (f"{head}; mostly where {ranges} (PRIM box: {box.coverage:.0%} of the losses, "
            f"{box.density:.0%} of its members lose, against {box.base_density:.0%} overall).")


def dated(text: str, start: str) -> str:
    """`text` with its model months ("in month 12", "at month 36") as calendar months."""
    return MONTH.sub(lambda m: f"in {month_label(start, int(m.group(2)))}", text)


def millions(value: float) -> str:
    """Dollars in millions for the ranking's $M columns (-1,234.5)."""
    return figure(value, "") if value != value else f"{value / 1e6:,.1f}"


def gains(advice: Advice) -> pd.DataFrame:
    """Per move the paired NPV gain over the status quo across members: p10, p50, p90."""
    names = [m.name for m in advice.moves]
    gain = advice.values - advice.values[names.index(STATUS_QUO)]
    q = np.quantile(gain, [0.1, 0.5, 0.9], axis=1)
    same = np.all(advice.cash == advice.cash[names.index(STATUS_QUO)], axis=(1, 2))
    return pd.DataFrame({"move": names, "gain_p10": q[0], "gain_p50": q[1], "gain_p90": q[2],
                         "changes_nothing": same}).set_index("move")


def valued(advice: Advice) -> tuple[int, int]:
    """(first model month, months) the NPVs count: from the decision date over the horizon."""
    return advice.decision.month, advice.decision.horizon


def span_text(advice: Advice) -> str:
    """`36 months (2025-12 to 2028-11)`: what the NPVs count, as calendar months."""
    (first, months), start = valued(advice), advice.scenario.start_date
    return (f"{months} months ({month_label(start, first)} to "
            f"{month_label(start, first + months - 1)})")


def answer(advice: Advice) -> str:
    """The advice in one sentence (and the robust choice where it differs), as HTML."""
    table, start = advice.table.set_index("move"), advice.scenario.start_date
    summary = advice.summary()
    best, robust = summary["best_expected"], summary["robust"]
    span = f"over {span_text(advice)[:-1]}, {advice.ensemble.size} simulated futures)"
    if best == STATUS_QUO:
        text = (f"<b>Stay the course.</b> No move beats the status quo's median NPV {span}: "
                f"{escape(figure(table.loc[best, 'npv_p50'], 'money'))}.")
    else:
        row = table.loc[best]
        text = (f"<b>{escape(dated(row['description'], start)).capitalize()}</b> "
                f"({escape(best)}): {span} it adds a median "
                f"{escape(figure(row['gain_p50'], 'money'))} of NPV to the status quo and beats "
                f"it in {row['p_beats_status_quo']:.0%} of the futures.")
    if robust == best:
        return text + " It is also the robust choice: the least regret if the future goes badly."
    return text + (f" The robust choice, with the least regret if the future goes badly, is "
                   f"{escape(dated(table.loc[robust, 'description'], start))} ({escape(robust)},"
                   f" largest regret {escape(figure(table.loc[robust, 'max_regret'], 'money'))}).")


def ranking(advice: Advice) -> pd.DataFrame:
    """The ranking in a reader's words and millions of dollars."""
    start, rows = advice.scenario.start_date, []
    for r in advice.table.itertuples():
        mark = ("★" if r.best_expected else "") + (" R" if r.robust else "")
        beats = "reference" if r.move == STATUS_QUO else f"{r.p_beats_status_quo:.0%}"
        money = {f"{LABELS[k]}, $M": millions(getattr(r, k)) for k in
                 ("npv_p10", "npv_p50", "npv_p90", "gain_p50")}
        rows.append({"": mark.strip(), "move": r.move, LABELS["description"]: dated(
                         r.description, start), **money, LABELS["p_beats_status_quo"]: beats,
                     f"{LABELS['max_regret']}, $M": millions(r.max_regret)})
    return pd.DataFrame(rows)


def gain_chart(advice: Advice, found: pd.DataFrame) -> str:
    """SVG: the top moves' NPV gain over the status quo, p10-p90 bar, median tick and value."""
    rows = found[~found["changes_nothing"]].drop(STATUS_QUO, errors="ignore")
    rows = rows.sort_values("gain_p50", ascending=False).head(TOP_GAIN)
    if rows.empty:
        return ""
    row_h, label_w, width, value_w = 24, 170, 1000, 80
    top, height = 30, 30 + len(rows) * row_h + 46
    ticks = nice_ticks(min(rows["gain_p10"].min(), 0.0), max(rows["gain_p90"].max(), 0.0))
    low, high = ticks[0], ticks[-1]

    def x(v: float) -> float:
        return label_w + (v - low) / (high - low) * (width - label_w - value_w)

    bottom = top + len(rows) * row_h
    title = (f"Gain in NPV over the status quo: the {len(rows)} best moves "
             f"(bar: pessimistic p10 to optimistic p90; tick and figure: median)")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img"><title>{escape(title)}</title>',
             f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>',
             f'<text class="axis-title y-title" x="4" y="{top - 2}">move</text>',
             f'<line x1="{x(0):.1f}" y1="{top}" x2="{x(0):.1f}" y2="{bottom}" stroke="#444" '
             f'stroke-dasharray="3 2"/><text x="{x(0) + 4:.1f}" y="{top - 2}">status quo</text>',
             *x_axis(tick_labels(ticks, "money"), x, bottom, label_w, width - value_w,
                     f"NPV gain over {valued(advice)[1]} months (USD; 0 = the status quo)")]
    for i, (move, r) in enumerate(rows.iterrows()):
        y, color = top + i * row_h, PALETTE[0] if r["gain_p50"] >= 0 else PALETTE[1]
        parts += [f'<text x="4" y="{y + 16}">{escape(move)}</text>',
                  f'<rect x="{x(r["gain_p10"]):.1f}" y="{y + 5}" height="{row_h - 10}" width="'
                  f'{max(x(r["gain_p90"]) - x(r["gain_p10"]), 1):.1f}" fill="{color}" '
                  f'fill-opacity="0.35"/>',
                  f'<line x1="{x(r["gain_p50"]):.1f}" y1="{y + 2}" x2="{x(r["gain_p50"]):.1f}" '
                  f'y2="{y + row_h - 2}" stroke="{color}" stroke-width="3"/>',
                  f'<text x="{width - value_w + 6}" y="{y + 16}">'
                  f'{escape(("+" if r["gain_p50"] > 0 else "") + figure(r["gain_p50"], "money"))}'
                  "</text>"]
    parts.append("</svg>")
    return "".join(parts)


def cash_over_time(advice: Advice, moves: list[str]) -> pd.DataFrame:
    """Per move and model month: p10, median, p90 of the firm's cash change since the decision.

    `advice.cash` holds the horizon's months from the decision date; each member's change
    is against its own cash at that date (`start_cash`).
    """
    names, first = [m.name for m in advice.moves], valued(advice)[0]
    rows = []
    for move in moves:
        change = advice.cash[names.index(move)] - advice.start_cash[:, None]  # [members, months]
        q = np.quantile(change, [0.1, 0.5, 0.9], axis=0)
        rows += [{"strategy": move, "month": first + t, "cash_p10": q[0, t],
                  "cash_median": q[1, t], "cash_p90": q[2, t]} for t in range(change.shape[1])]
    return pd.DataFrame(rows)


def cash_panels(advice: Advice, moves: list[str]) -> str:
    """One chart per move on one shared scale, the status quo's median dashed in each."""
    frame = cash_over_time(advice, [*moves, STATUS_QUO])
    limits = (min(frame["cash_p10"].min(), 0.0), max(frame["cash_p90"].max(), 0.0))
    return "".join(band_chart(frame, "cash", f"{move} against the status quo (dashed)", [move],
                              "cash change since the decision (USD)", "money",
                              advice.scenario.start_date, limits, STATUS_QUO,
                              [PALETTE[i % len(PALETTE)]])
                   for i, move in enumerate(moves))


def drivers(advice: Advice, found: pd.DataFrame) -> list[str]:
    """Per move its drivers folded under a one-line summary; moves that change nothing together."""
    start, parts, idle = advice.scenario.start_date, [], []
    for i, r in enumerate(advice.table.itertuples()):
        if found.loc[r.move, "changes_nothing"] and r.move != STATUS_QUO:
            idle.append(r.move)
            continue
        gain = "" if r.move == STATUS_QUO else (
            f"; median gain {('+' if r.gain_p50 > 0 else '')}{figure(r.gain_p50, 'money')}")
        items = "".join(f"<li>{escape(dated(d, start))}</li>" for d in r.drivers.split("; "))
        parts.append(f"<details{' open' if i < OPEN_DRIVERS else ''}><summary><b>"
                     f"{escape(r.move)}</b>: {escape(dated(r.description, start))}"
                     f"{escape(gain)}</summary><ul>{items}</ul></details>")
    if idle:
        parts.append(f"<details><summary>{len(idle)} moves change nothing (the firm's cash is "
                     "the status quo's in every future)</summary><p>"
                     f"{escape(', '.join(idle))}</p></details>")
    return parts


def render(advice: Advice) -> str:
    """The whole page."""
    summary, table, found = advice.summary(), advice.table, gains(advice)
    moving = [m for m in table["move"] if m != STATUS_QUO and not found.loc[m, "changes_nothing"]]
    months = valued(advice)[1]
    html = [page_head(f"Advice for {advice.firm}"),
            f"<h1>Where should {escape(advice.firm)} expand next?</h1>",
            f"<p class='answer'>{answer(advice)}</p>",
            f"<p class='muted'>Scenario {escape(advice.scenario.name)} "
            f"({escape(str(advice.scenario.source))}, digest {summary['scenario']['digest']}); "
            f"{len(advice.moves)} moves x {advice.ensemble.size} members: "
            f"{escape(advice.ensemble.source)}; common random numbers. NPV of the firm's "
            f"monthly cash flows over {span_text(advice)}, from the decision date, "
            f"at {advice.discount.annual:.1%} a year ({escape(advice.discount.source)}), "
            "no terminal value. Pessimistic and optimistic are the 10th and 90th percentiles "
            "over the members; the largest regret is what a move forgoes, in its worst member, "
            "against the best move of that member.</p>",
            gain_chart(advice, found),
            "<h2>The moves, best expected first</h2>",
            "<p class='muted'>★ best expected: the highest mean NPV. R robust: the least "
            "largest regret. NPV in millions of US dollars.</p>",
            _table(ranking(advice), left=(LABELS["description"],), names=("", "move")),
            "<h2>What the top move's value depends on</h2>",
            f"<p class='muted'>{escape(RECIPE)}</p>",
            tornado_chart(top_move_tornado(
                list(table["move"]), {m.name: advice.values[i] for i, m in
                                      enumerate(advice.moves)},
                advice.ensemble.member_values(), advice.ensemble.names), months),
            "<h2>Cash over time</h2><div class='charts'>",
            cash_panels(advice, moving[:TOP_CASH]), "</div>",
            "<h2>Why: the drivers of each move</h2>", *drivers(advice, found),
            "<h2>Where the top move loses (scenario discovery, PRIM)</h2>",
            f"<p>{escape(discovery_text(advice))}</p>",
            "</body></html>"]
    return "\n".join(html)
