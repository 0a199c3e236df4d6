"""Run a scenario to the end: the programmatic API the CLI, the batch runner and the TUI use.

from simulator.run import load_scenario, run_scenario
result = run_scenario(load_scenario("data/scenarios/default.toml"), seed=1, months=24)
result.timeseries  # tidy pyarrow Table (Reports contract)
result.firms       # one row per firm: final users, share, revenue, cash, markets
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from simulator.scenario import Scenario, load_scenario
from simulator.technology import TechnologyProfile

__all__ = ["FIRMS_SCHEMA", "RUNS_SCHEMA", "RunResult", "load_scenario", "run_id_for",
           "run_scenario"]

FIRMS_SCHEMA = pa.schema([
    ("run_id", pa.string()),
    ("firm", pa.string()),
    ("home", pa.string()),
    ("users", pa.float64()),  # at the last month
    ("share", pa.float64()),  # of all users in the run's markets at the last month
    ("revenue_last_month", pa.float64()),
    ("revenue_total", pa.float64()),
    ("cash", pa.float64()),
    ("markets", pa.int32()),  # countries with commitment >= 1 at the end
    ("localised", pa.string()),  # regions whose localised model went live, comma-separated
    ("exit_month", pa.int32()),  # null while the firm is still running
])
RUNS_SCHEMA = pa.schema([
    ("run_id", pa.string()),
    ("scenario", pa.string()),
    ("scenario_source", pa.string()),
    ("seed", pa.int64()),
    ("months", pa.int32()),
    ("parameters", pa.string()),  # JSON of every model parameter
    ("total_users", pa.float64()),
    ("hhi", pa.float64()),  # Herfindahl index of the firms' user shares
    ("cancelled", pa.bool_()),
    ("firms", pa.list_(pa.struct(list(FIRMS_SCHEMA)))),
])


def run_id_for(scenario: Scenario, seed: int, months: int) -> str:
    """Stable run id: scenario name, seed, months and a hash of the scenario's content."""
    return f"{scenario.name.replace(' ', '_')}-s{seed}-m{months}-{scenario.digest()}"


@dataclass
class RunResult:
    """Everything a finished (or cancelled) run produced."""

    run_id: str
    scenario: Scenario
    seed: int
    months: int  # months actually simulated
    timeseries: pa.Table
    firms: pa.Table
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False
    unit_economics: list[dict] = field(default_factory=list)  # per firm, simulator.compute

    def run_row(self) -> dict:
        """One row for the Reports contract's `runs` table: ids, parameters, final KPIs."""
        firms = self.firms.to_pylist()
        users = np.array([f["users"] for f in firms])
        shares = users / users.sum() if users.sum() > 0 else users
        return {
            "run_id": self.run_id,
            "scenario": self.scenario.name,
            "scenario_source": self.scenario.source or "",
            "seed": self.seed,
            "months": self.months,
            "parameters": json.dumps(self.scenario.parameters.model_dump(), sort_keys=True),
            "total_users": float(users.sum()),
            "hhi": float((shares**2).sum()),
            "cancelled": self.cancelled,
            "firms": firms,
        }


def _firms_table(model, run_id: str, timeseries: pa.Table) -> pa.Table:
    users = model.users.sum(axis=1)
    total = users.sum()
    revenue = model.recorder.series["revenue"][: model.recorder.months_done]
    rows = []
    for firm in model.firms:
        f = firm.index
        live = [p.region for p in firm.plans
                if p.end_month is not None and p.end_month <= model.recorder.months_done]
        rows.append({
            "run_id": run_id,
            "firm": firm.name,
            "home": firm.spec.home,
            "users": float(users[f]),
            "share": float(users[f] / total) if total > 0 else 0.0,
            "revenue_last_month": float(revenue[-1, f].sum()) if len(revenue) else 0.0,
            "revenue_total": float(revenue[:, f].sum()),
            "cash": float(model.cash[f]),
            "markets": int(model.footprint.served()[f].sum()),
            "localised": ",".join(live),
            "exit_month": int(model.exit_month[f]) if model.exit_month[f] >= 0 else None,
        })
    return pa.Table.from_pylist(rows, schema=FIRMS_SCHEMA)


def run_scenario(scenario: Scenario, seed: int | None = None, months: int | None = None,
                 progress_callback: Callable[..., None] | None = None,
                 cancel: Callable[[], bool] = lambda: False,
                 profile: TechnologyProfile | str | Path | None = None,
                 partial_results: bool = False) -> RunResult:
    """Simulate `months` (default: the scenario's) with `seed` (default: the scenario's).

    `progress_callback(month, months)` is called after every month; with
    `partial_results=True` it gets a third argument, a function returning the time series
    so far (for live charts; building it costs time, so call it only now and then). When
    `cancel()` turns true the run stops and returns what it has, with `cancelled=True`.
    """
    from simulator.model import StrategyModel

    model = StrategyModel(scenario, seed=seed, profile=profile, months=months)
    run_id = run_id_for(scenario, model.seed_used, model.months)
    names, geo = [f.name for f in scenario.firms], model.geo
    dates = scenario.month_dates(model.months)

    def so_far() -> pa.Table:
        return model.recorder.table(run_id, names, geo.iso2, geo.report_region, dates)

    cancelled = False
    try:
        for _ in range(model.months):
            if cancel():
                cancelled = True
                break
            model.step()
            if progress_callback is not None:
                extra = (so_far,) if partial_results else ()
                progress_callback(model.steps, model.months, *extra)
        timeseries = so_far()
        return RunResult(run_id, scenario, model.seed_used, model.recorder.months_done,
                         timeseries, _firms_table(model, run_id, timeseries), list(model.notes),
                         cancelled, _unit_economics(model))
    finally:
        _release(model)


def _release(model) -> None:
    """Let a finished model be freed: Mesa 3.3's `Agent._ids` keeps every model alive.

    It is a class-level dict keyed by model instance (each model's agent id counter), so
    without this every run of a batch, calibration or advice worker stays referenced:
    ~11 MB per ten-year default run, and a worker of a thousand runs was OOM-killed.
    """
    import mesa

    mesa.Agent._ids.pop(model, None)


def _unit_economics(model) -> list[dict]:
    """Each firm's model at month 1's prices: serving, API price, training, localising."""
    econ, rows = model.econ, []
    for firm in model.firms:
        f = firm.index
        rows.append({
            "firm": firm.name,
            "active_params": firm.spec.model.active_params,
            "tokenizer": firm.spec.model.tokenizer,
            "serving_usd_per_1m_tokens": float(econ.serving_cost[f] * 1e6),
            "api_usd_per_1m_tokens": float(econ.api_price[f] * 1e6),
            "training_run_usd": float(econ.training_run_usd[f]),
            "training_usd_per_month": float(econ.training_monthly[f]),
            # Localising each region of the profile (the global model is no localisation).
            "localisation_usd": {region: econ.localisation_usd(f, r)
                                 for r, region in enumerate(econ.regions) if region != "global"},
            "localisation_months": {region: int(econ.localisation_months[f, r])
                                    for r, region in enumerate(econ.regions)
                                    if region != "global"},
            "localises": [plan.region for plan in firm.plans],
        })
    return rows
