"""`simulator backtest`: the calibrated ensemble run forward over a held-out window.

Every member of the ensemble (a non-implausible point) runs with the calibration's
replicate seeds to the window's last month; each held-out observation then gets

- the ensemble's 90% interval (5th-95th percentile of the member x seed values), and
- the predictive 90% interval: those values plus draws of the model discrepancy and the
  observation error (V_md + V_obs, Gaussian), the interval the observation should fall in
  if the calibration's error budget is right. Coverage counts the observations inside it.

Country traffic shares are also compared by rank (Spearman's rho of the observed shares
against the ensemble medians, per firm and date). Rows the model cannot produce (context
metrics) are listed, not scored.

Output folder: `runs/points/*.parquet` (the ensemble's runs, resumable like a wave),
`predictions.parquet` (one row per held-out observation), `summary.json`, and the
fingerprint of what the runs were made from (`plumbing.fingerprint`: the window, the
members, the scenario, its profile, the observations, the model's code). One backtest
writes a folder at a time. A finished folder is resumed only with the same fingerprint;
another is refused, naming what changed. An unfinished one (killed, or every run failed)
never poisons its folder: its failed points, or all its runs when they were made from
other inputs, are run again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from plumbing.atomic import write_parquet, write_text
from plumbing.errors import InputError
from plumbing.fingerprint import check, file_part, record, recorded, value_part
from plumbing.locks import exclusive
from simulator.calibration.calibrate import parse_month, scenario_markets, start_of
from simulator.calibration.engine import points_to_run, run_points
from simulator.calibration.ensemble import (
    calibration_metadata,
    load_ensemble,
    non_implausible_count,
)
from simulator.calibration.evaluate import EvaluationPlan, read_points
from simulator.calibration.metrics import METRICS
from simulator.calibration.observations import Observation, read_observations
from simulator.calibration.survey import by_survey, compare, load_survey, population
from simulator.calibration.targets import Targets, check_against, select
from simulator.geography import build_geography
from simulator.scenario import Scenario, parse_scenario
from simulator.scenario.inputs import scenario_parts

PREDICTIVE_DRAWS = 50  # discrepancy + error draws per ensemble value (seeded)
# Points that stand in when no point is non-implausible (the report labels them so).
FALLBACK_MEMBERS = 20
COMMAND = "simulator backtest"
SUMMARY = "summary.json"
PREDICTIONS = "predictions.parquet"


@dataclass
class Backtest:
    """A finished backtest: predictions per observation, the summary, what is unscored."""

    predictions: pd.DataFrame
    summary: dict
    context: list[Observation]
    series: pd.DataFrame  # firm, month, users_p10/median/p90: the ensemble over time


def parse_window(text: str) -> tuple[date, date]:
    """'2025-01..2025-12' -> (first day of the first month, first day of the last)."""
    first, sep, last = text.partition("..")
    if not sep:
        raise InputError(f"--holdout: expected FIRST..LAST months such as 2025-01..2025-12, "
                         f"got {text!r}")
    window = parse_month(first, "--holdout"), parse_month(last, "--holdout")
    if window[1] < window[0]:
        raise InputError(f"--holdout: expected the first month before the last, got {text!r}")
    return window


def predict(targets: Targets, samples: np.ndarray, seed: int) -> pd.DataFrame:
    """One row per observation from samples shaped [members x seeds, observations]."""
    rng = np.random.default_rng(seed)
    scaled = targets.transform(samples)  # the comparison scale (logs, months)
    rows = []
    for j, obs in enumerate(targets.observations):
        values = scaled[:, j]
        noise = rng.normal(0.0, np.sqrt(targets.v_md[j] + targets.v_obs[j]),
                           (PREDICTIVE_DRAWS, values.size))
        predictive = (values[None, :] + noise).ravel()
        low, high = np.quantile(predictive, [0.05, 0.95])
        inside = bool(low <= targets.observed[j] <= high)
        back = targets.to_units(j, [*np.quantile(values, [0.5, 0.05, 0.95]), low, high,
                                    targets.observed[j]])
        rows.append({"id": obs.id, "metric": obs.metric, "firm": obs.firm,
                     "geography": obs.geography, "date": obs.date.isoformat(),
                     "observed": float(back[5]), "median": float(back[0]),
                     "ensemble_p05": float(back[1]), "ensemble_p95": float(back[2]),
                     "predictive_p05": float(back[3]), "predictive_p95": float(back[4]),
                     "inside": inside,
                     "unit": "months since start" if METRICS[obs.metric].event else obs.unit})
    return pd.DataFrame(rows)


def rank_correlations(predictions: pd.DataFrame) -> pd.DataFrame:
    """Spearman's rho of observed vs predicted country shares, per firm and date."""
    from scipy.stats import spearmanr

    shares = predictions[predictions["metric"] == "traffic_share"]
    rows = []
    for (firm, day), group in shares.groupby(["firm", "date"]):
        rho = (float(spearmanr(group["observed"], group["median"]).statistic)
               if len(group) >= 3 else float("nan"))
        rows.append({"firm": firm, "date": day, "countries": len(group), "spearman": rho})
    return pd.DataFrame(rows, columns=["firm", "date", "countries", "spearman"])


