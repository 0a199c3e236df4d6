"""Calibration speed: a history-matching calibration of ten-year runs, local vs Ray.

Run: python benchmarks/bench_calibration.py [--runs 2000] [--workers 2] [--ray] [--small]

CPU = user + system seconds of the local worker processes: on a shared machine the wall
time says how busy it was, CPU per run what the calibration costs.
The calibration is `simulator calibrate data/scenarios/history.toml --observations
data/observations.csv` with `--until 2032-10`, so every run simulates ten years (120
months from November 2022) and is scored on every calibration row; three waves, four
replicate seeds per point, `--runs` runs in all. Wall time covers everything the command
does (starting workers or Ray, the runs, the shards, scoring, the Parquet outputs). With
`--ray` the same calibration runs on a local Ray with the same CPUs, and the two
non-implausible sets and every point's implausibilities are compared. `--small` is a
quick 48-run check of the script.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from rich.console import Console

from simulator.calibration.calibrate import Settings, calibrate

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "data" / "scenarios" / "history.toml"
OBSERVATIONS = ROOT / "data" / "observations.csv"


def measure(out: Path, settings: Settings, workers: int, backend: str) -> dict:
    """Wall seconds of one complete calibration, its runs per second and workers' CPU."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    metadata = calibrate(SCENARIO, OBSERVATIONS, out, settings, backend=backend,
                         workers=workers, console=Console(stderr=True, quiet=True))
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    runs = sum(w["points"] for w in metadata["waves"]) * settings.replicates
    return {"backend": backend, "workers": workers, "runs": runs, "wall_s": wall,
            "runs_per_s": runs / wall, "cpu_s_per_run": cpu / runs if backend == "local"
            else float("nan"), "months": metadata["months"],
            "non_implausible": sum(w["non_implausible"] for w in metadata["waves"])}


def main() -> None:
    """Parse options, run the configurations side by side, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ray", action="store_true", help="also run on a local Ray")
    parser.add_argument("--small", action="store_true")
    options = parser.parse_args()
    runs, until = (48, "2024-12") if options.small else (options.runs, "2032-10")
    settings = Settings(until=until, runs=runs, waves=3, replicates=4, seed=1)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        rows.append(measure(Path(scratch) / "local", settings, options.workers, "local"))
        if options.ray:
            rows.append(measure(Path(scratch) / "ray", settings, options.workers, "ray"))
            for table in ("points", "non_implausible"):  # every point's implausibilities
                local, ray = (pd.read_parquet(Path(scratch) / name / f"{table}.parquet")
                              for name in ("local", "ray"))
                print(f"{table}.parquet identical on local and Ray ({len(local)} rows): "
                      f"{local.equals(ray)}")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    first = rows[0]
    print(f"extrapolated to 2,000 runs at this wall speed: "
          f"{2000 / first['runs_per_s'] / 60:.1f} min; on {options.workers} free cores "
          f"(CPU per run / workers): {2000 * first['cpu_s_per_run'] / options.workers / 60:.1f} "
          "min (target <= 15 min)")


if __name__ == "__main__":
    main()
