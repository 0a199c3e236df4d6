"""Speed of advice from a decision date: branching from one simulated history vs from scratch.

Run on purpose (not a test):
    python benchmarks/bench_advise_from.py [--moves 6] [--members 4] [--from 2025-12]
                                           [--target-moves 36] [--target-members 100]
                                           [--workers 2] [--scenario stylised|default]

The shipped stylised four-lab scenario (scenarios/stylised.toml, formerly default.toml;
four firms, every country, to 2032-10) or `--scenario default` (the calibrated world:
history's six archetypes, to 2030-12), the US frontier lab, decided in `--from` (its
horizon to the scenario's end: 83 or 61 months from 2025-12); `--moves` of its
generated moves, the status quo and the others evenly spaced over the generated list (so
the kinds vary: entries, localisations, sites, regions, channels, prices, tiers); members
are the scenario's own Latin hypercube. Three measurements, one core each:

1. branching: `simulate_member` (the member's history once, every move a copy of it) per
   member, with all the moves and with the status quo alone: a member costs
   `a + b x (moves - 1)`, `a` the set-up, history and status quo, `b` one branch;
2. from scratch: each run built and simulated from the scenario's start, the move's edit
   adopted at the decision date (what advice did before branching), per move and member;
3. the whole `advise` of the small case on `--workers` processes (shards, valuation,
   drivers, files), for what the pipeline adds.

It prints the ratio (from scratch / branching) and extrapolates both to `--target-moves` x
`--target-members` on `--workers` idle cores: linear in members and in moves by the fit
above, which is exact for the branching's structure; the machine's load average is printed
beside it (cores shared with other work make every figure slower).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from rich.console import Console

from plumbing.shipped import shipped_path

FIRMS = {"stylised": "Frontier US", "default": "US Frontier"}  # the US frontier lab


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=6)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--from", dest="decide", default="2025-12")
    parser.add_argument("--target-moves", type=int, default=36)
    parser.add_argument("--target-members", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", choices=["stylised", "default"], default="stylised")
    args = parser.parse_args()

    from simulator.advice.advise import advise
    from simulator.advice.decision import decide_from
    from simulator.advice.ensemble import build_plan, sampled
    from simulator.advice.members import plan_advice, simulate_member
    from simulator.advice.moves import generate_moves
    from simulator.batch.sweep import flatten_overrides
    from simulator.model import StrategyModel
    from simulator.run import _release, load_scenario
    from simulator.run.branching import adopt
    from simulator.scenario.overrides import apply, uncertain_path
    from simulator.technology import load_profile

    path = shipped_path("scenarios", f"{args.scenario}.toml")
    scenario = load_scenario(path)
    firm = FIRMS[args.scenario]
    decision = decide_from(scenario, args.decide)
    base = apply(scenario, {"months": decision.months})
    profile = load_profile(base.profile_path(), base.profile_size)
    started = time.perf_counter()
    every = generate_moves(base, firm, profile, decision)
    generating = time.perf_counter() - started
    step = max((len(every) - 1) // max(args.moves - 1, 1), 1)
    moves = [every[0], *every[1::step][: args.moves - 1]]
    ensemble = sampled(base, args.members, base.seed)

    def plan_of(chosen):
        return plan_advice(build_plan(base, chosen, ensemble, firm, base.seed), decision,
                           [m.delay for m in chosen])

    def branching(chosen) -> float:
        plan, cpu = plan_of(chosen), time.process_time()
        for member in range(ensemble.size):
            simulate_member(plan, member)
        return (time.process_time() - cpu) / ensemble.size

    one, full = branching(moves[:1]), branching(moves)
    per_branch = (full - one) / (len(moves) - 1)
    plan, cpu = plan_of(moves), time.process_time()
    for member in range(ensemble.size):  # every run from the start, the edit at the date
        spec = plan.runs.spec(member)
        values = {uncertain_path(k): v for k, v in spec.values.items()}
        for move in moves:
            model = StrategyModel(apply(base, values), seed=spec.seed, profile=profile)
            for _ in range(decision.month - 1 + move.delay):
                model.step()
            adopt(model, apply(base, flatten_overrides(move.overrides) | values))
            while model.steps < model.months:
                model.step()
            _release(model)
    scratch = (time.process_time() - cpu) / (ensemble.size * len(moves))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        advise(path, firm, Path(tmp) / "advice", samples=args.members, decide=args.decide,
               workers=args.workers, moves=moves, console=Console(stderr=True, quiet=True))
        whole = time.perf_counter() - started

    runs = len(moves) * ensemble.size
    target_runs = args.target_moves * args.target_members
    branch_total = args.target_members * (one + per_branch * (args.target_moves - 1))
    scratch_total = target_runs * scratch
    print(f"{args.scenario} scenario, {firm}, from {decision.date} (month {decision.month}), "
          f"horizon {decision.horizon} months; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; {len(every)} moves generated in {generating:.1f} s "
          "(price search included)")
    print(f"small case {len(moves)} moves x {ensemble.size} members = {runs} runs, CPU seconds "
          f"on one core: branching {full:.2f} s a member ({one:.2f} s history + status quo, "
          f"{per_branch:.3f} s a branch), from scratch {scratch:.3f} s a run "
          f"({scratch * len(moves):.2f} s a member's moves)")
    print(f"ratio from scratch / branching: {scratch * len(moves) / full:.2f}x on the small "
          f"case; whole advise of it on {args.workers} workers: {whole:.1f} s wall")
    print(f"extrapolated to {args.target_moves} moves x {args.target_members} members "
          f"({target_runs:,} runs) on {args.workers} idle cores: branching "
          f"{branch_total / args.workers / 60:.1f} min, from scratch "
          f"{scratch_total / args.workers / 60:.1f} min "
          f"(ratio {scratch_total / branch_total:.2f}x)")
    print("moves: " + ", ".join(m.name for m in moves))


if __name__ == "__main__":
    main()
