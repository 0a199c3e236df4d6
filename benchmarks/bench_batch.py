"""Batch sweeps: runs per second with 1 and 2 local workers, and Ray against local processes.

Run: python benchmarks/bench_batch.py [--runs 200] [--months 120] [--small]
The sweep is the default scenario (`data/scenarios/default.toml`) over a Latin hypercube of
GPU price and serving cost with 5 seeds per point, `--runs` runs in all. Each configuration
writes its own folder; wall time covers everything `simulator batch` does (starting the
workers or Ray, the runs, the shards and manifest). The tables of all configurations are
compared: the same sweep must give the same rows. `--small` is a quick 20-run, 24-month
check of the script itself.

Without the shipped technology profile (made by `hub profile`) the tests' realistic profile
(`tests/sim_profiles.py`) stands in; the output says which one was used.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from plumbing.shipped import shipped_path
from simulator.batch import run_batch
from simulator.batch.store import read_table

SEEDS = 5


def sweep_text(runs: int, months: int | None, profile: Path | None) -> str:
    """A one-variant sweep of the default scenario with `runs` runs."""
    scenario = shipped_path("scenarios", "default.toml")
    override = f'technology_profile = "{profile}"' if profile else ""
    return (f'name = "benchmark"\nscenario = "{scenario}"\nseed = 1\nseeds = {SEEDS}\n'
            + (f"months = {months}\n" if months else "")
            + f'design = {{ kind = "latin", samples = {runs // SEEDS} }}\n'
            f'[[variants]]\nname = "default"\noverrides = {{ {override} }}\n'
            '[uncertain]\n"compute.gpu_usd_per_hour" = [1.5, 4.0]\n'
            "serving_cost_multiplier = [30.0, 120.0]\n")


def profile_for(folder: Path) -> Path | None:
    """None when the shipped profile exists, else the tests' profile written into `folder`."""
    try:
        shipped_path("technology_profile.parquet")
        return None
    except FileNotFoundError:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from sim_profiles import write_profile

        return write_profile(folder / "profile.parquet")


def measure(sweep: Path, out: Path, workers: int, backend: str) -> dict:
    """Wall and (local workers') CPU seconds of one complete batch."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    counts = run_batch(sweep, out, workers=workers, backend=backend,
                       console=Console(stderr=True, quiet=True))
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    assert counts["error"] == 0, counts
    return {"wall": wall, "cpu": cpu if backend == "local" else float("nan"), "out": out,
            "runs": counts["ok"]}


def main() -> None:
    """Run the configurations side by side and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--months", type=int, default=None)
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    runs, months = (20, 24) if args.small else (args.runs, args.months)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        profile = profile_for(folder)
        sweep = folder / "bench.toml"
        sweep.write_text(sweep_text(runs, months, profile), encoding="utf-8")
        configurations = [("local", 1), ("local", 2), ("ray", 2)]
        results = {}
        for backend, workers in configurations:
            results[backend, workers] = measure(sweep, folder / f"{backend}{workers}", workers,
                                                backend)
            print(f"{backend} x{workers}: {results[backend, workers]['wall']:.1f} s",
                  file=sys.stderr)
        first = results["local", 1]["out"]
        for name in ("runs", "timeseries"):
            reference = read_table(first, name).drop_columns(
                ["duration_s"] if name == "runs" else [])
            for result in results.values():
                table = read_table(result["out"], name).drop_columns(
                    ["duration_s"] if name == "runs" else [])
                assert table.equals(reference), f"{name} differs in {result['out']}"
    one = results["local", 1]["wall"]
    print(f"profile: {'shipped' if profile is None else 'tests/sim_profiles.py'}; runs: {runs}; "
          f"months: {months or 'scenario (120)'}; identical tables: yes")
    print("| backend | workers | wall (s) | runs/s | speed-up vs 1 local | CPU (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (backend, workers), r in results.items():
        print(f"| {backend} | {workers} | {r['wall']:.1f} | {r['runs'] / r['wall']:.2f} | "
              f"{one / r['wall']:.2f}x | {r['cpu']:.1f} |")
    ray, local = results["ray", 2]["wall"], results["local", 2]["wall"]
    print(f"Ray overhead against 2 local processes: {ray / local - 1:+.0%} wall")


if __name__ == "__main__":
    main()
