"""Evaluators: where a plan's tasks run, local worker processes or Ray tasks on a cluster.

Both take the same plan, indices and `simulator.batch.experiments.Job` and yield, in completion
order, a `Finished` (the task's result is stored) or a `Lost` (it did not end, and why) per
index; the runner orders nothing by completion, so no table depends on the backend.

- `local`: `workers` processes started with `spawn` (importing Mesa 3.3 forces that start
  method anyway; saying so keeps it the same everywhere), each with a pipe of its own.
  A worker gets the plan once, then one index at a time; it runs the task and writes its
  result itself, so only a small row crosses the process boundary. A worker that dies
  (SIGKILL, out of memory) loses only the task it was running: no lock or queue is shared
  that a death could leave broken, so the runner names that task, starts a new worker and
  goes on. Workers end with the process that started them, even when it is killed.
- `ray`: one Ray task per index (`num_cpus=1`), at most `2 x workers` in flight; a task
  returns its result through the object store and the driver writes it, so the cluster
  needs no shared file system. The cluster is `--address`, else `RAY_ADDRESS`, else a new
  local Ray with `workers` CPUs (never one already running that nobody named); an
  initialised Ray is reused. An address is tried with a TCP connection first, so a wrong
  one fails in seconds rather than after Ray's minutes of retries. The nodes need this
  package installed (same version) to import the task.

Workers of both use one BLAS thread (`WORKER_ENV`), so the numbers are identical.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import socket
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from plumbing.errors import InputError
from simulator.batch.experiments import Finished, Job, Lost

# One BLAS thread per worker: a run's numbers then do not depend on the machine's cores or
# the backend (a multi-threaded matrix product rounds differently), and workers do not
# oversubscribe the cores they share.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# A Ray head answers a TCP connection in milliseconds, even across a slow network; past
# this the address is taken as wrong (Ray itself would retry for minutes).
CONNECT_TIMEOUT_S = 5.0


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


def _serve(conn, plan: Any, out: Path, job: Job, parent: int) -> None:
    """A local worker: run each index the runner sends until it closes the pipe."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's: it ends us
    while True:
        try:
            index = conn.recv()
        except EOFError:
            return
        try:
            output = job.execute(plan, index)
            job.write(out, plan, output)
            conn.send((index, output.row, None))
        except Exception as exc:  # a fault of the job itself (disk full): the runner raises it
            try:
                conn.send((index, None, exc))
            except Exception:  # not picklable: its text is what matters
                conn.send((index, None, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        return f"a worker process died of {name} (killed, or out of memory)"
    return f"a worker process died (exit status {exitcode})"


class _Worker:
    """One local worker process, its pipe and the index it is running (None: idle)."""

    def __init__(self, context, plan: Any, out: Path, job: Job):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, plan, out, job, os.getpid()),
                                       daemon=True)
        with _environment(WORKER_ENV):
            self.process.start()
        theirs.close()
        self.index: int | None = None

    def give(self, index: int) -> bool:
        """Send the worker a task; False when it has died (the task did not start)."""
        try:
            self.conn.send(index)
        except OSError:
            return False
        self.index = index
        return True

    def collect(self) -> Finished | Lost:
        """The outcome of the running task, once its pipe or its process is ready."""
        index, self.index = self.index, None
        try:  # a result sent before the process ended still counts
            message = self.conn.recv() if self.conn.poll() else None
        except (EOFError, OSError, pickle.UnpicklingError):  # died while sending
            message = None
        if message is None:
            self.process.join()
            return Lost(index, _death(self.process.exitcode))
        done, row, error = message
        if error is not None:
            raise error
        return Finished(done, row)

    def stop(self) -> None:
        if self.index is not None:
            self.process.kill()  # busy with a task nobody will read
        self.conn.close()  # an idle worker reads the end of its pipe and returns
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _feed(worker: _Worker, queue: deque) -> None:
    """Give an idle worker the next task; one that died keeps it in the queue."""
    if worker.index is None and queue and worker.give(queue[0]):
        queue.popleft()


