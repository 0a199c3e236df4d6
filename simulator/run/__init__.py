"""Run a scenario to the end: the programmatic API the CLI, the batch runner and the TUI use.

from simulator.run import load_scenario, run_scenario
result = run_scenario(load_scenario("data/scenarios/default.toml"), seed=1, months=24)
result.timeseries   # the tidy country table (Reports contract, simulator.reports.schema)
result.firm_months  # firm-level figures (cash, training, totals), one row per firm-month
result.firms        # one row per firm: final users, share, revenue, cash, markets
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import rich_click as click

from simulator.reports.aggregates import final_kpis, hhi
from simulator.reports.schema import FIRMS_SCHEMA, FOCUS_KPIS, RUNS_SCHEMA
from simulator.scenario import Scenario, load_scenario
from simulator.scenario.overrides import _step, uncertain_path
from simulator.technology import TechnologyProfile

__all__ = ["RunResult", "load_scenario", "run_id_for", "run_scenario", "uncertain_values"]


def run_id_for(scenario: Scenario, seed: int, months: int) -> str:
    """Stable run id: scenario name, seed, months and a hash of the scenario's content."""
    return f"{scenario.name.replace(' ', '_')}-s{seed}-m{months}-{scenario.digest()}"


def uncertain_values(scenario: Scenario, keys: Iterable[str]) -> dict[str, float]:
    """The scenario's value of each uncertain parameter key (`[uncertain]`, sweep ranges)."""
    document, values = scenario.model_dump(), {}
    for key in keys:
        node = document
        for part in uncertain_path(key).split("."):
            holder, name = _step(node, part, ())
            node = holder[name]
        values[key] = float(node)
    return values


@dataclass
class RunResult:
    """Everything a finished (or cancelled) run produced (tables: simulator.reports.schema)."""

    run_id: str
    scenario: Scenario
    seed: int
    months: int  # months actually simulated
    timeseries: pa.Table  # the country table
    firm_months: pa.Table
    firms: pa.Table
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False
    unit_economics: list[dict] = field(default_factory=list)  # per firm, simulator.compute

    def run_row(self, focus: str | None = None, keys: Iterable[str] | None = None) -> dict:
        """The run's row of the `runs` table (RUNS_SCHEMA), the same for run and batch.

        Args:
            focus: The firm whose final KPIs the row lists (default: the first firm).
            keys: The uncertain parameters to list (default: the scenario's [uncertain]).
        """
        firms = self.firms.to_pylist()
        focus = focus or self.scenario.firms[0].name
        kpis = next(f for f in firms if f["firm"] == focus)
        keys = self.scenario.uncertain if keys is None else keys
        return {
            "run_id": self.run_id, "run_index": 0, "scenario": self.scenario.name,
            "scenario_source": self.scenario.source or "", "strategy": None, "point": None,
            "replicate": None, "seed": self.seed,
            "parameters": list(uncertain_values(self.scenario, keys).items()),
            "status": "ok", "error": None, "cancelled": self.cancelled, "months": self.months,
            "firm": focus, **{k: kpis[k] for k in FOCUS_KPIS},
            "total_users": float(sum(f["users"] for f in firms)),
            "hhi": hhi([f["users"] for f in firms]), "duration_s": None,
        }

    def runs_table(self) -> pa.Table:
        """The run's `runs` table: its one row."""
        return pa.Table.from_pylist([self.run_row()], schema=RUNS_SCHEMA)


def _firms_table(model, run_id: str, firm_months: pa.Table) -> pa.Table:
    kpis = final_kpis(firm_months.to_pandas())
    rows = []
    for firm in model.firms:
        f = firm.index
        start = {"users": 0.0, "share": 0.0, "revenue_last_month": 0.0, "revenue_total": 0.0,
                 "cash": float(model.cash[f]), "markets": 0}  # cancelled before month 1
        live = [p.region for p in firm.plans
                if p.end_month is not None and p.end_month <= model.recorder.months_done]
        rows.append({
            "run_id": run_id, "firm": firm.name, "home": firm.spec.home,
            **(kpis.loc[(run_id, firm.name)].to_dict() if len(kpis) else start),
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
    `partial_results=True` it gets a third argument, a function returning the country and
    firm-month tables so far (for live charts; building them costs time, so call it only
    now and then). When
    `cancel()` turns true the run stops and returns what it has, with `cancelled=True`.
    """
    from simulator.model import StrategyModel

    model = StrategyModel(scenario, seed=seed, profile=profile, months=months)
    run_id = run_id_for(scenario, model.seed_used, model.months)
    names, geo = [f.name for f in scenario.firms], model.geo
    dates = scenario.month_dates(model.months)

    def so_far() -> tuple[pa.Table, pa.Table]:
        return (model.recorder.table(run_id, names, geo.iso2, geo.report_region, dates),
                model.recorder.firm_month_table(run_id, names, dates))

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
        timeseries, firm_months = so_far()
        _require_finite(timeseries, firm_months)
        return RunResult(run_id, scenario, model.seed_used, model.recorder.months_done,
                         timeseries, firm_months, _firms_table(model, run_id, firm_months),
                         list(model.notes), cancelled, _unit_economics(model))
    finally:
        _release(model)


class NonFiniteResult(click.ClickException):
    """A run whose figures left what a float holds: the run failed (exit 1), never reported."""

    exit_code = 1


def _require_finite(*tables: pa.Table) -> None:
    """Refuse to report a run with an infinite or NaN figure, naming the first one."""
    import numpy as np

    for table in tables:
        for name in table.column_names:
            if not pa.types.is_floating(table[name].type):
                continue
            values = table[name].to_numpy(zero_copy_only=False)
            present = table[name].is_valid().to_numpy(zero_copy_only=False)  # not null
            bad = np.flatnonzero(~np.isfinite(values) & present)
            if bad.size:
                row = table.slice(int(bad[0]), 1).to_pylist()[0]
                where = ", ".join(f"{k} {row[k]}" for k in ("firm", "country", "month")
                                  if k in row)
                raise NonFiniteResult(
                    f"the run's {name} became {row[name]} ({where}): the scenario's figures "
                    "drive the model past what a number holds; nothing was written")


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
            "localisation_months": {region: econ.localisation(f, r, 1.0)[1]
                                    for r, region in enumerate(econ.regions)
                                    if region != "global"},
            "localises": [plan.label for plan in firm.plans],
        })
    return rows