def _series(runs: pd.DataFrame, firms: list[str]) -> pd.DataFrame:
    users = np.array([np.array(u) for u in runs.loc[runs["status"] == "ok", "world_users"]
                      .map(lambda rows: [list(r) for r in rows])])
    rows = []
    for f, firm in enumerate(firms):
        for m in range(users.shape[2] if users.size else 0):
            values = users[:, f, m]
            rows.append({"strategy": firm, "month": m + 1,
                         "users_p10": np.quantile(values, 0.1),
                         "users_median": np.median(values),
                         "users_p90": np.quantile(values, 0.9)})
    return pd.DataFrame(rows)


def backtest(folder: str | Path, holdout: str, out: str | Path | None = None,
             backend: str = "local", workers: int = 2, address: str | None = None,
             members: int = 200, least_implausible: int | None = None,
             console=None, assignments: tuple[str, ...] = ()) -> Backtest:
    """Run the calibration in `folder` over the `holdout` window; writes into `out`.

    The scenario is the calibration's (with its --set overrides), then `assignments`.
    """
    from rich.console import Console

    folder = Path(folder)
    metadata = calibration_metadata(folder)
    out = Path(out) if out is not None else folder / "backtest"
    first, last = parse_window(holdout)
    scenario = parse_scenario(metadata["scenario"]["text"], metadata["scenario"]["path"],
                              [*metadata["settings"].get("assignments", []), *assignments])
    start = start_of(scenario)
    observations = read_observations(metadata["observations"]["path"])
    chosen = select(observations, "holdout", first, last)
    context = [o for o in observations if o.role == "holdout" and not o.modelled
               and first <= o.date.replace(day=1) <= last]
    if not chosen:
        raise InputError(f"{metadata['observations']['path']}: expected held-out rows (role "
                         f"holdout) dated within {holdout}; there are none")
    check_against(chosen, scenario, metadata["observations"]["path"],
                  scenario_markets(scenario), start)
    months = (last.year - start[0]) * 12 + last.month - start[1] + 1
    if months > scenario.months:  # past the horizon the scenario's dated inputs describe
        ends = scenario.month_dates(scenario.months)[-1]
        raise InputError(f"--holdout {holdout}: ends in month {months} of the calibration's "
                         f"scenario, which runs {scenario.months} months (to "
                         f"{ends:%Y-%m}); expected a window that ends by {ends:%Y-%m}")
    fallback = least_implausible is None and non_implausible_count(folder) == 0
    if fallback:  # history ruled out every point: show how far the closest ones are
        least_implausible = FALLBACK_MEMBERS
    ensemble = load_ensemble(folder, members, least_implausible)
    settings = metadata["settings"]
    keys = tuple(p["name"] for p in metadata["parameters"])
    points = np.array([[m[k] for k in keys] for m in ensemble])
    targets = Targets.build(chosen, start, settings.get("discrepancy_scale", 1.0))
    plan = EvaluationPlan(scenario, keys, points, targets.observations,
                          settings["replicates"], settings["seed"], months, start)
    parts = backtest_parts(scenario, metadata, first, last, points)
    out.mkdir(parents=True, exist_ok=True)
    with exclusive(out, f"`{COMMAND}`"):  # one writer per folder
        runs = _run(plan, out, parts, holdout, backend, workers, address,
                    console or Console(stderr=True))
        return _score(runs, targets, settings, folder, holdout, ensemble, least_implausible,
                      fallback, context, scenario, out, parts)


