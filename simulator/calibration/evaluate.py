"""Evaluating design points on the batch engine: each task runs one point's replicate seeds.

A task (`execute_point`, run by `simulator.batch.backends` on local processes or Ray) builds the
point's scenario from the base and the point's values, runs each replicate seed up to the
plan's last month, and reads every observation's metric from the run (the metric table in
`simulator.calibration.metrics`); it returns one small row per replicate, never a time
series. `write_point` stores them as one Parquet shard per point, written atomically, so
a killed calibration resumes by skipping the points whose shard exists.

Seeds follow the batch engine's rule (`numpy.random.SeedSequence([seed, replicate])`):
every point sees the same R seeds (common random numbers), so differences between
points are the parameters', not seed noise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from plumbing.atomic import write_parquet
from plumbing.checked_files import read_parquet
from simulator.calibration.metrics import METRICS, RunView, metric_months
from simulator.calibration.observations import Observation
from simulator.geography import build_geography
from simulator.run import run_scenario
from simulator.scenario import Scenario
from simulator.scenario.overrides import apply
from simulator.technology import TechnologyProfile, load_profile


@dataclass(frozen=True)
class PointOutput:
    """A point's rows (one per replicate); `row` is what the backends pass back."""

    row: dict
    table: pa.Table


@dataclass(frozen=True)
class EvaluationPlan:
    """Everything a worker needs, picklable: base scenario, points, seeds, observations."""

    base: Scenario
    keys: tuple[str, ...]  # dotted scenario keys of the point's columns
    points: np.ndarray = field(repr=False)  # [points, keys]
    observations: tuple[Observation, ...]  # modelled ones only
    replicates: int
    seed: int
    months: int  # months each run simulates
    start: tuple[int, int]  # (year, month) of the scenario's first month

    @property
    def size(self) -> int:
        """Number of tasks: one per point."""
        return len(self.points)

    def seeds(self) -> list[int]:
        """The replicate seeds, the same for every point."""
        return [int(np.random.SeedSequence([self.seed, r]).generate_state(1)[0])
                for r in range(self.replicates)]

    def month_of(self, observation: Observation) -> int:
        """The model month an observation's date falls in."""
        return metric_months(*self.start, observation.date.year, observation.date.month)

    def schema(self) -> pa.Schema:
        """Columns of a shard: point, replicate, seed, the point's values, one per metric."""
        firms = [f.name for f in self.base.firms]
        return pa.schema([
            ("point", pa.int32()), ("replicate", pa.int32()), ("seed", pa.int64()),
            *[(key, pa.float64()) for key in self.keys],
            ("status", pa.string()), ("error", pa.string()),
            *[(f"obs:{o.id}", pa.float64()) for o in self.observations],
            # Worldwide users per firm and month, for the charts: [firm][month].
            ("world_users", pa.list_(pa.list_(pa.float64()))),
            # Each firm's users per country at the last month ([firm][country], `countries`
            # order): what the held-out per-country surveys are compared with
            # (simulator.calibration.survey), a firm's or all firms'.
            ("country_users", pa.list_(pa.list_(pa.float64()))), ("duration_s", pa.float64()),
        ], metadata={"firms": ",".join(firms), "countries": ",".join(self.countries())})

    def countries(self) -> list[str]:
        """The run's countries, in the order of `country_users`."""
        return list(build_geography(self.base).iso2)


@cache
def _profile(path: Path, size: str | None) -> TechnologyProfile:
    return load_profile(path, size)  # once per worker process


def point_scenario(plan: EvaluationPlan, index: int) -> Scenario:
    """The base scenario with point `index`'s values set."""
    values = dict(zip(plan.keys, (float(v) for v in plan.points[index]), strict=True))
    return apply(plan.base, {**values, "months": plan.months})


def read_metrics(plan: EvaluationPlan, view: RunView) -> list[float]:
    """Every observation's metric as the run produced it."""
    values = []
    for obs in plan.observations:
        metric = METRICS[obs.metric]
        values.append(metric.read(view, view.firms[obs.firm], view.country_mask(obs.geography),
                                  plan.month_of(obs)))
    return values


def _run(plan: EvaluationPlan, scenario: Scenario, seed: int) -> dict:
    """One replicate: its metrics and its worldwide users per firm and month."""
    profile = _profile(scenario.profile_path(), scenario.profile_size)
    result = run_scenario(scenario, seed=seed, profile=profile)
    firms = [f.name for f in scenario.firms]
    view = RunView(result.timeseries, firms, _countries(result.timeseries), plan.months,
                   scenario.parameters.weekly_active_share, plan.start[1])
    metrics = read_metrics(plan, view)
    countries = [[row[view.countries[c]] if c in view.countries else 0.0
                  for c in plan.countries()] for row in view.arrays["users"][-1]]
    return {**{f"obs:{o.id}": v for o, v in zip(plan.observations, metrics, strict=True)},
            "world_users": view.arrays["users"].sum(axis=2).T.tolist(),
            "country_users": countries}


def execute_point(plan: EvaluationPlan, index: int) -> PointOutput:
    """Run point `index`'s replicates; a failing run is a row with status error."""
    rows = []
    values = {key: float(v) for key, v in zip(plan.keys, plan.points[index], strict=True)}
    nothing = {f"obs:{o.id}": None for o in plan.observations}
    try:
        scenario, failure = point_scenario(plan, index), None
    except Exception as exc:  # out of a parameter's bounds: every replicate fails alike
        scenario, failure = None, f"{type(exc).__name__}: {exc}"
    for replicate, seed in enumerate(plan.seeds()):
        row = {"point": index, "replicate": replicate, "seed": seed, **values,
               "status": "ok", "error": None, **nothing, "world_users": None,
               "country_users": None}
        started = time.perf_counter()
        try:
            if failure is not None:
                row |= {"status": "error", "error": failure}
            else:
                row |= _run(plan, scenario, seed)
        except Exception as exc:  # a run's failure is data: recorded, the wave goes on
            row |= {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        row["duration_s"] = time.perf_counter() - started
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=plan.schema())
    return PointOutput({"run_index": index, "status": _status(rows)}, table)


def _countries(timeseries: pa.Table) -> list[str]:
    return sorted(set(timeseries["country"].to_pylist()))


def _status(rows: list[dict]) -> str:
    return "ok" if all(r["status"] == "ok" for r in rows) else "error"


def shard_path(out: Path, index: int) -> Path:
    """Where point `index` of a wave folder keeps its rows."""
    return out / "points" / f"{index:06d}.parquet"


def write_point(out: Path, plan: EvaluationPlan, output: PointOutput) -> None:
    """Store one point's rows atomically (a reader never sees half a shard)."""
    write_parquet(output.table, shard_path(out, output.row["run_index"]))


def finished_points(out: Path, size: int) -> list[int]:
    """Points of a wave folder whose shard is complete."""
    return [i for i in range(size) if shard_path(out, i).exists()]


def read_points(out: Path, plan: EvaluationPlan) -> pa.Table:
    """Every finished point's rows, in point order."""
    paths = [shard_path(out, i) for i in finished_points(out, plan.size)]
    if not paths:
        return plan.schema().empty_table()
    return pa.concat_tables([read_parquet(p, "point shard", schema=plan.schema())
                             for p in paths])
