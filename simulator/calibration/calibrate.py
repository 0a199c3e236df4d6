"""`simulator calibrate`: history matching in waves over a scenario's uncertain parameters.

Output folder (Parquet, readable with pandas, polars or DuckDB)::

    DIR/metadata.json             scenario (path, text, sha256), observations (path, sha256),
                                  until, settings, parameter ranges, per-wave summaries
    DIR/waves/wave-NN/design.parquet   the wave's points (written before any run)
    DIR/waves/wave-NN/points/NNNNNN.parquet  one shard per point: its replicate rows
    DIR/runs.parquet              every replicate of every evaluated point, every metric
    DIR/points.parquet            every evaluated point: wave, point, values, per
                                  observation `mean:ID` (geometric for log metrics),
                                  `v_ens:ID` and `I:ID`, the summary `implausibility` and
                                  `non_implausible`
    DIR/non_implausible.parquet   the points that are (the ensemble `simulator backtest`
                                  and `simulator advise` run)
    DIR/observations.parquet      each calibration observation: observed, scale (log,
                                  months), sd_obs and sd_md on that scale, median_I and
                                  min_I over the set (or the least implausible point when
                                  the set is empty), within_cutoff, min_I_any_point
    DIR/calibrated.toml           the scenario, commented, at the best point, with the
                                  uncertain ranges narrowed to the non-implausible box

A killed calibration is resumed by the same command: a wave's design is read back, its
finished points are skipped, and later waves follow from the stored results, so the
folder ends as if nothing had happened.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.console import Console

from hub.metrics import now_iso
from plumbing.atomic import sha256_file, write_parquet
from plumbing.checked_files import read_parquet
from plumbing.errors import InputError
from plumbing.fingerprint import record
from plumbing.locks import exclusive
from simulator.batch.store import write_json
from simulator.calibration.calibrated_scenario import write_calibrated
from simulator.calibration.engine import run_points
from simulator.calibration.evaluate import EvaluationPlan, finished_points, read_points
from simulator.calibration.folder import (
    COMMAND,
    METADATA,
    calibration_parts,
    model_digest,
    prepare_folder,
)
from simulator.calibration.implausibility import (
    CUTOFF,
    ensemble_moments,
    implausibility,
    next_wave,
    summary_implausibility,
)
from simulator.calibration.metrics import METRICS
from simulator.calibration.observations import read_observations
from simulator.calibration.targets import Targets, check_against, select
from simulator.geography import build_geography
from simulator.scenario import Scenario, load_scenario
from simulator.scenario.overrides import uncertain_path
from simulator.technology import load_profile


@dataclass(frozen=True)
class Settings:
    """How a calibration samples and judges (stored, so a resumed one is the same)."""

    until: str  # YYYY-MM: the last calibration month
    runs: int = 2000  # model runs in all waves together (points x replicates)
    waves: int = 3
    replicates: int = 4  # seeds per point, for E[f(x)] and V_ens
    rule: str = "max"  # or "second-max"
    cutoff: float = CUTOFF
    seed: int = 0
    # Scales every metric's model discrepancy sd: 0 in a twin experiment, where the model
    # itself made the observations and has no discrepancy to allow for.
    discrepancy_scale: float = 1.0
    # Observation ids or metric names left out, to calibrate the parts of the model that can
    # meet history when others cannot (stated in the outputs, never silent).
    skip: tuple[str, ...] = ()
    # `--set KEY=VALUE` overrides of the scenario, applied before any run (and written into
    # calibrated.toml, so the backtest runs the scenario the calibration ran).
    assignments: tuple[str, ...] = ()

    @property
    def points_per_wave(self) -> int:
        """Design points in each wave: at least `runs` runs in all."""
        return max(2, -(-self.runs // (self.waves * self.replicates)))


def parse_month(text: str, option: str) -> date:
    """YYYY-MM -> the month's first day; InputError naming the option otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise InputError(f"{option}: expected a month YYYY-MM such as 2024-12, "
                         f"got {text!r}") from None


def start_of(scenario: Scenario) -> tuple[int, int]:
    """(year, month) of the scenario's month 1."""
    first = scenario.month_dates(1)[0]
    return first.year, first.month


def scenario_markets(scenario: Scenario) -> set[str]:
    """ISO codes of the countries the scenario simulates as markets."""
    geo = build_geography(scenario)
    return {code for code, market in zip(geo.iso2, geo.is_market, strict=True) if market}


