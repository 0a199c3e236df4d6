"""One ensemble member's runs: simulated once to the decision date, every move a branch.

A member (one setting of the uncertain parameters and one seed) is simulated from the
scenario's start to the month before the decision date once. The status quo goes on from
there; every other move is a copy of that state taken at the month the move takes effect
(the decision month, or 6 or 12 months later), its edit applied there
(`simulator.run.branching`), run to the horizon's end. Before its month a move's path is the
status quo's, byte for byte; the status quo is the straight run of the member's scenario.
A move whose edit only set-up can make (a moves file's parameter, say) is built from its
edited scenario, which is only possible from the scenario's start (`AdvicePlan.fresh`).

A member is one task of the experiment runner (`simulator.batch.experiments`); it writes one shard
per run (`simulator.advice.ensemble.shard_path`: index = move x members + member), only
those not already there, so a resumed advice keeps every finished run.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from rich.console import Console

from hub.metrics import now_iso
from plumbing.atomic import write_parquet
from plumbing.errors import InputError
from simulator.advice.decision import Decision
from simulator.advice.ensemble import (
    FLOWS,
    SHARD_SCHEMA,
    Ensemble,
    plan_digest,
    shard_path,
)
from simulator.batch.backends import evaluator
from simulator.batch.experiments import Job, perform_experiments
from simulator.batch.runs import SweepPlan, _profile
from simulator.batch.store import read_json, write_json
from simulator.batch.sweep import flatten_overrides
from simulator.model import StrategyModel
from simulator.run import _release
from simulator.run.branching import adopt, branch_problems, snapshot
from simulator.scenario.overrides import apply, uncertain_path


@dataclass(frozen=True)
class AdvicePlan:
    """The runs of an advice (picklable): moves x members, from a decision."""

    runs: SweepPlan  # variants = moves (the status quo first), points x seeds = members
    decision: Decision
    delays: tuple[int, ...]  # months after the decision each move takes effect
    fresh: tuple[bool, ...]  # built from its edited scenario (set-up edits, from the start)

    @property
    def members(self) -> int:
        """Ensemble members (tasks)."""
        return len(self.runs.points) * self.runs.sweep.seeds

    @property
    def moves(self) -> int:
        """Moves, the status quo among them."""
        return len(self.runs.sweep.variants)

    def digest(self) -> str:
        """What the runs depend on: the sweep plan, the decision and the moves' timing."""
        return plan_digest(self.runs, [self.decision.date, self.decision.horizon,
                                       list(self.delays)])


def plan_advice(runs: SweepPlan, decision: Decision, delays: list[int]) -> AdvicePlan:
    """The plan; a move only set-up can apply, from a later decision, is refused.

    Raises:
        InputError: naming the move and the keys it changes that a branch cannot apply.
    """
    fresh, problems = [], []
    for variant, delay in zip(runs.sweep.variants, delays, strict=True):
        edited = apply(runs.base, flatten_overrides(variant.overrides))
        keys = branch_problems(runs.base, edited)
        fresh.append(bool(keys))
        if keys and (decision.month > 1 or delay > 0):
            problems.append(f"{variant.name}: {', '.join(keys)}")
    if problems:
        raise InputError(f"--from {decision.date}: these moves change what only a run's "
                         f"set-up reads, so they cannot start from a decision date: "
                         f"{'; '.join(problems)} (expected firms' strategy or channels keys; "
                         "or advise from the scenario's start)")
    return AdvicePlan(runs, decision, tuple(delays), tuple(fresh))


class FocusRecorder:
    """What advice reads of a run: the firm's own cash each month of the horizon, flow totals.

    Own cash leaves out equity raised and a parent's funding (`StrategyModel.own_cash`).
    """

    def __init__(self, firm: int, decision: Decision) -> None:
        self.firm, self.first, self.months_done = firm, decision.month, 0
        self.cash = np.full(decision.horizon, np.nan)
        self.revenue = np.zeros(decision.horizon)  # each month's, for the exit value
        self.flows = dict.fromkeys(FLOWS, 0.0)

    def annual_revenue(self) -> float:
        """Revenue over the horizon's last 12 months (a shorter horizon's, annualised)."""
        last = self.revenue[-12:]
        return float(last.sum() * 12 / last.size)

    def record(self, model, month: int) -> None:
        """After `month`: the firm's cash and its flows, from the decision month on."""
        self.months_done = month
        if month < self.first:
            return
        self.cash[month - self.first] = model.own_cash()[self.firm]
        self.revenue[month - self.first] = model.ledger.flows["revenue"][self.firm].sum()
        for name in FLOWS:
            self.flows[name] += float(model.ledger.flows[name][self.firm].sum())


def simulate_member(plan: AdvicePlan, member: int) -> tuple[float, list]:
    """(the firm's cash at the decision date, each move's finished model), moves' order."""
    runs, decision = plan.runs, plan.decision
    spec = runs.spec(member)  # the status quo's run of the member: its seed and values
    values = {uncertain_path(k): v for k, v in spec.values.items()}
    edited = [apply(runs.base, flatten_overrides(v.overrides) | values)
              for v in runs.sweep.variants]
    profile = _profile(edited[0].profile_path(), edited[0].profile_size)
    firm = [f.name for f in runs.base.firms].index(runs.focus_firm)
    built = []

    def build(scenario):
        model = StrategyModel(scenario, seed=spec.seed, profile=profile,
                              months=decision.months)
        model.recorder = FocusRecorder(firm, decision)
        built.append(model)
        return model

    def finish(model):
        while model.steps < decision.months:
            model.step()
        return model

    try:
        trunk = build(edited[0])
        for _ in range(decision.month - 1):
            trunk.step()
        start_cash = float(trunk.own_cash()[firm])
        done: list = [None] * plan.moves
        due: dict[int, list[int]] = {}  # months done when a move's edit applies -> moves
        for i in range(1, plan.moves):
            if plan.fresh[i]:
                done[i] = finish(build(edited[i]))
            else:
                due.setdefault(decision.month - 1 + plan.delays[i], []).append(i)
        while True:
            for i in due.pop(trunk.steps, []):
                branch = snapshot(trunk)
                adopt(branch, edited[i])
                done[i] = finish(branch)
            if trunk.steps >= decision.months:
                break
            trunk.step()
        done[0] = trunk
        for moves in due.values():  # due after the horizon: the status quo's path
            for i in moves:
                done[i] = trunk
        return start_cash, done
    finally:
        for model in built:
            _release(model)


