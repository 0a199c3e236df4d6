"""The one `--seed` option every command that takes a seed uses.

numpy's generators take seeds in 0 .. 2**32 - 1 (`SeedSequence` takes more, but a run's
seed is also stored in Parquet and scenario files as that range), so every command refuses
the same values the same way (exit 2): a negative seed, 10**23, 1.5, inf.
"""

from __future__ import annotations

from collections.abc import Callable

import rich_click as click

from plumbing.checked import SEED_MAX, Number

SEED = Number(integer=True, low=0, high=SEED_MAX)
"""The checked type of a seed (0 .. 2**32 - 1)."""


def seed_option(help: str, default: int | None = None) -> Callable:  # noqa: A002 (click's name)
    """`--seed` with `help`; `default` None means the scenario's (or the file's) seed."""
    return click.option("--seed", type=SEED, default=default,
                        show_default=default is not None, help=help)
