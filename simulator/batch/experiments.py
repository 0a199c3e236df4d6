"""The experiment runner: a plan's runs over an evaluator, with one progress display.

EMA Workbench's pattern (`perform_experiments` over interchangeable evaluators): a sweep, an
advice ensemble and a calibration wave each describe what one run is (a `Job`) and hand
the indices still to do to `perform_experiments`, which runs them on an evaluator of
`simulator.batch.backends` (local worker processes or Ray tasks), shows one rich progress bar
and counts typed outcomes:

- `Finished`: the run ended and its result is stored; its row says `status` ok, or error
  when the model raised (a model's failure is data, recorded in the row);
- `Lost`: the run did not end, with the reason (its worker process was killed or ran out of
  memory, a Ray task was lost). Nothing of it is stored, so a rerun of the same command
  runs it again. The other runs go on; at the end `RunsLost` (exit 1) names the lost runs
  and counts what really finished, so a fault is never reported as success.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import rich_click as click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


def index_name(plan: Any, index: int) -> str:
    """A task's name where the plan has none of its own: its index."""
    return str(index)


@dataclass(frozen=True)
class Job:
    """What one task runs and how its result is stored (module-level functions: picklable).

    `execute(plan, index)` returns an object with a `row` dict (with a `status`);
    `write(out, plan, output)` stores it (on the worker for `local`, on the driver for
    `ray`); `name(plan, index)` is what a message calls the task, `noun` what it is.
    """

    execute: Callable[[Any, int], Any]
    write: Callable[[Path, Any, Any], None]
    name: Callable[[Any, int], str] = index_name
    noun: str = "run"


@dataclass(frozen=True)
class Finished:
    """A task that ended and whose result is stored; `row["status"]` is ok or error."""

    index: int
    row: dict


@dataclass(frozen=True)
class Lost:
    """A task that did not end, and why; nothing of it is stored."""

    index: int
    reason: str


class Evaluator(Protocol):
    """Where tasks run: `simulator.batch.backends.LocalEvaluator` or `RayEvaluator`."""

    name: str

    def connected(self):
        """A context in which `run` may be called (Ray: connected to the cluster)."""

    def run(self, plan: Any, indices: list[int], out: Path, job: Job):
        """Yield a `Finished` or `Lost` for each index, in completion order."""


@dataclass
class Tally:
    """What really happened to the tasks of one `perform_experiments`."""

    ok: int = 0
    failed: int = 0  # tasks whose row says status error (the model raised; recorded)
    lost: list[Lost] = field(default_factory=list)

    @property
    def finished(self) -> int:
        """Tasks that ended with a stored result."""
        return self.ok + self.failed


class RunsLost(click.ClickException):
    """Some tasks did not end (a worker died): named, counted, resumable. Exit 1."""

    def __init__(self, tally: Tally, names: list[str], noun: str):
        self.tally, self.names = tally, names
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10
                                         else "")
        reasons = sorted({lost.reason for lost in tally.lost})
        super().__init__(
            f"{len(names)} {noun}s did not finish: {shown} ({'; '.join(reasons)}). "
            f"{tally.finished} {noun}s finished ({tally.ok} ok, {tally.failed} failed) and are "
            "kept: run the same command again to run the rest")


class RunsPerSecond(ProgressColumn):
    """Runs finished per second, over rich's recent-speed window."""

    def render(self, task) -> Text:
        """Speed of the task, as runs per second."""
        return Text(f"{task.speed or 0:.2f} runs/s", style="progress.data.speed")


def perform_experiments(plan: Any, todo: list[int], out: Path, job: Job, evaluator: Evaluator,
                        label: str, total: int, console: Console | None = None,
                        weight: int = 1, on_row: Callable[[dict], None] | None = None,
                        transient: bool = False) -> Tally:
    """Run the `todo` tasks of `plan` into `out` on `evaluator`, showing progress.

    Args:
        plan: what the job's functions read (picklable).
        todo: indices of the tasks to run (those already done are left out by the caller).
        out: the folder the job writes into.
        job: what a task runs and stores.
        evaluator: where the tasks run.
        label: the progress bar's description.
        total: tasks of the whole plan; the bar starts at `total - len(todo)`.
        console: where progress goes (default: stderr).
        weight: model runs per task, so the speed reads as runs per second.
        on_row: called with each finished task's row, in completion order.
        transient: remove the bar when done (for commands that print a table after).

    Returns:
        The tally of tasks ok and failed.

    Raises:
        RunsLost: after every other task ended, when some did not (exit 1).
    """
    tally = Tally()
    console = console or Console(stderr=True)
    with evaluator.connected(), Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            RunsPerSecond(), TimeRemainingColumn(), console=console, disable=not todo,
            transient=transient) as progress:
        task = progress.add_task(f"{label} ({evaluator.name})", total=total * weight,
                                 completed=(total - len(todo)) * weight)
        for outcome in evaluator.run(plan, todo, out, job):
            if isinstance(outcome, Lost):
                tally.lost.append(outcome)
                console.print(f"[yellow]{job.noun} {job.name(plan, outcome.index)} did not "
                              f"finish: {outcome.reason}[/]", highlight=False)
                continue
            if outcome.row["status"] == "ok":
                tally.ok += 1
            else:
                tally.failed += 1
            if on_row is not None:
                on_row(outcome.row)
            progress.advance(task, weight)
    if tally.lost:
        names = [job.name(plan, lost.index) for lost in sorted(tally.lost,
                                                                key=lambda lost: lost.index)]
        raise RunsLost(tally, names, job.noun)
    return tally