def _row(model, focus: int, start_cash: float, status_quo: bool) -> dict:
    """The run reduced to what the valuation and the drivers read."""
    geo, users = model.geo, model.users
    own = np.flatnonzero(users[focus] > 0)
    out = {"cash": model.recorder.cash.tolist(), "start_cash": start_cash,
           **model.recorder.flows, "exit_revenue": model.recorder.annual_revenue(),
           "countries": [geo.iso2[c] for c in own],
           "own_users": users[focus, own].tolist(),
           "market_country": None, "market_firm": None, "market_users": None}
    if status_quo:
        f, c = np.nonzero(users > 0)
        names = [firm.name for firm in model.scenario.firms]
        out |= {"market_country": [geo.iso2[j] for j in c],
                "market_firm": [names[i] for i in f], "market_users": users[f, c].tolist()}
    return out


@dataclass(frozen=True)
class MemberOutput:
    """One member's runs: `row` for the runner (with the runs' rows), a table per run."""

    row: dict
    tables: dict[int, pa.Table]


def execute_member(plan: AdvicePlan, member: int) -> MemberOutput:
    """Every move on one member; an exception becomes error rows, never a crash."""
    runs, started, cpu = plan.runs, time.perf_counter(), time.process_time()
    indices = [i * plan.members + member for i in range(plan.moves)]
    specs = [runs.spec(index) for index in indices]
    rows = [{"run_id": s.run_id, "run_index": s.index, "move": s.strategy, "member": member,
             "seed": s.seed, "status": "ok", "error": None} for s in specs]
    try:
        start_cash, models = simulate_member(plan, member)
        focus = [f.name for f in runs.base.firms].index(runs.focus_firm)
        for i, model in enumerate(models):
            rows[i] |= _row(model, focus, start_cash, i == 0)
    except Exception as exc:  # a member's failure is data: recorded, reported with the advice
        last = traceback.extract_tb(exc.__traceback__)[-1]
        for row in rows:
            row |= {"status": "error", "error": f"{type(exc).__name__}: {exc} "
                    f"({Path(last.filename).name}:{last.lineno})"}
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    tables = {}
    for row in rows:  # the member's time, shared by its runs
        row |= {"duration_s": wall / len(rows), "cpu_s": used / len(rows)}
        tables[row["run_index"]] = pa.Table.from_pylist([row], schema=SHARD_SCHEMA)
    status = "ok" if all(r["status"] == "ok" for r in rows) else "error"
    return MemberOutput({"member": member, "status": status,
                         "runs": [{"run_index": r["run_index"], "status": r["status"]}
                                  for r in rows]}, tables)


def write_member(out: Path, plan: AdvicePlan, output: MemberOutput) -> None:
    """Store the member's runs atomically, each one not stored yet (a resume keeps them)."""
    for index, table in output.tables.items():
        path = shard_path(out, index)
        if not path.exists():
            write_parquet(table, path)


def member_name(plan: AdvicePlan, member: int) -> str:
    """A member as messages name it."""
    return f"member {member} (seed {plan.runs.spec(member).seed})"


ADVICE_JOB = Job(execute_member, write_member, member_name, noun="member")


def run_members(plan: AdvicePlan, ensemble: Ensemble, out: Path, workers: int,
                backend: str = "local", address: str | None = None,
                console: Console | None = None,
                on_row: Callable[[dict], None] | None = None) -> None:
    """Run (or finish) every member of the plan into the folder `out`.

    `on_row` is called with each finished run's row (the TUI's progress and cancel).

    Raises:
        InputError: `out` holds other runs.
        RunsLost: members that did not finish (a worker died); the others are kept.
    """
    digest = plan.digest()
    old = read_json(out / "metadata.json")
    if out.exists() and any(out.iterdir()) and (old is None or old["digest"] != digest):
        raise InputError(f"{out}: holds other runs (another scenario, firm, moves, ensemble "
                         "or decision date); they are not overwritten: choose another --out "
                         "or delete it")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*/.*.tmp"):
        stale.unlink()  # half-written shards of a killed run (plumbing.atomic's temporary names)
    metadata = old or {"digest": digest, "ensemble": ensemble.source,
                       "runs": plan.members * plan.moves, "decision": plan.decision.date,
                       "started": now_iso()}
    write_json(out / "metadata.json", {**metadata, "ended": None})
    todo = [k for k in range(plan.members)
            if not all(shard_path(out, i * plan.members + k).exists()
                       for i in range(plan.moves))]

    def each_run(row: dict) -> None:
        for run in row["runs"]:
            on_row(run)

    perform_experiments(plan, todo, out, ADVICE_JOB, evaluator(backend, workers, address),
                        f"{plan.moves} moves x {ensemble.size} members from "
                        f"{plan.decision.date}", plan.members, console, weight=plan.moves,
                        on_row=None if on_row is None else each_run, transient=True)
    write_json(out / "metadata.json", {**metadata, "ended": now_iso()})
