"""Running an evaluation plan's points with the experiment runner.

A point is one task (`execute_point` runs its replicate seeds, `write_point` stores its
shard); progress counts model runs (points x replicates), so its speed reads as runs per
second whatever the replicates. `points_to_run` is what a resume may skip: the shards made
from the same inputs (the folder's fingerprint says so), never a failure of a run that
did not finish.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from simulator.batch.backends import evaluator
from simulator.batch.experiments import Job, perform_experiments
from simulator.calibration.evaluate import (
    EvaluationPlan,
    execute_point,
    finished_points,
    read_points,
    shard_path,
    write_point,
)

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


def points_to_run(plan: EvaluationPlan, out: Path, keep: bool, redo_failed: bool) -> list[int]:
    """The points of `plan` a resume into `out` runs: those without a trusted shard.

    Args:
        plan: The points.
        out: The folder of their shards.
        keep: Whether `out`'s shards were made from this plan's inputs
            (`plumbing.fingerprint.check`); if not, every shard of ours there is removed.
        redo_failed: Run again the points whose shard records a failure (the folder's last
            command never finished: what failed then may not fail now).
    """
    if not keep:
        for index in range(plan.size):
            shard_path(out, index).unlink(missing_ok=True)
        return list(range(plan.size))
    done = set(finished_points(out, plan.size))
    if redo_failed and done:
        runs = read_points(out, plan)
        failed = {int(p) for p, s in zip(runs["point"].to_pylist(), runs["status"].to_pylist(),
                                         strict=True) if s != "ok"}
        done -= failed
    return [i for i in range(plan.size) if i not in done]
