"""The runs of a sweep: their order, ids and seeds, and how one run is executed.

Runs are numbered variant-major: index = (variant x points + point) x seeds + replicate.
A run's seed comes from `numpy.random.SeedSequence([sweep seed, replicate])`, so it depends
only on the sweep and the run's place in it, never on the worker or the backend. Every
strategy and every design point uses the same `seeds` seeds (common random numbers, Law
2015, ch. 11): differences between strategies and points are then due to them, not to
seed noise, and a Sobol' analysis of the seed-averaged KPI sees the parameters' effects
rather than noise that would inflate every total-order index.

`execute_run` is what a worker does: build the run's scenario, run it, and return its row
of the `runs` table plus its `firms` and `timeseries` tables. A run that raises returns a
row with status "error" and the message, and no table rows.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from hub.errors import InputError
from simulator.design import design_points, design_size
from simulator.overrides import apply, uncertain_path
from simulator.recorder import TIMESERIES_SCHEMA
from simulator.run import FIRMS_SCHEMA
from simulator.scenario import Scenario
from simulator.sweep import Sweep, flatten_overrides
from simulator.technology import TechnologyProfile, load_profile

MAX_RUNS = 100_000
"""Runs one batch folder takes: three shards a run, and at 300,000 files listing a folder and
verifying every shard on resume take minutes; larger studies are several sweeps."""

# Final KPIs of the focus firm, copied into its run's row (all firms: the `firms` table).
FOCUS_KPIS = ("users", "share", "revenue_total", "revenue_last_month", "cash", "markets",
              "localised", "exit_month")


@dataclass(frozen=True)
class RunSpec:
    """One run of the sweep: which strategy, which design point and which seed."""

    index: int
    run_id: str
    strategy: str
    point: int
    replicate: int
    seed: int
    values: dict[str, float]


@dataclass(frozen=True)
class RunOutput:
    """What a run produced: its `runs` row and its `firms` and `timeseries` tables."""

    row: dict
    firms: pa.Table | None = None
    timeseries: pa.Table | None = None


@dataclass(frozen=True)
class SweepPlan:
    """Everything workers need, picklable: the sweep, its base scenario and the design points."""

    sweep: Sweep
    base: Scenario
    ranges: dict[str, tuple[float, float]]
    points: np.ndarray = field(repr=False)

    @classmethod
    def build(cls, sweep: Sweep, base: Scenario) -> SweepPlan:
        """Plan a sweep; without `[uncertain]` in the sweep, the scenario's ranges are used.

        Raises:
            InputError: the sweep has more than MAX_RUNS runs (checked before its design
                points are drawn: a grid over many parameters would not fit in memory).
        """
        ranges = dict(sweep.uncertain or base.uncertain)
        points = design_size(sweep.design, len(ranges))
        runs = len(sweep.variants) * points * sweep.seeds
        if runs > MAX_RUNS:
            raise InputError(
                f"{sweep.source or 'the sweep'}: {runs:,} runs ({len(sweep.variants)} variants "
                f"x {points:,} design points x {sweep.seeds} seeds); at most {MAX_RUNS:,} fit "
                "one batch folder: lower design.samples, design.levels or seeds, or split it")
        return cls(sweep, base, ranges, design_points(sweep.design, ranges, sweep.seed))

    @property
    def focus_firm(self) -> str:
        """The firm whose final KPIs the runs table lists (default: the scenario's first)."""
        return self.sweep.focus_firm or self.base.firms[0].name

    @property
    def size(self) -> int:
        """Number of runs."""
        return len(self.sweep.variants) * len(self.points) * self.sweep.seeds

    def spec(self, index: int) -> RunSpec:
        """The run with this index."""
        seeds, points = self.sweep.seeds, len(self.points)
        variant, rest = divmod(index, points * seeds)
        point, replicate = divmod(rest, seeds)
        name = self.sweep.variants[variant].name
        state = np.random.SeedSequence([self.sweep.seed, replicate]).generate_state(1)
        values = {key: float(v) for key, v in zip(self.ranges, self.points[point], strict=True)}
        return RunSpec(index, f"{name}-p{point:04d}-r{replicate:03d}", name, point, replicate,
                       int(state[0]), values)

    def runs_schema(self) -> pa.Schema:
        """Schema of the `runs` table: ids, seed, one column per parameter, status, KPIs."""
        focus = dict(zip(FIRMS_SCHEMA.names, FIRMS_SCHEMA.types, strict=True))
        return pa.schema([
            ("run_id", pa.string()), ("run_index", pa.int32()), ("strategy", pa.string()),
            ("point", pa.int32()), ("replicate", pa.int32()), ("seed", pa.int64()),
            *[(name, pa.float64()) for name in self.ranges],
            ("status", pa.string()), ("error", pa.string()), ("months", pa.int32()),
            ("firm", pa.string()), *[(kpi, focus[kpi]) for kpi in FOCUS_KPIS],
            ("total_users", pa.float64()), ("hhi", pa.float64()), ("duration_s", pa.float64()),
        ])


@cache
def _profile(path: Path, size: str | None) -> TechnologyProfile:
    # Read once per worker process; every run of the sweep shares it.
    return load_profile(path, size)


def build_run(plan: SweepPlan, spec: RunSpec) -> tuple[Scenario, TechnologyProfile]:
    """The scenario and technology profile of one run."""
    variant = next(v for v in plan.sweep.variants if v.name == spec.strategy)
    overrides = flatten_overrides(variant.overrides)
    overrides |= {uncertain_path(k): v for k, v in spec.values.items()}
    scenario = apply(plan.base, overrides)
    return scenario, _profile(scenario.profile_path(), scenario.profile_size)


def execute_run(plan: SweepPlan, index: int) -> RunOutput:
    """Run one run of the sweep; an exception becomes an error row, never a crash."""
    from simulator.run import run_scenario

    spec = plan.spec(index)
    row = {"run_id": spec.run_id, "run_index": spec.index, "strategy": spec.strategy,
           "point": spec.point, "replicate": spec.replicate, "seed": spec.seed, **spec.values,
           "status": "ok", "error": None, "firm": plan.focus_firm}
    started = time.perf_counter()
    try:
        scenario, profile = build_run(plan, spec)
        result = run_scenario(scenario, seed=spec.seed, profile=profile)
    except Exception as exc:  # a run's failure is data: record it, let the sweep go on
        last = traceback.extract_tb(exc.__traceback__)[-1]
        row |= {"status": "error", "error": f"{type(exc).__name__}: {exc} "
                f"({Path(last.filename).name}:{last.lineno})",
                "duration_s": time.perf_counter() - started}
        return RunOutput(row)
    run_ids = pa.array([spec.run_id] * result.timeseries.num_rows, pa.string())
    timeseries = result.timeseries.set_column(0, "run_id", run_ids).cast(TIMESERIES_SCHEMA)
    firms = result.firms.set_column(
        0, "run_id", pa.array([spec.run_id] * result.firms.num_rows, pa.string()))
    summary = result.run_row()
    focus = next(f for f in firms.to_pylist() if f["firm"] == plan.focus_firm)
    row |= {"months": result.months, **{k: focus[k] for k in FOCUS_KPIS},
            "total_users": summary["total_users"], "hhi": summary["hhi"],
            "duration_s": time.perf_counter() - started}
    return RunOutput(row, firms, timeseries)
