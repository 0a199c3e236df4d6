"""Running an evaluation plan's points on the batch engine, with rich progress.

The points go to `simulator.backends` (local worker processes or Ray tasks) as a `Job`
of `execute_point` and `write_point`; progress counts model runs (points x replicates),
so its speed reads as runs per second whatever the replicates.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from simulator.backends import Job, run_local, run_ray
from simulator.batch import RunsPerSecond
from simulator.calibration.evaluate import EvaluationPlan, execute_point, write_point

CALIBRATION_JOB = Job(execute_point, write_point)


def run_points(plan: EvaluationPlan, todo: list[int], out: Path, backend: str, workers: int,
               address: str | None, console: Console, label: str) -> dict[str, int]:
    """Evaluate the `todo` points of `plan` into `out`; returns counts of points ok/error."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {"ok": 0, "error": 0}
    if backend == "ray":
        rows = run_ray(plan, todo, out, workers, address, job=CALIBRATION_JOB)
    elif backend == "local":
        rows = run_local(plan, todo, out, workers, job=CALIBRATION_JOB)
    else:
        raise ValueError(f"expected backend local or ray, got {backend!r}")
    total, done = plan.size * plan.replicates, (plan.size - len(todo)) * plan.replicates
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  RunsPerSecond(), TimeRemainingColumn(), console=console,
                  disable=not todo) as progress:
        task = progress.add_task(label, total=total, completed=done)
        for row in rows:
            counts[row["status"]] += 1
            progress.advance(task, plan.replicates)
    return counts
