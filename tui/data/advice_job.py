"""An advice run started from the TUI: what the user asked for, and the engine's public API.

Free of Textual. The Advice screen's thread worker calls `advise_in_process`: the advice
runs in a spawned child process (like `tui.simulation`'s runs: the price search, the
valuation and pandas would otherwise hold the UI's interpreter lock for long stretches;
`benchmarks/bench_tui_advice.py` measured 0.4 s stalls with the advice in a thread), its
progress comes back through a queue and cancelling goes there through an event. The
moves are the engine's generated ones (`generate_moves`, with its price search), the
status quo first, cut to what the user asked for; the ensemble is `samples` members of
the scenario's uncertain parameters; the runs go through
`simulator.advice.advise.advise` with its `on_row` hook, which is where cancelling
happens (between two finished runs: a simulation already running finishes first).

The folder is named by what the advice depends on, so asking again with the same settings
resumes a cancelled advice (its finished runs are kept) instead of starting over.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

# What the form offers: a tiny ensemble for a first look up to the CLI's default and more.
MEMBER_CHOICES = (2, 4, 8, 16)
HORIZON_CHOICES = (6, 12, 24, 36, 60)  # months; the scenario's own horizon is offered too
MOVE_CHOICES = (2, 3, 5, 8, 0)  # status quo included; 0: every generated move
WORKERS = max(1, min(2, os.cpu_count() or 1))  # the TUI keeps a core for itself
POLL_SECONDS = 0.05  # how often the waiting thread looks at its cancel flag
CHILD_NICENESS = 10  # the advice yields the CPU to the UI (as tui.simulation's runs do)


class AdviceCancelled(Exception):
    """The user cancelled the advice; the finished runs are kept for a later resume."""


@dataclass(frozen=True)
class AdviceRequest:
    """What the user asked: whose moves, on which scenario file, how many futures, how far."""

    scenario: Path
    firm: str
    members: int
    months: int
    moves: int  # status quo included; 0 for every generated move

    def folder(self, reports: Path) -> Path:
        """Where this advice is written: `reports/advice/<firm>-<hash of the request>`.

        The hash is of the scenario's text and file name and the choices, so the same
        question finds its (maybe cancelled) folder again.
        """
        text = self.scenario.read_bytes() + json.dumps(
            {**asdict(self), "scenario": self.scenario.name}).encode()
        slug = re.sub(r"[^a-z0-9]+", "-", self.firm.lower()).strip("-") or "firm"
        return reports / "advice" / f"{slug}-{hashlib.sha256(text).hexdigest()[:10]}"

    def runs(self, moves: int) -> int:
        """Simulations the advice takes for `moves` moves."""
        return moves * self.members


@dataclass(frozen=True)
class Progress:
    """How far the advice is: runs done of all, seconds since this session's runs began."""

    done: int
    total: int
    elapsed_s: float
    resumed: int = 0  # runs a cancelled advice had finished before: not in the pace

    @property
    def eta_s(self) -> float | None:
        """Seconds left at this session's pace (None before its first run ends)."""
        ran = self.done - self.resumed
        return None if ran <= 0 else self.elapsed_s / ran * (self.total - self.done)


