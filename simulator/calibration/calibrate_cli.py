"""`simulator calibrate`: history matching of a scenario against dated public figures."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from plumbing.seed_option import seed_option
from simulator.batch.options import backend_options
from simulator.scenario.options import set_option

CALIBRATE_SCHEMA = (
    '{"out": folder, "waves": [{"wave", "points", "non_implausible", "failed"}], '
    '"non_implausible": int, "parameters": [{"name", "key", "low", "high", '
    '"non_implausible_min": float|null, "non_implausible_max": float|null}], '
    '"observations": [row of observations.parquet: "id", "observed", "scale", "sd_obs", '
    '"sd_md", "median_I", "min_I", "within_cutoff", "min_I_any_point", ...], '
    '"unmet": [observation id], "settings": {...}} (infinite I: null)'
)


@click.command("calibrate")
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--observations", "observations_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Observations CSV (columns: simulator.calibration.observations).")
@click.option("--until", required=True, metavar="YYYY-MM",
              help="Last month of the calibration window (later rows are left to backtest).")
@click.option("--runs", type=click.IntRange(4, 10_000_000), default=2000, show_default=True,
              help="Model runs in all waves together (points x replicates), at least.")
@click.option("--waves", type=click.IntRange(1, 20), default=3, show_default=True,
              help="History-matching waves; each samples where the last left points.")
@click.option("--replicates", type=click.IntRange(1, 1000), default=4, show_default=True,
              help="Seeds per point, for the ensemble mean and variance.")
@click.option("--rule", type=click.Choice(["max", "second-max"]), default="max",
              show_default=True, help="Which implausibility of a point must pass the cut-off.")
@click.option("--cutoff", type=click.FloatRange(0, min_open=True), default=3.0,
              show_default=True, help="Implausibility cut-off.")
@click.option("--discrepancy-scale", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Scales every metric's model discrepancy (0 for a twin experiment).")
@click.option("--skip", multiple=True, metavar="ID|METRIC",
              help="Leave out an observation (its id) or a whole metric; repeatable, recorded.")
@seed_option("Seed of the designs and of the replicate seeds.", default=0)
@backend_options
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder; an existing one of the same calibration is resumed.")
@set_option("--set compute.gpu_usd_per_hour=3")
@json_option(CALIBRATE_SCHEMA)
def calibrate(scenario_file: Path, observations_file: Path, until: str, runs: int, waves: int,
              replicates: int, rule: str, cutoff: float, discrepancy_scale: float,
              skip: tuple[str, ...], seed: int,
              backend: str, workers: int, address: str | None, out: Path,
              assignments: tuple[str, ...], as_json: bool) -> None:
    """History-match SCENARIO_FILE's [uncertain] ranges to the observations up to --until.

    Implausibility I = |z - E[f(x)]| / sqrt(V_obs + V_md + V_ens) per observation, from
    replicate seeds at each point; points whose largest I (or second largest) exceeds the
    cut-off are ruled out, wave by wave. Writes points.parquet, non_implausible.parquet,
    observations.parquet, runs.parquet and calibrated.toml into --out; a killed run is
    resumed by the same command. --set overrides the scenario (recorded in the folder and
    written into calibrated.toml, so the backtest runs the same scenario).

    Example: `simulator calibrate data/scenarios/history.toml --observations
    data/observations.csv --until 2024-12 --runs 2000 --waves 4 --out calibration/history`
    """
    from rich.console import Console

    from plumbing.outputs import check_output_folder
    from simulator.calibration.calibrate import Settings
    from simulator.calibration.calibrate import calibrate as run_calibration
    from simulator.calibration.report import print_calibration

    check_output_folder(out, "--out")  # before the waves of runs, not after them
    console = Console()
    settings = Settings(until=until, runs=runs, waves=waves, replicates=replicates, rule=rule,
                        cutoff=cutoff, seed=seed, discrepancy_scale=discrepancy_scale,
                        skip=tuple(skip), assignments=tuple(assignments))
    metadata = run_calibration(scenario_file, observations_file, out, settings, backend,
                               workers, address, Console(stderr=True))
    if as_json:
        echo_json(calibration_summary(out, metadata))
        return
    print_calibration(out, metadata, console)


def calibration_summary(out: Path, metadata: dict) -> dict:
    """What `simulator calibrate` prints, as data (CALIBRATE_SCHEMA)."""
    import pandas as pd

    kept = pd.read_parquet(out / "non_implausible.parquet")
    fit = pd.read_parquet(out / "observations.parquet")
    parameters = [
        {**p, "non_implausible_min": kept[p["name"]].min() if len(kept) else None,
         "non_implausible_max": kept[p["name"]].max() if len(kept) else None}
        for p in metadata["parameters"]
    ]
    unmet = fit.loc[fit["min_I_any_point"] > metadata["settings"]["cutoff"], "id"]
    return {"out": out, "waves": metadata["waves"], "non_implausible": len(kept),
            "parameters": parameters, "observations": fit, "unmet": list(unmet),
            "settings": metadata["settings"]}
