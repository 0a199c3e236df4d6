"""Reading Parquet reports for the results, run and world screens.

A report is what `simulator run --out DIR` or `simulator batch --out DIR` writes: the
tables of `simulator.reports.schema` (docs/data_dictionary.md), of which the screens read
`runs`, the country table `timeseries` and `firm_months` (the firm-level figures, cash
among them); batches over a Sobol design also have sensitivity indices. The derived
figures (shares, totals, final KPIs) are `simulator.reports.aggregates`', so they are the ones
the CLI and the HTML report show; this module only reads the tables and picks figures
for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.reports import aggregates
from simulator.reports.aggregates import KPIS, firm_totals
from tui.i18n import _

if TYPE_CHECKING:
    import pandas as pd

# pandas and pyarrow are imported where used: the app draws its first screen without them.

# Columns the screens add up and chart, per table: a text or date column there would only
# fail later, inside a screen.
NUMERIC = {"timeseries": ("month", "users", "share", "revenue"),
           "firm_months": ("month", "users", "share", "revenue", "cash")}


class ReportError(Exception):
    """A report folder that cannot be read, with a message naming the file and the problem."""


@dataclass
class Report:
    """One opened report: its runs, country and firm-month tables (and batch extras)."""

    path: Path
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    firm_months: pd.DataFrame
    bands: pd.DataFrame | None = None  # batches: simulator.reports.analysis.over_time
    # Sobol batches: simulator.reports.analysis.sobol_indices
    sensitivity: pd.DataFrame | None = None
    focus_firm: str | None = None  # batches: the firm the sweep is about

    @property
    def is_batch(self) -> bool:
        """Whether it is a batch folder (or otherwise holds more than one run)."""
        return self.bands is not None or self.timeseries["run_id"].nunique() > 1

    def strategies(self) -> list[str]:
        """The strategy variants of a batch, in the runs' order ([] for a single run)."""
        if "strategy" not in self.runs.columns:
            return []
        return [str(s) for s in dict.fromkeys(self.runs["strategy"].dropna())]

    def run_ids(self) -> list[str]:
        """Run ids in the order of the runs table (else of the timeseries)."""
        if "run_id" in self.runs.columns and len(self.runs):
            return [str(r) for r in self.runs["run_id"]]
        return sorted(str(r) for r in self.timeseries["run_id"].unique())


def _read_table(folder: Path, name: str, required: bool = True) -> pd.DataFrame | None:
    import pyarrow.dataset as ds

    for candidate in (folder / f"{name}.parquet", folder / name):
        if candidate.exists():
            try:
                return ds.dataset(candidate, format="parquet").to_table().to_pandas()
            except (OSError, ValueError) as error:
                raise ReportError(
                    _("{path}: not a readable Parquet table ({error})").format(
                        path=candidate, error=error)
                ) from error
    if required:
        raise ReportError(
            _("{path}: no '{name}' table (expected {name}.parquet or a {name}/ folder)").format(
                path=folder, name=name)
        )
    return None


def open_batch(folder: Path) -> Report:
    """A `simulator batch` folder, read and summarised by the simulator's own analysis."""
    from simulator.batch.store import read_table
    from simulator.reports.analysis import Batch, over_time, sobol_indices

    batch = Batch(folder)
    timeseries = read_table(folder, "timeseries").to_pandas()
    if timeseries.empty:
        raise ReportError(_("{path}: the batch has no finished run yet").format(path=folder))
    return Report(folder, batch.ok.reset_index(drop=True), timeseries,
                  read_table(folder, "firm_months").to_pandas(), over_time(batch),
                  sobol_indices(batch), batch.metadata.get("focus_firm"))


