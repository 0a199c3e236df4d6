"""The runs of a sweep: their order, ids and seeds, and how one run is executed.

Runs are numbered variant-major: index = (variant x points + point) x seeds + replicate.
A run's seed comes from `numpy.random.SeedSequence([sweep seed, replicate])`, so it depends
only on the sweep and the run's place in it, never on the worker or the backend. Every
strategy and every design point uses the same `seeds` seeds (common random numbers, Law
2015, ch. 11): differences between strategies and points are then due to them, not to
seed noise, and a Sobol' analysis of the seed-averaged KPI sees the parameters' effects
rather than noise that would inflate every total-order index.

`execute_run` is what a worker does: build the run's scenario, run it, and return its row
of the `runs` table plus its `firms`, `firm_months` and `timeseries` tables
(`simulator.reports.schema`; the runs row is `RunResult.run_row`'s, as `simulator run`
writes it). A run that raises returns a row with status "error" and the message, and no
table rows.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from plumbing.errors import InputError
from simulator.batch.design import design_points, design_size
from simulator.batch.sweep import Sweep, flatten_overrides
from simulator.run import run_scenario
from simulator.scenario import Scenario
from simulator.scenario.overrides import apply, uncertain_path
from simulator.technology import TechnologyProfile, load_profile

MAX_RUNS = 100_000
"""Runs one batch folder takes: three shards a run, and at 300,000 files listing a folder and
verifying every shard on resume take minutes; larger studies are several sweeps."""


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
    """What a run produced: its `runs` row and its other tables by name (none if it failed)."""

    row: dict
    tables: dict[str, pa.Table] = field(default_factory=dict)


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
    spec = plan.spec(index)
    ids = {"run_id": spec.run_id, "run_index": spec.index, "strategy": spec.strategy,
           "point": spec.point, "replicate": spec.replicate}
    started = time.perf_counter()
    try:
        scenario, profile = build_run(plan, spec)
        result = run_scenario(scenario, seed=spec.seed, profile=profile)
    except Exception as exc:  # a run's failure is data: record it, let the sweep go on
        last = traceback.extract_tb(exc.__traceback__)[-1]
        row = {**ids, "scenario": plan.base.name, "scenario_source": plan.base.source or "",
               "seed": spec.seed, "parameters": list(spec.values.items()), "status": "error",
               "error": f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})",
               "cancelled": False, "firm": plan.focus_firm,
               "duration_s": time.perf_counter() - started}
        return RunOutput(row)  # the runs table's other columns are null
    tables = {name: _with_run_id(table, spec.run_id) for name, table in (
        ("firms", result.firms), ("firm_months", result.firm_months),
        ("timeseries", result.timeseries))}
    row = result.run_row(plan.focus_firm, plan.ranges) | ids | {
        "duration_s": time.perf_counter() - started}
    return RunOutput(row, tables)


def _with_run_id(table: pa.Table, run_id: str) -> pa.Table:
    """`table` with the batch's run id (the run's own id names the scenario, not the run)."""
    column = table.schema.get_field_index("run_id")
    return table.set_column(column, table.schema.field(column),
                            pa.array([run_id] * table.num_rows, pa.string()))
