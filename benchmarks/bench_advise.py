"""Speed of `simulator advise`: moves x ensemble members over the horizon, end to end.

Run on purpose (not a test):
    python benchmarks/bench_advise.py [--moves 20] [--members 100] [--months 120]
                                      [--workers 2] [--backend local|ray] [--small]

The scenario is the shipped default (every country, four firms) with its own uncertain
ranges, so the ensemble is a Latin hypercube and scenario discovery runs; the firm is the
European challenger, its first `--moves` generated moves (the status quo among them). Wall
time covers everything `simulator advise` does (starting the workers, every run writing its
shard, reading them back, NPV, regret, drivers, PRIM, the files); the runs' own seconds
(their `duration_s`) and the read-back are reported beside it, so what limits the whole
is visible. `--small` is a quick 5 x 4, 24-month check of the script.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from rich.console import Console

from plumbing.shipped import shipped_path

FIRM = "Euro Challenger"


def main() -> None:
    """Run one advice and print its timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["local", "ray"], default="local")
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    if args.small:
        args.moves, args.members, args.months = 5, 4, 24

    from simulator.advice.advise import advise
    from simulator.advice.ensemble import build_plan, read_outcomes
    from simulator.advice.moves import generate_moves
    from simulator.run import load_scenario
    from simulator.scenario.overrides import apply
    from simulator.technology import load_profile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = shipped_path("scenarios", "default.toml")
        base = apply(load_scenario(path), {"months": args.months})
        moves = generate_moves(base, FIRM, load_profile(base.profile_path()))[: args.moves]
        started = time.perf_counter()
        result = advise(path, FIRM, folder / "advice", samples=args.members,
                        horizon=args.months, workers=args.workers, backend=args.backend,
                        console=Console(stderr=True, quiet=True), moves=moves)
        wall = time.perf_counter() - started
        plan = build_plan(result.scenario, moves, result.ensemble, FIRM, result.scenario.seed)
        started = time.perf_counter()
        outcomes = read_outcomes(plan, folder / "advice" / "runs")
        durations, cpu = outcomes.duration_s, outcomes.cpu_s
        read_back = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (folder / "advice" / "runs").rglob("*.parquet"))
    count = durations.size
    print(f"moves {len(moves)} x members {result.ensemble.size} = {count} runs of "
          f"{args.months} months, {args.workers} {args.backend} workers, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"wall {wall:.1f} s ({count / wall:.2f} runs/s); runs' own time: mean "
          f"{durations.mean():.3f} s wall, {cpu.mean():.3f} s CPU; sum of CPU {cpu.sum():.1f} s "
          f"(/ {args.workers} workers = {cpu.sum() / args.workers:.1f} s on idle cores); "
          f"read-back {read_back:.1f} s; shards {size / 1e6:.1f} MB")
    print(f"best expected {result.summary()['best_expected']}, robust "
          f"{result.summary()['robust']}")


if __name__ == "__main__":
    main()