def run_advice(request: AdviceRequest, out: Path, on_moves: Callable[[int], None],
               on_progress: Callable[[Progress], None],
               cancelled: Callable[[], bool]) -> Path:
    """Run the advice into `out`; returns `out`.

    Args:
        request: what to advise.
        out: the advice folder (`AdviceRequest.folder`).
        on_moves: called with the number of runs once the moves are chosen.
        on_progress: called after each finished run.
        cancelled: polled after each finished run.

    Raises:
        AdviceCancelled: `cancelled()` became true; finished runs stay in `out`.
        InputError: the scenario or the firm is not usable (the engine's message).
    """
    import time

    from rich.console import Console

    from simulator.advice.advise import advise
    from simulator.advice.ensemble import shard_path
    from simulator.advice.moves import generate_moves
    from simulator.run import load_scenario
    from simulator.scenario.overrides import apply
    from simulator.technology import load_profile

    base = apply(load_scenario(request.scenario), {"months": request.months})
    moves = generate_moves(base, request.firm, load_profile(base.profile_path(),
                                                            base.profile_size))
    if request.moves:
        moves = moves[:request.moves]
    total = request.runs(len(moves))
    done = resumed = sum(shard_path(out / "runs", i).exists() for i in range(total))
    on_moves(total)
    if cancelled():
        raise AdviceCancelled
    started = time.monotonic()
    on_progress(Progress(done, total, 0.0, resumed))

    def row_finished(_row: dict) -> None:
        nonlocal done
        done += 1
        on_progress(Progress(done, total, time.monotonic() - started, resumed))
        if cancelled():
            raise AdviceCancelled

    try:
        advise(request.scenario, request.firm, out, samples=request.members,
               horizon=request.months, workers=WORKERS, console=Console(quiet=True),
               moves=moves, on_row=row_finished)
    except AdviceCancelled:
        pass  # raised again below, once this exception (and the runner's frames) is released
    else:
        return out
    # The runner's generator is closed with its frames, which stops the worker processes.
    raise AdviceCancelled


def _child(request: AdviceRequest, out: Path, messages: multiprocessing.Queue,
           cancel: object) -> None:
    """(In the child process) run the advice; every outcome is a message, never a crash.

    Done, the folder is read here too (`tui.data.advice_folder.AdviceFolder`: pandas, the
    tornado) and sent back whole, so the UI's process does none of that work.
    """
    from plumbing.errors import InputError

    try:
        os.nice(CHILD_NICENESS)
    except (AttributeError, OSError):
        pass  # not POSIX, or not allowed: the advice is the same, the UI may stutter more
    try:
        run_advice(request, out, lambda total: messages.put(("moves", total)),
                   lambda progress: messages.put(("progress", progress)),
                   cancel.is_set)  # type: ignore[attr-defined]
    except AdviceCancelled:
        messages.put(("cancelled", None))
    except InputError as error:  # the engine's own message: file, key, what was expected
        messages.put(("error", str(error)))
    except Exception as error:  # noqa: BLE001 - a failure is reported, never a crash
        messages.put(("error", f"{type(error).__name__}: {error}"))
    else:
        from tui.data.advice_folder import AdviceFolder

        try:
            messages.put(("done", AdviceFolder.read(out)))
        except (OSError, ValueError, KeyError):
            messages.put(("done", None))  # the screen reads it again and says what is wrong


def advise_in_process(request: AdviceRequest, out: Path, on_moves: Callable[[int], None],
                      on_progress: Callable[[Progress], None],
                      cancelled: Callable[[], bool],
                      on_read: Callable[[object], None] = lambda _advice: None) -> str | None:
    """`run_advice` in a child process; returns None when done, else why it stopped.

    The reason is "" for a cancel, else the error's message. `cancelled` is polled every
    `POLL_SECONDS`; the child stops after the simulations already running. `on_read` gets
    the finished folder as the child read it (a `tui.data.advice_folder.AdviceFolder`, or None
    where it could not).
    """
    context = multiprocessing.get_context("spawn")
    messages, cancel = context.Queue(), context.Event()
    # Not a daemon: the child starts the ensemble's worker processes itself.
    child = context.Process(target=_child, args=(request, out, messages, cancel))
    child.start()
    try:
        while True:
            if cancelled():
                cancel.set()
            try:
                kind, value = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive() and messages.empty():
                    return f"the advice process ended unexpectedly (exit status {child.exitcode})"
                continue
            if kind == "moves":
                on_moves(value)
            elif kind == "progress":
                on_progress(value)
            elif kind == "done":
                on_read(value)
                return None
            else:
                return "" if kind == "cancelled" else value
    finally:
        child.join(timeout=30)
        if child.is_alive():
            child.kill()
            child.join()
