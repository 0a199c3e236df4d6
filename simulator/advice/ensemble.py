"""The uncertainty ensemble and its runs: every move x every member, on the batch engine.

A member is one setting of the uncertain parameters and one seed. Members come from
`--samples N` (a Latin hypercube of the scenario's `uncertain` ranges, one seed each; N
seeds of the scenario as written when it has no uncertain parameter) or from a calibration
folder (its non-implausible points). Every move runs on every member with the member's seed:
common random numbers (Law 2015, ch. 11), so a difference between two moves in a member is
the moves' doing, not seed noise.

The runs are a `simulator.batch_runs.SweepPlan` (variants = moves, design points x seeds =
members) executed by `simulator.backends` (local processes or Ray) into a batch folder
(layout: `simulator.batch`), so a killed advice resumes and `simulator report` reads it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from hub.errors import InputError
from hub.metrics import now_iso
from simulator.advice.moves import Move
from simulator.batch_runs import SweepPlan
from simulator.batch_store import MANIFEST, METADATA, finished_runs, read_json, write_json
from simulator.design import design_points
from simulator.scenario import Scenario
from simulator.sweep import Design, Sweep, Variant


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


def build_plan(base: Scenario, moves: list[Move], ensemble: Ensemble, firm: str,
               seed: int) -> SweepPlan:
    """The sweep plan: variants = moves, design points x seeds = the ensemble's members."""
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


def plan_digest(plan: SweepPlan) -> str:
    """What the runs depend on; a folder of other runs is refused rather than mixed in."""
    text = json.dumps([plan.base.digest(), plan.sweep.model_dump(mode="json"),
                       plan.points.tolist()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _metadata(plan: SweepPlan, ensemble: Ensemble, digest: str) -> dict:
    sweep = plan.sweep
    return {  # the keys `simulator report` (simulator.analysis.Batch) reads
        "sweep": {"path": "(simulator advise)", "sha256": digest, "name": sweep.name,
                  "text": ""},
        "scenario": {"path": str(plan.base.source), "digest": plan.base.digest(),
                     "name": plan.base.name},
        "product_version": version("intl-strategy"), "design": sweep.design.model_dump(),
        "parameters": [{"name": k, "low": lo, "high": hi} for k, (lo, hi) in plan.ranges.items()],
        "points": len(plan.points), "seeds": sweep.seeds, "seed": sweep.seed,
        "variants": [v.name for v in sweep.variants], "focus_firm": plan.focus_firm,
        "runs": plan.size, "months": plan.base.months, "ensemble": ensemble.source,
        "started": now_iso(), "ended": None,
    }


def run_members(plan: SweepPlan, ensemble: Ensemble, out: Path, workers: int,
                backend: str = "local", address: str | None = None,
                console: Console | None = None) -> None:
    """Run (or finish) every run of the plan into the batch folder `out`."""
    from simulator.backends import run_local, run_ray

    digest = plan_digest(plan)
    old = read_json(out / METADATA)
    if out.exists() and any(out.iterdir()) and (old is None or old["sweep"]["sha256"] != digest):
        raise InputError(f"{out}: holds other runs (another scenario, firm, moves or ensemble); "
                         "they are not overwritten: choose another --out or delete it")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*/.*.tmp"):
        stale.unlink()  # half-written shards of a killed run (hub.atomic's temporary names)
    metadata = _metadata(plan, ensemble, digest) if old is None else {**old, "ended": None}
    write_json(out / METADATA, metadata)
    finished = finished_runs(out)
    todo = [i for i in range(plan.size) if plan.spec(i).run_id not in finished]
    rows = (run_ray(plan, todo, out, workers, address) if backend == "ray"
            else run_local(plan, todo, out, workers))
    with Progress("[bold]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console or Console(stderr=True),
                  disable=not todo, transient=True) as progress:
        task = progress.add_task(f"{len(plan.sweep.variants)} moves x {ensemble.size} members "
                                 f"({backend})", total=plan.size,
                                 completed=plan.size - len(todo))
        for row in rows:
            finished[row["run_id"]] = {"index": row["run_index"], "status": row["status"]}
            write_json(out / MANIFEST, {"sweep_sha256": digest, "runs": finished})
            progress.advance(task)
    write_json(out / MANIFEST, {"sweep_sha256": digest, "runs": finished})
    write_json(out / METADATA, {**metadata, "ended": now_iso()})


def _query(out: Path, sql: str, firm: str) -> pd.DataFrame:
    import duckdb

    with duckdb.connect() as con:
        con.execute("SET threads TO 2")
        sql = sql.format(ts=out / "timeseries" / "*.parquet")
        return con.execute(sql, {"firm": firm} if "$firm" in sql else {}).df()


@dataclass(frozen=True)
class Outcomes:
    """What the valuation and the drivers read, per move and member."""

    cash: np.ndarray  # [moves, members, months] the firm's cash at each month's end
    flows: dict[str, np.ndarray]  # revenue, serving_cost, localisation_spend: [moves, members]
    own: pd.DataFrame  # move, member, country, users: the firm's users at the last month
    market: pd.DataFrame  # member, country, firm, users: every firm's, status quo, last month


def read_outcomes(plan: SweepPlan, out: Path) -> Outcomes:
    """The focus firm's monthly cash and horizon totals, per move and member, from the shards."""
    from simulator.batch_store import read_table

    runs = read_table(out, "runs").to_pandas()
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        raise RuntimeError(f"{len(failed)} of {len(runs)} runs failed, first: "
                           f"{failed['run_id'].iloc[0]}: {failed['error'].iloc[0]}")
    firm, months = plan.focus_firm, plan.base.months
    per_month = _query(out, """
        SELECT run_id, month, any_value(cash) AS cash, sum(revenue) AS revenue,
               sum(serving_cost) AS serving_cost, sum(localisation_spend) AS localisation_spend
        FROM '{ts}' WHERE firm = $firm GROUP BY run_id, month""", firm)
    own = _query(out, f"""SELECT run_id, country, sum(users) AS users FROM '{{ts}}'
        WHERE month = {months} AND firm = $firm GROUP BY run_id, country""", firm)
    status_quo = plan.sweep.variants[0].name
    market = _query(out, f"""SELECT run_id, country, firm, users FROM '{{ts}}'
        WHERE month = {months} AND users > 0
        AND regexp_matches(run_id, '^{status_quo}-p[0-9]+-r[0-9]+$')""", firm)
    index = {plan.spec(i).run_id: i for i in range(plan.size)}
    moves, members = len(plan.sweep.variants), plan.size // len(plan.sweep.variants)
    flat = per_month["run_id"].map(index).to_numpy()
    cash = np.full((plan.size, months), np.nan)
    cash[flat, per_month["month"].to_numpy() - 1] = per_month["cash"].to_numpy()
    if np.isnan(cash).any():
        raise RuntimeError(f"{out}: some runs lack months of {firm}'s cash")
    flows = {}
    for name in ("revenue", "serving_cost", "localisation_spend"):
        total = np.zeros(plan.size)
        np.add.at(total, flat, per_month[name].to_numpy())
        flows[name] = total.reshape(moves, members)

    def split(frame: pd.DataFrame) -> pd.DataFrame:
        run = frame["run_id"].map(index).to_numpy()
        return frame.assign(move=run // members, member=run % members).drop(columns="run_id")

    return Outcomes(cash.reshape(moves, members, months), flows, split(own), split(market))
