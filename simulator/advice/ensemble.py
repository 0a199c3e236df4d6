"""The uncertainty ensemble and its runs: every move x every member, on the batch engine.

A member is one setting of the uncertain parameters and one seed. Members come from
`--samples N` (a Latin hypercube of the scenario's `uncertain` ranges, one seed each; N
seeds of the scenario as written when it has no uncertain parameter) or from a calibration
folder (its non-implausible points, `simulator.calibration.ensemble`). Every move runs on
every member with the member's seed: common random numbers (Law 2015, ch. 11), so a
difference between two moves in a member is the moves' doing, not seed noise.

The runs are a `simulator.batch.runs.SweepPlan` (variants = moves, design points x seeds =
members; its run ids, seeds and scenario building). A member is simulated once to the
decision date and every move branches from it (`simulator.advice.members`, on the
experiment runner `simulator.batch.experiments`, local processes or Ray); each run is reduced to
what the valuation reads (the firm's cash each month of the horizon and at the decision
date, its horizon totals, users per country at the end; every firm's for the status quo),
one small Parquet shard per run, written atomically. A killed advice resumes: runs whose
shard exists are kept.

Folder (`runs/` of the advice)::

    metadata.json          digest of the plan, the ensemble, started / ended
    shards/NNNNNN.parquet  one row per run: run_id, run_index, move, member, seed, status,
                           error, duration_s, cpu_s, cash (list, per month of the horizon),
                           start_cash (at the decision date), revenue, serving_cost,
                           localisation_spend (horizon totals), countries, own_users (the
                           firm's users per country at the end), market_country,
                           market_firm, market_users (status quo runs: every firm's)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from plumbing.errors import InputError
from simulator.advice.moves import Move
from simulator.batch.design import design_points
from simulator.batch.runs import MAX_RUNS, SweepPlan
from simulator.batch.sweep import Design, Sweep, Variant
from simulator.calibration.ensemble import calibration_metadata, load_ensemble
from simulator.scenario import Scenario
from simulator.scenario.overrides import uncertain_path

FLOWS = ("revenue", "serving_cost", "localisation_spend")
SHARD_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("run_index", pa.int32()), ("move", pa.string()),
    ("member", pa.int32()), ("seed", pa.int64()), ("status", pa.string()),
    ("error", pa.string()), ("duration_s", pa.float64()), ("cpu_s", pa.float64()),
    ("cash", pa.list_(pa.float64())), ("start_cash", pa.float64()),
    *[(name, pa.float64()) for name in FLOWS],
    ("exit_revenue", pa.float64()),  # the firm's revenue over the horizon's last 12 months
    ("countries", pa.list_(pa.string())), ("own_users", pa.list_(pa.float64())),
    ("market_country", pa.list_(pa.string())), ("market_firm", pa.list_(pa.string())),
    ("market_users", pa.list_(pa.float64())),
])


@dataclass(frozen=True)
class Ensemble:
    """Members: `points` (one row per parameter setting, columns `names`) x `seeds` seeds."""

    names: list[str]  # uncertain keys, as in a sweep's [uncertain] table
    points: np.ndarray  # [points, parameters]
    seeds: int
    source: str  # where the members come from, in words

    @property
    def size(self) -> int:
        """Number of members."""
        return len(self.points) * self.seeds

    def member_values(self) -> np.ndarray:
        """Parameter values of each member ([members, parameters]), point-major."""
        return np.repeat(self.points, self.seeds, axis=0)

    def member_parameter(self, scenario: Scenario, name: str) -> np.ndarray:
        """Each member's `parameters.<name>`: its own where uncertain, else the scenario's."""
        paths = [uncertain_path(n) for n in self.names]
        key = f"parameters.{name}"
        if key in paths:
            return self.member_values()[:, paths.index(key)]
        return np.full(self.size, float(getattr(scenario.parameters, name)))


def sampled(scenario: Scenario, samples: int, seed: int) -> Ensemble:
    """N Latin-hypercube samples of the scenario's uncertain ranges (N seeds without any)."""
    ranges = dict(scenario.uncertain)
    if not ranges:
        return Ensemble([], np.zeros((1, 0)), samples,
                        f"{samples} seeds of the scenario as written (it has no uncertain "
                        "parameters)")
    points = design_points(Design(kind="latin", samples=samples), ranges, seed)
    return Ensemble(list(ranges), points, 1,
                    f"{samples} Latin hypercube samples of the scenario's uncertain "
                    f"parameters ({', '.join(ranges)})")


def calibrated(folder: Path, limit: int | None = None) -> tuple[Ensemble, int]:
    """A calibration's non-implausible points x its replicate seeds, and its seed.

    With the calibration's seed the plan gives every point the calibration's replicate
    seeds, so the status quo's runs are the calibrated ensemble's own (over the advice's
    horizon). `limit` keeps that many points, evenly spaced (`load_ensemble`).
    """
    settings = calibration_metadata(folder)["settings"]
    members = load_ensemble(folder, limit)
    names = list(members[0])
    points = np.array([[member[name] for name in names] for member in members], dtype=float)
    source = (f"{len(members)} non-implausible points of the calibration {folder} x its "
              f"{settings['replicates']} replicate seeds")
    return Ensemble(names, points, int(settings["replicates"]), source), int(settings["seed"])


