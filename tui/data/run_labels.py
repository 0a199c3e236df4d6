"""What a picked run, batch strategy or advice is, in one line. Free of Textual.

Pickers list each choice by its scenario's name, its firm(s), its date range and months,
and when it was made (the folder's time), so three runs of one scenario no longer read
alike; a seed or strategy is added where it tells runs apart. `common_months` is the span
two choices of different horizons are compared over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tui.i18n import _

MAX_FIRMS = 2  # named in a label; more are counted


@dataclass(frozen=True)
class Span:
    """The months a run covers: how many, and the calendar months of the first and last."""

    months: int
    first: str  # YYYY-MM
    last: str  # YYYY-MM


def made(path: Path) -> str:
    """When a report or advice folder was written (its newest file's time), to the minute."""
    files = [p for p in (path, *path.iterdir()) if p.exists()] if path.is_dir() else [path]
    stamp = max(p.stat().st_mtime for p in files)
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def run_span(report, run_id: str | None = None) -> Span:
    """Months and dates of one run of a report (of all its runs when `run_id` is None)."""
    frame = report.firm_months
    if run_id is not None:
        frame = frame[frame["run_id"] == run_id]
    if frame.empty:
        return Span(0, "—", "—")
    if "date" not in frame.columns:  # a report written without dates: months only
        return Span(int(frame["month"].max()), "—", "—")
    dates = frame.groupby("month")["date"].first()
    return Span(int(dates.index.max()), _month(dates.iloc[0]), _month(dates.iloc[-1]))


def _month(value) -> str:
    return f"{value.year}-{value.month:02d}"


def _firms(names: list[str]) -> str:
    if len(names) <= MAX_FIRMS:
        return ", ".join(names)
    return _("{count} firms").format(count=len(names))


def _scenario(report) -> str:
    runs = report.runs
    if "scenario" in runs.columns and runs["scenario"].notna().any():
        return str(runs["scenario"].dropna().iloc[0])
    return report.path.name


def span_text(span: Span) -> str:
    """`2022-11–2032-10 (120 months)`."""
    return _("{first}–{last} ({months} months)").format(first=span.first, last=span.last,
                                                        months=span.months)


def run_label(report, run_id: str) -> str:
    """A run: scenario · firms · dates (months) · made · seed (or its batch run id)."""
    firms = [str(f) for f in dict.fromkeys(
        report.firm_months.loc[report.firm_months["run_id"] == run_id, "firm"])]
    parts = [_scenario(report), _firms(firms), span_text(run_span(report, run_id)),
             _("made {when}").format(when=made(report.path))]
    row = report.runs[report.runs["run_id"].astype(str) == run_id] if (
        "run_id" in report.runs.columns) else report.runs.iloc[:0]
    if len(row) and "point" in row.columns and row["point"].notna().any():
        parts.append(run_id)  # a batch run: strategy, design point and replicate
    elif len(row) and "seed" in row.columns and row["seed"].notna().any():
        parts.append(_("seed {seed}").format(seed=int(row["seed"].iloc[0])))
    return " · ".join(parts)


def strategy_label(report, strategy: str) -> str:
    """A batch strategy: scenario · strategy (median of N runs) · focus firm · dates · made."""
    count = int((report.runs["strategy"] == strategy).sum())
    parts = [_scenario(report), _("{strategy} (median of {runs} runs)").format(
                 strategy=strategy, runs=count)]
    if report.focus_firm:
        parts.append(report.focus_firm)
    parts += [span_text(run_span(report)), _("made {when}").format(when=made(report.path))]
    return " · ".join(parts)


def advice_label(summary: dict, start_date: str, folder: Path) -> str:
    """An advice: scenario · firm · dates valued (months) · futures · made."""
    from simulator.reports.chart_axes import month_label

    # Valued from the decision month (advice.json's `decision_month`, 1 before --from).
    months, first = int(summary["horizon_months"]), int(summary.get("decision_month", 1))
    span = Span(months, month_label(start_date, first),
                month_label(start_date, first + months - 1))
    return " · ".join([summary["scenario"]["name"], summary["firm"], span_text(span),
                       _("{members} futures").format(members=summary["ensemble"]["members"]),
                       _("made {when}").format(when=made(folder))])


def common_months(a: Span, b: Span) -> int:
    """The months two runs share from their start: the shorter horizon."""
    return min(a.months, b.months)
