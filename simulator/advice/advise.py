"""The advice pipeline: moves, ensemble, runs, valuation, drivers, discovery, files.

    from simulator.advice.advise import advise
    result = advise("data/scenarios/default.toml", "Euro Challenger", out="runs/advice")
    result.table  # one row per move, best expected first (the Parquet's columns)

Output folder (`out`)::

    advice.parquet    one row per move, best expected first: move, npv_p10, npv_p50, npv_p90,
                      p_beats_status_quo, max_regret, npv_mean, gain_p50, best_expected,
                      robust, kind, place, description, overrides (JSON), then the drivers
                      (`simulator.advice.drivers`): language, token_premium,
                      token_premium_localised, market_users, rivals, regulation_delay_months,
                      d_revenue, d_serving_cost, d_localisation_spend, d_other_costs,
                      d_users_end, drivers
    members.parquet   one row per move and member: move, member, seed, npv, the member's
                      uncertain parameters
    advice.json       scenario, firm, decision date, horizon, discount rate and its source,
                      the ensemble, the robust and best expected moves, scenario discovery

From a decision date (`decide_from`: `--from`, default the scenario's today): every member
is simulated to it once and every move branches from there (`simulator.advice.members`);
the NPV counts the firm's cash from it, discounted from it.
    runs/             the ensemble's runs, one small shard each (`simulator.advice.ensemble`)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.console import Console

from plumbing.atomic import write_parquet, write_text
from plumbing.fingerprint import resuming
from plumbing.locks import exclusive
from simulator.advice.decision import Decision, decide_from
from simulator.advice.drivers import all_drivers
from simulator.advice.ensemble import (
    Ensemble,
    Outcomes,
    build_plan,
    calibrated,
    read_outcomes,
    sampled,
)
from simulator.advice.members import AdvicePlan, plan_advice, run_members
from simulator.advice.moves import Move, absent_moves, find_firm, generate_moves, load_moves
from simulator.advice.valuation import Discount, Discovery, discover, rank
from simulator.geography import build_geography
from simulator.run import load_scenario
from simulator.scenario import Scenario
from simulator.scenario.inputs import scenario_parts
from simulator.scenario.overrides import apply
from simulator.technology import TechnologyProfile, load_profile

LEAD_COLUMNS = ("move", "npv_p10", "npv_p50", "npv_p90", "p_beats_status_quo", "max_regret")


@dataclass(frozen=True)
class Advice:
    """A finished advice: the ranked table, every member's NPV and where the top move loses."""

    scenario: Scenario
    firm: str
    moves: list[Move]
    ensemble: Ensemble
    discount: Discount
    table: pd.DataFrame
    values: np.ndarray  # [moves, members] NPV
    discovery: Discovery
    seeds: list[int]  # each member's seed
    cash: np.ndarray  # [moves, members, months] the firm's cash at each month's end
    decision: Decision  # when the firm decides; the months of `cash` are its horizon's
    start_cash: np.ndarray  # [members] the firm's cash at the decision date

    def summary(self) -> dict:
        """What advice.json holds."""
        box = self.discovery.box
        best = self.table[self.table["best_expected"]]["move"].iloc[0]
        return {
            "scenario": {"path": self.scenario.source, "name": self.scenario.name,
                         "digest": self.scenario.digest()},
            "firm": self.firm, "decision_date": self.decision.date,
            "decision_month": self.decision.month, "horizon_months": self.decision.horizon,
            "discount_rate_annual": self.discount.annual, "discount_rate_source":
                self.discount.source, "exit_multiple": self.discount.exit_multiple,
            "exit_per_weekly_user": self.discount.exit_per_weekly_user,
            "exit_multiple_source": self.discount.exit_source,
            "ensemble": {"source": self.ensemble.source, "members": self.ensemble.size,
                         "parameters": self.ensemble.names},
            "moves": len(self.moves), "best_expected": best,
            # candidates the data forbids, each with its row (simulator.advice.forbidden)
            "left_out": [f"{name}: {why}" for name, why in absent_moves(
                self.scenario, self.firm, self.decision)],
            "robust": self.table[self.table["robust"]]["move"].iloc[0],
            "discovery": {"move": self.discovery.move, "against": self.discovery.against,
                          "losses": self.discovery.losses, "note": self.discovery.note,
                          "box": None if box is None else asdict(box)},
        }