def build_plan(base: Scenario, moves: list[Move], ensemble: Ensemble, firm: str,
               seed: int) -> SweepPlan:
    """The sweep plan: variants = moves, design points x seeds = the ensemble's members.

    Raises:
        InputError: more runs than one batch folder holds (`MAX_RUNS`), before any runs.
    """
    runs = len(moves) * ensemble.size
    if runs > MAX_RUNS:
        raise InputError(f"--samples: {runs:,} runs ({len(moves)} moves x {ensemble.size:,} "
                         f"members); at most {MAX_RUNS:,}: lower --samples or compare fewer "
                         "moves (--moves FILE)")
    names = ensemble.names
    low, high = ensemble.points.min(axis=0), ensemble.points.max(axis=0)
    # The plan's ranges only label the design columns here (the points are given).
    ranges = {n: (float(lo), float(max(hi, lo + 1e-12)))
              for n, lo, hi in zip(names, low, high, strict=True)}
    sweep = Sweep(name=f"advice for {firm}", scenario=base.source or base.name,
                  months=base.months, seed=seed, seeds=ensemble.seeds, focus_firm=firm,
                  design=Design(kind="random", samples=len(ensemble.points)),
                  variants=[Variant(name=m.name, description=m.description,
                                    overrides=m.overrides) for m in moves],
                  uncertain=ranges)
    return SweepPlan(sweep, base, ranges, ensemble.points)


def plan_digest(plan: SweepPlan, extra: list | None = None) -> str:
    """What the runs depend on; a folder of other runs is refused rather than mixed in."""
    text = json.dumps([plan.base.digest(), plan.sweep.model_dump(mode="json"),
                       plan.points.tolist(), extra], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shard_path(out: Path, index: int) -> Path:
    """Where run `index` (move x members + member) keeps its row."""
    return out / "shards" / f"{index:06d}.parquet"


@dataclass(frozen=True)
class Outcomes:
    """What the valuation and the drivers read, per move and member."""

    cash: np.ndarray  # [moves, members, months] the firm's cash at each month's end
    start_cash: np.ndarray  # [members] the firm's cash at the decision date
    flows: dict[str, np.ndarray]  # revenue, serving_cost, localisation_spend: [moves, members]
    exit_revenue: np.ndarray  # [moves, members] revenue over the horizon's last 12 months
    own: pd.DataFrame  # move, member, country, users: the firm's users at the last month
    market: pd.DataFrame  # member, country, firm, users: every firm's, status quo, last month
    duration_s: np.ndarray  # [moves, members] seconds each run took in its worker (wall)
    cpu_s: np.ndarray  # [moves, members] CPU seconds of each run (what an idle core takes)


def read_outcomes(plan: SweepPlan, out: Path) -> Outcomes:
    """The shards of every run, as arrays over moves and members."""
    paths = [shard_path(out, i) for i in range(plan.size)]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise RuntimeError(f"{out}: {len(missing)} of {plan.size} runs have no result")
    runs = pa.concat_tables([pq.read_table(p, schema=SHARD_SCHEMA) for p in paths]).to_pandas()
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        raise RuntimeError(f"{len(failed)} of {len(runs)} runs failed, first: "
                           f"{failed['run_id'].iloc[0]}: {failed['error'].iloc[0]}")
    moves = len(plan.sweep.variants)
    members = plan.size // moves
    cash = np.stack(runs["cash"].to_numpy()).reshape(moves, members, -1)
    if np.isnan(cash).any():
        raise RuntimeError(f"{out}: some runs lack months of {plan.focus_firm}'s cash")
    flows = {name: runs[name].to_numpy().reshape(moves, members) for name in FLOWS}
    own = runs[["move", "member", "countries", "own_users"]].explode(["countries", "own_users"])
    own = own.dropna().rename(columns={"countries": "country", "own_users": "users"})
    own["move"] = own["move"].map({v.name: i for i, v in enumerate(plan.sweep.variants)})
    own["users"] = own["users"].astype(float)
    market = runs.loc[runs["run_index"] < members,
                      ["member", "market_country", "market_firm", "market_users"]]
    market = market.explode(["market_country", "market_firm", "market_users"]).dropna()
    market = market.rename(columns={"market_country": "country", "market_firm": "firm",
                                    "market_users": "users"}).astype({"users": float})
    start_cash = runs["start_cash"].to_numpy()[:members]
    exit_revenue = runs["exit_revenue"].to_numpy().reshape(moves, members)
    return Outcomes(cash, start_cash, flows, exit_revenue, own, market,
                    runs["duration_s"].to_numpy().reshape(moves, -1),
                    runs["cpu_s"].to_numpy().reshape(moves, -1))