def backtest_parts(scenario: Scenario, metadata: dict, first: date, last: date,
                   points: np.ndarray) -> dict[str, str]:
    """What a backtest's runs depend on (`plumbing.fingerprint`).

    The scenario, its profile and the model (`simulator.scenario.inputs`), the observations, the
    window, the members and their seeds.
    """
    settings = metadata["settings"]
    return {**scenario_parts(scenario),
            "observations": file_part(metadata["observations"]["path"]),
            "--holdout": f"{first:%Y-%m}..{last:%Y-%m}", "members": value_part(points.tolist()),
            "replicates": value_part(settings["replicates"]), "seed": value_part(settings["seed"]),
            "discrepancy scale": value_part(settings.get("discrepancy_scale", 1.0))}


def _run(plan: EvaluationPlan, out: Path, parts: dict[str, str], holdout: str, backend: str,
         workers: int, address: str | None, console) -> pd.DataFrame:
    """Run what `out` lacks (or holds from other inputs of an unfinished backtest)."""
    runs_dir = out / "runs"
    had = recorded(out)
    has_results = any((runs_dir / "points").glob("*.parquet")) or (out / SUMMARY).exists()
    keep = check(out, COMMAND, parts, has_results, redo_unfinished=True)
    if not keep:
        console.print(f"[yellow]{out}: the unfinished backtest there was made from other "
                      "inputs; its runs are made again[/]")
        for name in (PREDICTIONS, SUMMARY):  # ours, of those other inputs
            (out / name).unlink(missing_ok=True)
    redo_failed = had is not None and not had["finished"]
    todo = points_to_run(plan, runs_dir, keep, redo_failed)
    record(out, COMMAND, parts)
    run_points(plan, todo, runs_dir, backend, workers, address, console, f"backtest {holdout}")
    return read_points(runs_dir, plan).to_pandas()


def survey_checks(ok: pd.DataFrame, scenario: Scenario, holdout: str) -> list[dict]:
    """Held-out surveys dated in the window against every member's users per country.

    A survey of one firm's users (its `firm`) compares with that firm's, else with all
    firms'; a survey naming a firm the scenario lacks is for another scenario and skipped.

    The runs end with the window, so a survey of its last year compares with their last
    month; earlier surveys wait for a backtest whose window ends with them.
    """
    first, last = parse_window(holdout)
    countries, firms = build_geography(scenario).iso2, [f.name for f in scenario.firms]
    per_firm = [np.array([np.asarray(row, dtype=float) for row in users])
                for users in ok["country_users"]]  # [firm][country] per member
    checks = []
    for name, rows in by_survey(load_survey()).items():
        firm = rows[0].firm
        if (firm and firm not in firms) or not all(
                first <= r.date.replace(day=1) <= last and r.date.year == last.year
                for r in rows):
            continue
        members = [dict(zip(countries, users[firms.index(firm)] if firm else users.sum(axis=0),
                            strict=True)) for users in per_firm]
        result = compare(members, rows, population())
        checks.append({"survey": name, "date": f"{rows[0].date:%Y-%m}", "firm": firm or None,
                       "countries": list(result.countries),
                       "spearman": None if np.isnan(result.spearman) else result.spearman,
                       "level_ratio": result.level_ratio, "measure": rows[0].measure})
    return checks


def _score(runs: pd.DataFrame, targets: Targets, settings: dict, folder: Path, holdout: str,
           ensemble: list, least_implausible: int | None, fallback: bool,
           context: list[Observation], scenario: Scenario, out: Path,
           parts: dict[str, str]) -> Backtest:
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        import rich_click as click

        raise click.ClickException(f"every backtest run failed, e.g. {runs['error'].iloc[0]}")
    samples = ok[[f"obs:{o.id}" for o in targets.observations]].to_numpy(float)
    predictions = predict(targets, samples, settings["seed"])
    ranks = rank_correlations(predictions)
    surveys = survey_checks(ok, scenario, holdout)
    summary = {"calibration": str(folder), "holdout": holdout, "members": len(ensemble),
               "ensemble": ("non-implausible" if not least_implausible else
                            "least implausible" + (" (no point is non-implausible)"
                                                   if fallback else "")),
               "runs": int(len(ok)), "failed_runs": int(len(runs) - len(ok)),
               "observations": int(len(predictions)),
               "coverage_90": float(predictions["inside"].mean()),
               "spearman": ranks.to_dict(orient="records"), "surveys": surveys,
               "not_modelled": [o.id for o in context]}
    write_parquet(pa.Table.from_pandas(predictions), out / PREDICTIONS)
    write_text(out / SUMMARY, json.dumps(summary, indent=1, sort_keys=True) + "\n")
    record(out, COMMAND, parts, finished=True)
    series = _series(runs, [f.name for f in scenario.firms])
    return Backtest(predictions, summary, context, series)