def advise(scenario_file: str | Path, firm: str, out: str | Path, moves_file: Path | None = None,
           samples: int | None = None, calibration: Path | None = None,
           horizon: int | None = None, seed: int | None = None, workers: int = 2,
           backend: str = "local", address: str | None = None, discount: Discount | None = None,
           console: Console | None = None, moves: list[Move] | None = None,
           on_row: Callable[[dict], None] | None = None,
           assignments: tuple[str, ...] = (), decide: str | None = None) -> Advice:
    """Rank the firm's moves against the status quo; writes the folder `out` (see above).

    Members: `samples` (default 8) samples of the scenario's uncertain parameters, or with
    `calibration` (a `simulator calibrate` folder) its non-implausible points (at most
    `samples` of them) and their replicate seeds. `moves` (the status quo first) replaces
    the generated ones or the file's. `on_row` is called with each finished run's row.
    `assignments` are `--set` overrides of the scenario, validated like the file. `decide`
    is the decision date (YYYY-MM, default the scenario's today); `horizon` counts months
    from it (default: to the scenario's end).
    """
    out, discount = Path(out), discount or Discount()
    scenario = load_scenario(scenario_file, list(assignments))
    find_firm(scenario, firm)
    decision = decide_from(scenario, decide, horizon)
    base = apply(scenario, {"months": decision.months})
    if calibration is not None:
        ensemble, calibration_seed = calibrated(Path(calibration), samples)
        seed = calibration_seed if seed is None else seed
    else:
        seed = base.seed if seed is None else seed
        ensemble = sampled(base, samples or 8, seed)
    profile = load_profile(base.profile_path(), base.profile_size)
    if moves is None:
        moves = (load_moves(Path(moves_file), base, firm, profile, decision) if moves_file
                 else generate_moves(base, firm, profile, decision))
    plan = plan_advice(build_plan(base, moves, ensemble, firm, seed), decision,
                       [m.delay for m in moves])
    out.mkdir(parents=True, exist_ok=True)
    # What the runs depend on beyond the plan's digest: the profile's bytes and the model code.
    parts = {**scenario_parts(base), "runs": plan.digest()}
    with (exclusive(out, "`simulator advise`"),
          resuming(out, "simulator advise", parts, any((out / "runs").glob("shards/*.parquet")))):
        run_members(plan, ensemble, out / "runs", workers, backend, address, console, on_row)
        result = evaluate(plan, ensemble, moves, discount, profile, out / "runs")
        write(result, out)
    return result


def evaluate(plan: AdvicePlan, ensemble: Ensemble, moves: list[Move], discount: Discount,
             profile: TechnologyProfile, runs: Path) -> Advice:
    """Value, rank and explain the moves from the finished runs in `runs`."""
    base, firm = plan.runs.base, plan.runs.focus_firm
    outcomes = read_outcomes(plan.runs, runs)
    values = discount.value(outcomes.cash, outcomes.start_cash, outcomes.exit_revenue,
                            weekly_users(outcomes, ensemble, base))
    names = [m.name for m in moves]
    ranked = rank(names, values)
    drivers = all_drivers(moves, base, firm, build_geography(base), outcomes, profile)
    details = pd.DataFrame([{"move": m.name, "kind": m.kind, "place": m.place,
                             "description": m.description,
                             "overrides": json.dumps(m.overrides, sort_keys=True)}
                            for m in moves])
    # The ranking's order, its contract columns first (move, npv_p10 .. max_regret).
    table = ranked.merge(details, on="move").merge(drivers, on="move")
    table = table[[*LEAD_COLUMNS, *(c for c in table.columns if c not in LEAD_COLUMNS)]]
    discovery = discover(names, values, ensemble.member_values(), ensemble.names,
                         names.index(table["move"].iloc[0]))
    seeds = [plan.runs.spec(k).seed for k in range(ensemble.size)]
    return Advice(base, firm, moves, ensemble, discount, table, values, discovery, seeds,
                  outcomes.cash, plan.decision, outcomes.start_cash)


def weekly_users(outcomes: Outcomes, ensemble: Ensemble, base: Scenario) -> np.ndarray:
    """[moves, members] the firm's weekly users at the horizon: users x the weekly share."""
    own, users = outcomes.own, np.zeros(outcomes.exit_revenue.shape)
    np.add.at(users, (own["move"].to_numpy(int), own["member"].to_numpy(int)),
              own["users"].to_numpy(float))
    return users * ensemble.member_parameter(base, "weekly_active_share")[None, :]


def write(result: Advice, out: Path) -> None:
    """advice.parquet, members.parquet and advice.json, each written atomically."""
    write_parquet(pa.Table.from_pandas(result.table, preserve_index=False),
                  out / "advice.parquet")
    values, members = result.values, result.ensemble.size
    frame = pd.DataFrame({
        "move": np.repeat([m.name for m in result.moves], members),
        "member": np.tile(np.arange(members), len(result.moves)),
        "seed": np.tile(result.seeds, len(result.moves)),
        "npv": values.ravel(),
    })
    parameters = result.ensemble.member_values()
    for j, name in enumerate(result.ensemble.names):
        frame[name] = np.tile(parameters[:, j], len(result.moves))
    write_parquet(pa.Table.from_pandas(frame, preserve_index=False), out / "members.parquet")
    write_text(out / "advice.json", json.dumps(result.summary(), indent=1, sort_keys=True,
                                               default=float) + "\n")
