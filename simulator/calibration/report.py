"""Terminal tables of a calibration and of a backtest (rich)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from plumbing.numbers import compact


def _value(value: float, unit: str) -> str:
    return f"{value:.1f}" if unit.startswith("months") else compact(value)


def print_calibration(out: Path, metadata: dict, console: Console) -> None:
    """Waves, the non-implausible box and how each observation is met."""
    waves = Table(title="History-matching waves")
    for column in ("wave", "points", "non-implausible", "failed"):
        waves.add_column(column, justify="right")
    for wave in metadata["waves"]:
        waves.add_row(str(wave["wave"]), str(wave["points"]), str(wave["non_implausible"]),
                      str(wave["failed"]))
    console.print(waves)
    kept = pd.read_parquet(out / "non_implausible.parquet")
    box = Table(title=f"Non-implausible region ({len(kept)} points)")
    for column in ("parameter", "range searched", "non-implausible min", "max"):
        box.add_column(column, justify="right" if column != "parameter" else "left")
    for p in metadata["parameters"]:
        low, high = ((compact(kept[p["name"]].min()), compact(kept[p["name"]].max()))
                     if len(kept) else ("-", "-"))
        box.add_row(p["name"], f"{compact(p['low'])} .. {compact(p['high'])}", low, high)
    console.print(box)
    fit = pd.read_parquet(out / "observations.parquet")
    where = "non-implausible points" if len(kept) else "the least implausible point"
    table = Table(title=f"Calibration observations: implausibility I over {where}",
                  caption="sd: observation / model discrepancy, on the comparison scale; "
                          "I: the median over the set (red: none of it within the cut-off); "
                          "best: the lowest I of any evaluated point")
    table.add_column("observation", no_wrap=True)
    for column in ("observed", "scale", "sd", "I", "best"):
        table.add_column(column, justify="right")
    for row in fit.itertuples():
        shown = f"{row.median_I:.2f}" if row.within_cutoff else f"[red]{row.median_I:.2f}[/red]"
        table.add_row(row.id, compact(row.observed), row.scale,
                      f"{compact(row.sd_obs)}/{compact(row.sd_md)}", shown,
                      f"{row.min_I_any_point:.2f}")
    console.print(table)
    unmet = fit.loc[fit["min_I_any_point"] > metadata["settings"]["cutoff"], "id"]
    if len(unmet):
        console.print("[yellow]no evaluated point meets:[/yellow] " + ", ".join(unmet)
                      + " (what the model leaves out, or a range too narrow)")
    console.print(f"wrote {out}/ (points, non_implausible, observations, runs .parquet; "
                  "calibrated.toml)")


def print_backtest(result, console: Console) -> None:
    """Held-out observations against the predicted intervals, coverage, rank correlation."""
    summary = result.summary
    table = Table(title=f"Backtest {summary['holdout']}: {summary['members']} "
                        f"{summary['ensemble']} members, {summary['runs']} runs",
                  caption="red: outside the predictive 90% interval; dates in months "
                          "since the start")
    table.add_column("observation", no_wrap=True)
    for column in ("observed", "median", "ensemble 90%", "predictive 90%"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in result.predictions.itertuples():
        observed = _value(row.observed, row.unit)
        table.add_row(row.id, observed if row.inside else f"[red]{observed}[/red]",
                      _value(row.median, row.unit),
                      f"{_value(row.ensemble_p05, row.unit)}-{_value(row.ensemble_p95, row.unit)}",
                      f"{_value(row.predictive_p05, row.unit)}-"
                      f"{_value(row.predictive_p95, row.unit)}")
    console.print(table)
    console.print(f"coverage of the predictive 90% intervals: {summary['coverage_90']:.0%} of "
                  f"{summary['observations']} held-out observations (target >= 80%)")
    for rank in summary["spearman"]:
        rho = rank["spearman"]
        shown = "n/a (fewer than 3 countries)" if np.isnan(rho) else f"{rho:.2f}"
        console.print(f"country traffic rank correlation, {rank['firm']} {rank['date']}: "
                      f"Spearman {shown} over {rank['countries']} countries (target >= 0.7)")
    for check in summary.get("surveys", []):
        rho = check["spearman"]
        shown = "n/a" if rho is None else f"{rho:.2f}"
        whose = f"{check['firm']}'s users" if check.get("firm") else "all firms' users"
        console.print(f"held-out survey {check['survey']} ({check['date']}, "
                      f"{check['measure']}; {whose}): Spearman {shown} over "
                      f"{len(check['countries'])} countries (target >= 0.7); the model's "
                      f"level is {check['level_ratio']:.2f} x the survey's")
    if result.context:
        console.print("not modelled (recorded, not scored): "
                      + ", ".join(o.id for o in result.context))