def ranges_of(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The scenario's uncertain parameters as dotted keys -> (low, high)."""
    if not scenario.uncertain:
        raise InputError(f"{scenario.source}: uncertain: expected at least one uncertain "
                         "parameter with a range to calibrate")
    return {uncertain_path(k): (float(lo), float(hi)) for k, (lo, hi) in scenario.uncertain.items()}


def score(plan: EvaluationPlan, targets: Targets, runs: pa.Table, settings: Settings,
          wave: int) -> pd.DataFrame:
    """One row per point of a wave: values, ensemble means, implausibilities, verdict."""
    frame = runs.to_pandas()
    ids = [o.id for o in targets.observations]
    columns = [f"obs:{i}" for i in ids]
    failed = frame.groupby("point")["status"].apply(lambda s: (s != "ok").any())
    ok = frame[frame["point"].map(~failed)]
    points = sorted(ok["point"].unique())
    samples = np.stack([ok[ok["point"] == p].sort_values("replicate")[columns].to_numpy(float)
                        for p in points]) if points else np.zeros((0, 1, len(ids)))
    mean, v_ens = ensemble_moments(targets.transform(samples))
    values = implausibility(targets.observed, mean, targets.v_obs, targets.v_md, v_ens)
    mean = targets.untransform(mean)  # reported in the observations' units
    summary = summary_implausibility(values, settings.rule)
    # One frame from all columns at once: one grown column by column fragments (pandas warns)
    table = {"wave": wave, "point": points}
    for j, key in enumerate(plan.keys):
        table[key] = plan.points[points, j] if points else []
    for j, ident in enumerate(ids):
        # mean: geometric for log metrics; v_ens on the comparison scale
        table[f"mean:{ident}"], table[f"v_ens:{ident}"] = mean[:, j], v_ens[:, j]
        table[f"I:{ident}"] = values[:, j]
    table["implausibility"] = summary
    table["non_implausible"] = summary <= settings.cutoff
    rows = pd.DataFrame(table)
    failed_points = sorted(set(failed[failed].index))
    if failed_points:  # a point whose runs fail is ruled out, and shown as such
        gone = pd.DataFrame({"wave": wave, "point": failed_points, "implausibility": np.inf,
                             "non_implausible": False})
        for j, key in enumerate(plan.keys):
            gone[key] = plan.points[failed_points, j]
        rows = pd.concat([rows, gone], ignore_index=True).sort_values("point")
    return rows.reset_index(drop=True)


def _design(wave_dir: Path, wave: int, settings: Settings, ranges: dict,
            history: pd.DataFrame) -> np.ndarray:
    """The wave's points: read back if stored, else a Latin hypercube or the next wave."""
    path = wave_dir / "design.parquet"
    if path.exists():
        design = read_parquet(path, "wave design", {k: pa.float64() for k in ranges})
        return design.to_pandas()[list(ranges)].to_numpy(float)
    low = np.array([lo for lo, _ in ranges.values()])
    high = np.array([hi for _, hi in ranges.values()])
    n, rng = settings.points_per_wave, np.random.default_rng([settings.seed, wave])
    if wave == 1:
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(ranges), rng=rng).random(n)
    else:
        kept = history[history["non_implausible"]]
        if kept.empty:  # nothing survived: search around the least implausible tenth
            kept = history.nsmallest(max(2, len(history) // 10), "implausibility")
        anchors = (kept[list(ranges)].to_numpy(float) - low) / (high - low)
        unit = next_wave(anchors, n, rng, evaluated=len(history))
    points = low + unit * (high - low)
    write_parquet(pa.Table.from_pandas(pd.DataFrame(points, columns=list(ranges))), path)
    return points


def calibrate(scenario_file: str | Path, observations_file: str | Path, out: str | Path,
              settings: Settings, backend: str = "local", workers: int = 2,
              address: str | None = None, console: Console | None = None) -> dict:
    """Run (or resume) a calibration into `out`; returns the metadata written."""
    scenario_file, observations_file, out = Path(scenario_file), Path(observations_file), Path(out)
    scenario = load_scenario(scenario_file, settings.assignments)
    observations = read_observations(observations_file)
    until, start = parse_month(settings.until, "--until"), start_of(scenario)
    unknown = sorted(set(settings.skip) - {o.id for o in observations} - set(METRICS))
    if unknown:
        raise InputError(f"--skip: expected observation ids of {observations_file} or metric "
                         f"names ({', '.join(METRICS)}), got {', '.join(unknown)}")
    chosen = [o for o in select(observations, "calibrate", None, until)
              if o.id not in settings.skip and o.metric not in settings.skip]
    if not chosen:
        raise InputError(f"{observations_file}: expected calibration rows (role calibrate) "
                         f"dated up to {settings.until}; there are none")
    check_against(chosen, scenario, str(observations_file), scenario_markets(scenario), start)
    load_profile(scenario.profile_path(), scenario.profile_size)  # missing: every run fails
    ranges = ranges_of(scenario)
    targets = Targets.build(chosen, start, settings.discrepancy_scale)
    months = (until.year - start[0]) * 12 + until.month - start[1] + 1
    parts = calibration_parts(scenario, observations_file, asdict(settings))
    metadata = prepare_folder(out, {
        "scenario": {"path": str(scenario_file), "sha256": sha256_file(scenario_file),
                     "text": scenario_file.read_text(encoding="utf-8")},
        "observations": {"path": str(observations_file),
                         "sha256": sha256_file(observations_file)},
        "settings": asdict(settings), "months": months, "model": model_digest(),
        # name: the dotted scenario key; key: as the scenario's [uncertain] table writes it
        "parameters": [{"name": k, "key": u, "low": lo, "high": hi} for u, (k, (lo, hi))
                       in zip(scenario.uncertain, ranges.items(), strict=True)],
        "observations_used": [o.id for o in chosen], "started": now_iso(), "ended": None,
        "resumed": [], "waves": []}, parts)
    out.mkdir(parents=True, exist_ok=True)
    with exclusive(out, "`simulator calibrate`"):  # one writer per folder
        for stale in out.glob("waves/*/points/.*.tmp"):
            stale.unlink()  # half-written shards of a killed calibration
        write_json(out / METADATA, metadata)
        record(out, COMMAND, parts)
        console = console or Console(stderr=True)
        history, all_runs, summaries, started = pd.DataFrame(), [], [], time.perf_counter()
        changed: list[int] = []
        for wave in range(1, settings.waves + 1):
            wave_dir = out / "waves" / f"wave-{wave:02d}"
            points = _design(wave_dir, wave, settings, ranges, history)
            plan = EvaluationPlan(scenario, tuple(ranges), points, targets.observations,
                                  settings.replicates, settings.seed, months, start)
            done = set(finished_points(wave_dir, plan.size))  # read once, not once a point
            todo = [i for i in range(plan.size) if i not in done]
            run_points(plan, todo, wave_dir, backend, workers, address, console,
                       f"wave {wave}/{settings.waves}")
            if model_digest()["sha256"] != metadata["model"]["sha256"]:
                # this wave's workers may have imported other code than the calibration began
                # with: said and recorded, so a mixed calibration is never mistaken for one
                changed.append(wave)
                console.print(f"[yellow]warning:[/yellow] the simulator's source changed during "
                              f"wave {wave}; its runs may mix two models")
            runs = read_points(wave_dir, plan)
            scored = score(plan, targets, runs, settings, wave)
            history = pd.concat([history, scored], ignore_index=True)
            all_runs.append(runs.to_pandas().assign(wave=wave))
            summaries.append({"wave": wave, "points": int(len(scored)),
                              "non_implausible": int(scored["non_implausible"].sum()),
                              "failed": int(np.isinf(scored["implausibility"]).sum())})
        write_parquet(pa.Table.from_pandas(pd.concat(all_runs, ignore_index=True)
                                           .drop(columns=["world_users", "country_users"])),
                      out / "runs.parquet")
        write_parquet(pa.Table.from_pandas(history), out / "points.parquet")
        kept = history[history["non_implausible"]].reset_index(drop=True)
        write_parquet(pa.Table.from_pandas(kept), out / "non_implausible.parquet")
        fit = observation_fit(targets, history, kept, settings.cutoff)
        write_parquet(pa.Table.from_pandas(fit), out / "observations.parquet")
        write_calibrated(scenario_file, out / "calibrated.toml", metadata, history, kept)
        metadata = {**metadata, "waves": summaries, "ended": now_iso(),
                    "model_changed_in_waves": changed,
                    "seconds": time.perf_counter() - started}
        write_json(out / METADATA, metadata)
        record(out, COMMAND, parts, finished=True)
        return metadata


def observation_fit(targets: Targets, history: pd.DataFrame, kept: pd.DataFrame,
                    cutoff: float = CUTOFF) -> pd.DataFrame:
    """Per calibration observation: z, sds, and how close the ensemble gets (in-sample)."""
    rows = []
    best = kept if not kept.empty else history.nsmallest(1, "implausibility")
    for j, obs in enumerate(targets.observations):
        column = f"I:{obs.id}"
        values = best[column].to_numpy(float) if column in best else np.array([np.inf])
        anywhere = history[column].to_numpy(float) if column in history else np.array([np.inf])
        rows.append({"id": obs.id, "metric": obs.metric, "firm": obs.firm,
                     "geography": obs.geography, "date": obs.date.isoformat(),
                     "observed": float(targets.to_units(j, targets.observed[j])),
                     "scale": "log" if targets.log[j] else "months" if METRICS[
                         obs.metric].event else "linear",
                     "sd_obs": np.sqrt(targets.v_obs[j]), "sd_md": np.sqrt(targets.v_md[j]),
                     "median_I": float(np.median(values)), "min_I": float(values.min()),
                     "within_cutoff": bool(values.min() <= cutoff),
                     # the best any evaluated point does: above the cut-off, no point met it
                     "min_I_any_point": float(anywhere.min()), "ensemble": not kept.empty})
    return pd.DataFrame(rows)
