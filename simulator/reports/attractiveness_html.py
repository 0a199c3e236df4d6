"""Country attractiveness (`simulator.reports.attractiveness`) as one self-contained HTML page.

One table, every country of the scenario for the firm, in a reader's words and units (the
largest consumer revenue potential first unless asked otherwise); why a country is
forbidden is a numbered note under the table, so the table stays narrow; the recipe of
each figure above it. The batch report's style (`simulator.reports.html`).
"""

from __future__ import annotations

from html import escape

import pandas as pd

from plumbing.numbers import MISSING, compact, compact_money
from simulator.reports.attractiveness import CountryTable, sort_rows
from simulator.reports.chart_axes import month_label
from simulator.reports.html import _table, page_head

COLUMNS = {  # CountryRow field -> the table's heading
    "iso2": "country", "status": "status for the firm", "addressable": "market: people",
    "revenue_potential": "revenue potential, $ a year", "growth": "users' growth, a year",
    "rivals": "rivals present", "token_premium": "token premium (x English)",
    "language_quality": "language quality (English = 1)", "entry": "entry: compliance, delay",
    "residency": "data residency", "distance": "CAGE distance",
    "advice": "advice: best move here, median gain",
}


def _status(row, notes: list[str]) -> str:
    if row.status == "forbidden":
        notes.append(row.why)
        return f"forbidden [{len(notes)}]"
    return f"enters {row.why}" if row.status == "enters" else row.status


def frame(table: CountryTable, sort: str = "revenue_potential",
          descending: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """The table's rows in words and units, and the notes its status cells point to."""
    notes: list[str] = []
    rows = []
    for r in sort_rows(table.rows, sort, descending):
        rows.append({
            COLUMNS["iso2"]: r.iso2, COLUMNS["status"]: _status(r, notes),
            COLUMNS["addressable"]: compact(r.addressable),
            COLUMNS["revenue_potential"]: compact_money(r.revenue_potential),
            COLUMNS["growth"]: MISSING if r.growth is None else f"{r.growth:+.0%}",
            COLUMNS["rivals"]: ", ".join(r.rivals) or "none",
            COLUMNS["token_premium"]: f"{r.token_premium:.2f}",
            COLUMNS["language_quality"]: f"{r.language_quality:.2f}",
            COLUMNS["entry"]: f"{compact_money(r.compliance_usd)}, {r.delay_months:.0f} "
                              f"month{'' if r.delay_months == 1 else 's'}",
            COLUMNS["residency"]: {"yes": "yes", "": "no"}.get(r.residency,
                                                               f"from {r.residency}"),
            COLUMNS["distance"]: f"{r.distance:.2f}",
            COLUMNS["advice"]: MISSING if r.advice_move is None else
            f"{r.advice_move}, {'+' if r.advice_gain > 0 else ''}"
            f"{compact_money(r.advice_gain)}",
        })
    return pd.DataFrame(rows), notes


def render(table: CountryTable, sort: str = "revenue_potential", descending: bool = True) -> str:
    """The whole page."""
    rows, notes = frame(table, sort, descending)
    end = month_label(table.start_date, table.months)
    advice = (f"Advice: {escape(table.advice)} (the move about the country, or a region "
              "holding it, with the largest median NPV gain over the status quo)."
              if table.advice else
              f"Advice: {MISSING} (no advice for {escape(table.firm)}: run `simulator advise "
              f"SCENARIO --firm \"{escape(table.firm)}\"` or press a on the TUI's Advice "
              "screen, then give its folder with --advice).")
    return "\n".join([
        page_head(f"Countries for {table.firm}"),
        f"<h1>Where could {escape(table.firm)} go? Every country as the model sees it</h1>",
        f"<p class='muted'>Scenario {escape(table.scenario)}, from "
        f"{month_label(table.start_date, 1)} to {end} ({table.months} months); status, market, "
        f"quality, entry and residency as of {table.today or table.start_date} (the scenario's "
        "today, else its start). Market: people who could use an assistant (population x "
        "share online x adoption ceiling); revenue potential: a year of the "
        "start's market at the firm's local price and paying share. Growth: every firm's "
        "users there over the scenario's status-quo run, a year, over its last year. Rivals: "
        "the other firms serving it at the run's end "
        f"({end}). Token premium: the firm's tokenizer in the country's languages against "
        "English; language quality: its model's quality there against its English. Entry: the "
        "one-off compliance cost and the months it delays entry. Data residency: whether "
        "organisations there can keep their data in the country or its bloc with the firm. "
        "CAGE distance (cultural, administrative, geographic, economic) from the firm's home, "
        f"0 to 1. {advice}</p>",
        _table(rows, left=(COLUMNS["rivals"], COLUMNS["advice"]),
               names=(COLUMNS["iso2"], COLUMNS["status"])),
        *([("<h2>Why a country is forbidden</h2><ol>"
            + "".join(f"<li>{escape(note)}</li>" for note in notes) + "</ol>")] if notes else []),
        "</body></html>"])
