"""The options of every command that runs experiments: `--workers`, `--backend`, `--address`.

One decorator for `batch`, `advise`, `calibrate` and `backtest`; its checks run before any
work, so a wrong Ray address fails in seconds with nothing written.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import rich_click as click


def _check(backend: str, address: str | None) -> None:
    """Refuse what cannot work, in seconds and before anything is written (exit 2)."""
    if address and backend != "ray":
        raise click.UsageError("--address needs --backend ray")
    named = address or os.environ.get("RAY_ADDRESS") or None
    if backend != "ray" or named in (None, "auto", "local"):
        return
    from simulator.batch.backends import unreachable

    problem = unreachable(named)
    if problem:
        raise click.BadParameter(f"{named}: {problem}",
                                 param_hint="--address" if address else "RAY_ADDRESS")


def backend_options(command: Callable) -> Callable:
    """Add the three options; the command receives `workers` (an int), `backend`, `address`."""

    @click.option("--workers", "-j", type=click.IntRange(1, 1024), default=None,
                  help="Parallel runs (default: the CPUs of this machine).")
    @click.option("--backend", type=click.Choice(["local", "ray"]), default="local",
                  show_default=True, help="Local worker processes, or Ray tasks.")
    @click.option("--address", default=None,
                  help="Ray cluster address, HOST:PORT (with --backend ray; default: "
                       "$RAY_ADDRESS, else a new local Ray).")
    @functools.wraps(command)
    def checked(*args, workers: int | None, backend: str, address: str | None, **kwargs):
        _check(backend, address)
        return command(*args, workers=workers or os.cpu_count() or 1, backend=backend,
                       address=address, **kwargs)

    return checked
