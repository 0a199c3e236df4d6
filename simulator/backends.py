"""Where a sweep's runs execute: local worker processes, or Ray tasks on a cluster.

Both backends take the same plan and run indices and yield each finished run's `runs`
row as soon as its Parquet shards are in place, in completion order (the batch runner
orders nothing by completion, so the tables do not depend on the backend or the workers).

- `local`: a `ProcessPoolExecutor` of `workers` processes started with `spawn` (importing
  Mesa 3.3 forces that start method for the whole process anyway; saying so explicitly
  keeps the behaviour the same everywhere). Each worker receives the plan once, runs a run
  and writes its shards itself, so only a small row crosses the process boundary.
- `ray`: one Ray task per run (`num_cpus=1`), at most `2 x workers` in flight; a task
  returns its Arrow tables through the object store and the driver writes the shards, so
  the cluster needs no shared file system. The cluster is `--address`, else `RAY_ADDRESS`,
  else a local Ray instance with `workers` CPUs; an already initialised Ray is reused. The
  cluster's nodes need this package installed (same version) to import the task.

Workers of both backends use one BLAS thread (`WORKER_ENV`), so the numbers are identical.
Local workers end with the process that started them, even when it is killed.

What a run is comes from a `Job`: the sweep's (`SWEEP_JOB`: `execute_run` + `write_run`) by
default; calibration passes its own (a design point's replicates, reduced to the observed
metrics), so it runs on the same engine without writing time series it does not need.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rich_click as click

from simulator.batch_runs import RunOutput, SweepPlan, execute_run
from simulator.batch_store import write_run

# One BLAS thread per worker: a run's numbers then do not depend on the machine's cores or
# the backend (a multi-threaded matrix product rounds differently), and workers do not
# oversubscribe the cores they share.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_worker_state: dict = {}


@dataclass(frozen=True)
class Job:
    """What one task runs and how its result is stored (module-level functions: picklable).

    `execute(plan, index)` returns an object with a `row` dict; `write(out, plan, output)`
    stores it (on the worker for `local`, on the driver for `ray`).
    """

    execute: Callable[[Any, int], Any]
    write: Callable[[Path, Any, Any], None]


SWEEP_JOB = Job(execute_run, write_run)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables that processes started meanwhile inherit; restore after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _die_with(parent: int) -> None:
    """End this worker when the process that started it dies, however it dies.

    A worker busy with a run would otherwise finish it (and keep writing into the folder)
    after a SIGKILL of `simulator batch`. Linux delivers SIGKILL to the worker when its
    parent ends (prctl PR_SET_PDEATHSIG); a parent that ended before that is checked after.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _init_worker(plan: SweepPlan, out: Path, job: Job, parent: int) -> None:
    _die_with(parent)
    _worker_state.update(plan=plan, out=out, job=job)


def _local_task(index: int) -> dict:
    plan, out, job = _worker_state["plan"], _worker_state["out"], _worker_state["job"]
    output = job.execute(plan, index)
    job.write(out, plan, output)
    return output.row


def run_local(plan: SweepPlan, indices: Iterable[int], out: Path, workers: int,
              job: Job = SWEEP_JOB) -> Iterator[dict]:
    """Run on `workers` local processes; yields rows as runs finish."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(plan, out, job, os.getpid())) as pool:
        with _environment(WORKER_ENV):  # the pool starts its processes on submit
            pending = {pool.submit(_local_task, i) for i in indices}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BrokenProcessPool:
            raise click.ClickException(
                "a worker process died (killed or out of memory); the finished runs are kept: "
                "run the same command again to resume") from None
        finally:
            for future in pending:
                future.cancel()


def _ray_task(plan: SweepPlan, index: int, execute: Callable = execute_run) -> RunOutput:
    return execute(plan, index)


def run_ray(plan: SweepPlan, indices: Iterable[int], out: Path, workers: int,
            address: str | None = None, job: Job = SWEEP_JOB) -> Iterator[dict]:
    """Run as Ray tasks; the driver writes each finished run's shards and yields its row."""
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        address = address or os.environ.get("RAY_ADDRESS")
        options = {"address": address} if address else {"num_cpus": workers}
        ray.init(**options, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    try:
        task = ray.remote(num_cpus=1, runtime_env={"env_vars": WORKER_ENV})(_ray_task)
        plan_ref = ray.put(plan)
        queue = list(indices)[::-1]
        in_flight: list = []
        while queue or in_flight:
            while queue and len(in_flight) < 2 * workers:
                in_flight.append(task.remote(plan_ref, queue.pop(), job.execute))
            done, in_flight = ray.wait(in_flight, num_returns=1)
            output = ray.get(done[0])
            job.write(out, plan, output)
            yield output.row
    finally:
        if started_here:
            ray.shutdown()