def _checked_table(folder: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    frame = _read_table(folder, name)
    missing = [c for c in ("run_id", "firm", *required) if c not in frame.columns]
    if missing:
        raise ReportError(_("{path}: {name} lacks columns {columns}").format(
            path=folder, name=name, columns=", ".join(missing)))
    wrong = [c for c in required if not pd.api.types.is_numeric_dtype(frame[c])]
    if wrong:
        raise ReportError(_("{path}: {name} columns {columns} are not numbers").format(
            path=folder, name=name, columns=", ".join(wrong)))
    frame["run_id"] = frame["run_id"].astype(str)
    return frame


def open_report(path: str | Path) -> Report:
    """Read a report folder (one run or a batch); ReportError says what is wrong."""
    import pandas as pd

    from simulator.batch.store import METADATA

    folder = Path(path)
    if not folder.is_dir():
        raise ReportError(_("{path}: no such report folder").format(path=folder))
    if (folder / METADATA).is_file():
        from plumbing.errors import InputError

        try:
            return open_batch(folder)
        except (InputError, OSError, ValueError, KeyError) as error:
            raise ReportError(_("{path}: not a readable batch folder ({error})").format(
                path=folder, error=error)) from error
    timeseries = _checked_table(folder, "timeseries", NUMERIC["timeseries"])
    firm_months = _checked_table(folder, "firm_months", NUMERIC["firm_months"])
    runs = _read_table(folder, "runs", required=False)
    if runs is None:
        runs = pd.DataFrame({"run_id": sorted(timeseries["run_id"].unique())})
    return Report(folder, runs, timeseries, firm_months)


def find_reports(root: Path) -> list[Path]:
    """Report folders directly under `root` (a run's or a batch's), newest first."""
    from simulator.batch.store import METADATA

    if not root.is_dir():
        return []
    found = [p for p in root.iterdir()
             if p.is_dir() and ((p / "timeseries.parquet").exists() or (p / METADATA).exists())]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def firm_series(timeseries: pd.DataFrame, firm_months: pd.DataFrame, run_id: str | None,
                metric: str, countries: set[str] | None = None) -> dict[str, pd.Series]:
    """Per firm, a monthly figure of the firm-month table, over `countries` (all when None).

    Over some countries, users and revenue are summed over them and `share` is the firm's
    users over all firms' users there (`simulator.reports.aggregates.firm_totals`); `cash` is the
    firm's company-wide cash whatever the countries.
    """
    if run_id is not None:
        timeseries = timeseries[timeseries["run_id"] == run_id]
        firm_months = firm_months[firm_months["run_id"] == run_id]
    if countries is None or metric == "cash":
        frame = firm_months
    else:
        frame = timeseries[timeseries["country"].isin(countries)]
        frame = firm_totals(frame, ["month"]) if len(frame) else frame
    if frame.empty:
        return {}
    table = frame.pivot_table(index="month", columns="firm", values=metric, aggfunc="sum")
    return {str(firm): table[firm].fillna(0.0) for firm in table.columns}


def final_kpis(report: Report, run_id: str, until: int | None = None) -> pd.DataFrame:
    """Per firm at the end of a run (or of its month `until`): `simulator.reports.aggregates.KPIS`.

    Indexed by firm; with `until`, revenue over the run is summed to that month, so runs of
    different horizons compare over the months they share.
    """
    firm_months = report.firm_months[report.firm_months["run_id"] == run_id]
    if until is not None:
        firm_months = firm_months[firm_months["month"] <= until]
    return aggregates.final_kpis(firm_months).loc[run_id, list(KPIS)]


def compare_kpis(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Side by side KPIs of two runs per firm and KPI: a, b, b - a and the relative change."""
    import pandas as pd
    rows = []
    for firm in sorted(set(a.index) | set(b.index)):
        for kpi in KPIS:
            value_a = float(a.at[firm, kpi]) if firm in a.index else float("nan")
            value_b = float(b.at[firm, kpi]) if firm in b.index else float("nan")
            delta = value_b - value_a
            relative = delta / abs(value_a) if value_a != 0.0 and value_a == value_a else None
            rows.append({"firm": firm, "kpi": kpi, "a": value_a, "b": value_b,
                         "delta": delta, "relative": relative})
    return pd.DataFrame(rows)


def strategy_kpis(report: Report, strategy: str, until: int | None = None) -> pd.DataFrame:
    """Per firm, the median across a batch strategy's runs of each KPI (at month `until`)."""
    import pandas as pd
    run_ids = [str(r) for r in report.runs.loc[report.runs["strategy"] == strategy, "run_id"]]
    frames = [final_kpis(report, run_id, until) for run_id in run_ids]
    return pd.concat(frames).groupby(level=0).median() if frames else pd.DataFrame(
        columns=list(KPIS))


def strategy_series(report: Report, strategy: str, metric: str) -> dict[str, pd.Series]:
    """Per firm, the median across a batch strategy's runs of a metric over months."""
    import pandas as pd

    run_ids = [str(r) for r in report.runs.loc[report.runs["strategy"] == strategy, "run_id"]]
    per_firm: dict[str, list[pd.Series]] = {}
    for run_id in run_ids:
        for firm, series in firm_series(report.timeseries, report.firm_months, run_id,
                                        metric).items():
            per_firm.setdefault(firm, []).append(series)
    return {firm: pd.concat(series, axis=1).median(axis=1) for firm, series in per_firm.items()}
