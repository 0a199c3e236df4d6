"""Speed of the strategy simulator: the default scenario, and how time grows with size.

Run on purpose (not a test):  python benchmarks/bench_simulator.py [--repeats 3]

1. The default scenario (every country, four firms, 120 months): set-up and stepping time,
   the median of `--repeats` runs after a warm-up, in firm-market-months per second.
2. Scaling: countries x firms on a grid (markets = the N most populous countries, firms =
   the default's archetypes cloned), 120 months each; time per step against firms x
   countries, with a least-squares line and its R^2 (linear growth gives R^2 near 1 and a
   flat or falling time per firm-market).

Uses the shipped technology profile when it exists, else the tests' realistic profile.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _profile() -> str:
    from plumbing.shipped import shipped_path

    try:
        return str(shipped_path("technology_profile.parquet"))
    except FileNotFoundError:
        sys.path.insert(0, str(ROOT / "tests"))
        from sim_profiles import write_profile

        path = Path(tempfile.mkdtemp()) / "profile.parquet"
        return str(write_profile(path))


def _time_run(scenario, profile, repeats: int, clock=time.perf_counter):
    """(cold set-up, warm set-up, stepping, countries) in seconds of `clock`."""
    from simulator import geography
    from simulator.model import StrategyModel

    geography._CACHE.clear()  # the first set-up builds the world arrays again
    setups, steps = [], []
    for _ in range(repeats + 1):  # the first run warms caches (world table, geography)
        start = clock()
        model = StrategyModel(scenario, profile=profile)
        built = clock()
        for _ in range(model.months):
            model.step()
        steps.append(clock() - built)
        setups.append(built - start)
    warm_setup = statistics.median(setups[1:])
    return setups[0], warm_setup, statistics.median(steps[1:]), model.geo.size


def _scaled(base, countries: list[str], n_firms: int):
    firms = []
    for i in range(n_firms):
        spec = base.firms[i % len(base.firms)]
        name = spec.name if i < len(base.firms) else f"{spec.name} {i // len(base.firms) + 1}"
        strategy = spec.strategy.model_copy(update={"exclude": []})
        firms.append(spec.model_copy(update={"name": name, "strategy": strategy}))
    homes = sorted({f.home for f in firms})
    return base.model_copy(update={"markets": sorted(set(countries) | set(homes)),
                                   "firms": firms})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from plumbing.shipped import shipped_path
    from simulator.run import load_scenario
    from simulator.technology import load_profile
    from simulator.world.countries import load_countries

    profile = load_profile(_profile())
    base = load_scenario(shipped_path("scenarios", "default.toml"))
    print("## default scenario")
    # Wall time suffers when the machine is shared; CPU time of this single-threaded
    # process is what the run costs on an idle core.
    for label, clock in (("wall", time.perf_counter), ("cpu", time.process_time)):
        cold, setup, steps, n = _time_run(base, profile, args.repeats, clock)
        units = len(base.firms) * n * base.months
        print(f"[{label}] countries {n}, firms {len(base.firms)}, months {base.months}: "
              f"set-up {cold:.3f} s cold (world arrays built), {setup:.3f} s warm (cached); "
              f"stepping {steps:.3f} s; total {cold + steps:.3f} s cold, "
              f"{setup + steps:.3f} s warm; {units / steps:,.0f} firm-market-months/s")

    by_people = [c.iso2 for c in sorted(load_countries(), key=lambda c: -c.population)]
    print("\n## scaling (120 months; CPU time, median of repeats)")
    print("| countries | firms | firms x countries | step ms | us per firm-market-month |")
    print("| --- | --- | --- | --- | --- |")
    sizes, per_step = [], []
    for n_countries in (30, 60, 120, len(by_people)):
        for n_firms in (2, 4, 8, 16):
            scenario = _scaled(base, by_people[:n_countries], n_firms)
            _, _, steps, n = _time_run(scenario, profile, args.repeats, time.process_time)
            step_ms = steps / scenario.months * 1e3
            sizes.append(n_firms * n)
            per_step.append(step_ms)
            unit_us = steps / (n_firms * n * scenario.months) * 1e6
            print(f"| {n} | {n_firms} | {n_firms * n} | {step_ms:.2f} | {unit_us:.2f} |")
    x, y = np.array(sizes, float), np.array(per_step)
    slope, intercept = np.polyfit(x, y, 1)
    fitted = slope * x + intercept
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    print(f"\nstep ms = {intercept:.3f} + {slope * 1e3:.3f}e-3 x (firms x countries), "
          f"R^2 = {r2:.3f}")
    print(f"largest / smallest size: {x.max() / x.min():.0f}x the work, "
          f"{y[x.argmax()] / y[x.argmin()]:.1f}x the time per step")


if __name__ == "__main__":
    main()
