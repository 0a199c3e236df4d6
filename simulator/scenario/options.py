"""The options of every command that runs a scenario: `--set KEY=VALUE` and `--horizon`.

One definition for `run`, `batch`, `calibrate`, `backtest` and `advise`, so the same words
mean the same thing everywhere (`simulator.scenario.overrides` reads the assignments).
`--months`, the former spelling of `--horizon`, still works (hidden, with a warning).
"""

from __future__ import annotations

from collections.abc import Callable

import rich_click as click

from plumbing.renamed_options import renamed_option

MAX_MONTHS = 600  # fifty years: beyond any plan a scenario's data can speak to


def set_option(example: str = "--set compute.gpu_usd_per_hour=5") -> Callable:
    """`--set KEY=VALUE` (repeatable); the command receives `assignments`, a tuple of text."""
    return click.option(
        "--set", "assignments", multiple=True, metavar="KEY=VALUE",
        help="Override a scenario key (repeatable), validated like the file (firms by name: "
             f"`--set 'firms.US Frontier.cash_usd=1e9'`): `{example}`.")


def horizon_option(default_text: str = "the scenario's months") -> Callable:
    """`--horizon MONTHS` (and its former spelling `--months`); the command gets `horizon`."""
    months = click.IntRange(1, MAX_MONTHS)

    def decorate(command: Callable) -> Callable:
        command = renamed_option("--months", "--horizon", "horizon", type=months)(command)
        return click.option("--horizon", type=months, default=None, metavar="MONTHS",
                            help=f"Months to simulate (default: {default_text}).")(command)

    return decorate
