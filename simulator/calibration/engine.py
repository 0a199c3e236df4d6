"""Running an evaluation plan's points with the experiment runner.

A point is one task (`execute_point` runs its replicate seeds, `write_point` stores its
shard); progress counts model runs (points x replicates), so its speed reads as runs per
second whatever the replicates.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from simulator.backends import evaluator
from simulator.calibration.evaluate import EvaluationPlan, execute_point, write_point
from simulator.experiments import Job, perform_experiments

CALIBRATION_JOB = Job(execute_point, write_point, noun="point")


def run_points(plan: EvaluationPlan, todo: list[int], out: Path, backend: str, workers: int,
               address: str | None, console: Console, label: str) -> dict[str, int]:
    """Evaluate the `todo` points of `plan` into `out`; returns counts of points ok/error.

    Raises:
        RunsLost: points that did not finish (a worker died); the others are kept.
    """
    out.mkdir(parents=True, exist_ok=True)
    tally = perform_experiments(plan, todo, out, CALIBRATION_JOB,
                                evaluator(backend, workers, address), label, plan.size,
                                console, weight=plan.replicates)
    return {"ok": tally.ok, "error": tally.failed}