class LocalEvaluator:
    """`workers` local processes; a dead worker costs its own task only."""

    name = "local"

    def __init__(self, workers: int):
        self.workers = workers

    @contextmanager
    def connected(self) -> Iterator[LocalEvaluator]:
        """Nothing to connect to: workers start with `run`."""
        yield self

    def run(self, plan: Any, indices: list[int], out: Path, job: Job
            ) -> Iterator[Finished | Lost]:
        """Run the tasks; yields each outcome as soon as it is known."""
        context = multiprocessing.get_context("spawn")
        queue, pool = deque(indices), []
        try:
            while queue or any(w.index is not None for w in pool):
                for dead in [w for w in pool if w.index is None and not w.process.is_alive()]:
                    dead.stop()
                    pool.remove(dead)
                # Start workers (at first, and in place of the dead) only for tasks waiting.
                while len(pool) < self.workers and len(queue) > sum(w.index is None
                                                                    for w in pool):
                    pool.append(_Worker(context, plan, out, job))
                for worker in pool:
                    _feed(worker, queue)
                busy = [w for w in pool if w.index is not None]
                ready = set(wait([h for w in busy for h in (w.conn, w.process.sentinel)]))
                outcomes = []
                for worker in busy:
                    if ready & {worker.conn, worker.process.sentinel}:
                        outcomes.append(worker.collect())
                        _feed(worker, queue)  # before the caller's bookkeeping of the outcome
                yield from outcomes
        finally:
            for worker in pool:
                worker.stop()


def unreachable(address: str) -> str | None:
    """Why no Ray cluster can be at `address` (host:port, ray://host:port), or None."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return "expected HOST:PORT, such as 10.0.0.5:6379 or ray://10.0.0.5:10001"
    hosts = [host.strip("[]")]
    if hosts[0] in ("localhost", "127.0.0.1", "::1"):
        from ray.util import get_node_ip_address

        hosts.append(get_node_ip_address())  # where Ray itself connects for a local address
    problems = []
    for candidate in hosts:
        try:
            socket.create_connection((candidate, int(port)), timeout=CONNECT_TIMEOUT_S).close()
            return None
        except OSError as exc:
            problems.append(f"{candidate}:{port}: {exc.strerror or exc}")
    return "no Ray cluster answers (" + "; ".join(problems) + ")"


def _ray_task(plan: Any, index: int, execute) -> Any:
    return execute(plan, index)


class RayEvaluator:
    """Ray tasks on `address` (else $RAY_ADDRESS, else a new local Ray of `workers` CPUs)."""

    name = "ray"

    def __init__(self, workers: int, address: str | None = None):
        self.workers, self.address = workers, address

    @contextmanager
    def connected(self) -> Iterator[RayEvaluator]:
        """Connect (or start a local Ray) unless Ray is initialised; shut down what we began.

        Raises:
            InputError: an address where no Ray cluster answers, before any task.
        """
        import ray

        started_here = not ray.is_initialized()
        if started_here:
            address = self.address or os.environ.get("RAY_ADDRESS") or None
            where = "--address" if self.address else "RAY_ADDRESS"
            problem = address and address not in ("auto", "local") and unreachable(address)
            if problem:
                raise InputError(f"{where} {address}: {problem}")
            # "local": a new instance, even where `ray start` left one running on this machine.
            options = ({"address": address} if address else
                       {"address": "local", "num_cpus": self.workers})
            try:
                ray.init(**options, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
            except (ConnectionError, ValueError) as exc:
                raise InputError(f"{where} {address}: {exc}") from None
        try:
            yield self
        finally:
            if started_here:
                ray.shutdown()

    def run(self, plan: Any, indices: list[int], out: Path, job: Job
            ) -> Iterator[Finished | Lost]:
        """Run as Ray tasks; the driver writes each finished task's result."""
        import ray

        task = ray.remote(num_cpus=1, runtime_env={"env_vars": WORKER_ENV})(_ray_task)
        plan_ref, queue, in_flight = ray.put(plan), deque(indices), {}
        while queue or in_flight:
            while queue and len(in_flight) < 2 * self.workers:
                index = queue.popleft()
                in_flight[task.remote(plan_ref, index, job.execute)] = index
            done, _ = ray.wait(list(in_flight), num_returns=1)
            index = in_flight.pop(done[0])
            try:
                output = ray.get(done[0])
            except ray.exceptions.RayError as exc:  # its worker or node died (after retries)
                yield Lost(index, f"the Ray task failed: {str(exc).splitlines()[0]}")
                continue
            job.write(out, plan, output)
            yield Finished(index, output.row)


def evaluator(backend: str, workers: int, address: str | None = None
              ) -> LocalEvaluator | RayEvaluator:
    """The evaluator a `--backend` names."""
    if backend == "ray":
        return RayEvaluator(workers, address)
    if backend == "local":
        return LocalEvaluator(workers)
    raise ValueError(f"expected backend local or ray, got {backend!r}")
