"""Options several `hub` commands share, defined once: which model version, which device.

`--version` is the program's version (`hub --version`), so a registered model's version
is `--model-version`; `--device cpu|cuda` says where a graph runs or is built for, and
`--precision` which graph. The former spellings (`--version N`, export's `--cuda`,
generate's `--int8`) still work, hidden, with a warning (`plumbing.renamed_options`).
"""

from __future__ import annotations

from collections.abc import Callable

import rich_click as click

from plumbing.renamed_options import renamed_option

DEVICES = ("cpu", "cuda")
PRECISIONS = ("fp32", "int8", "int4")
# How `--json` of the measuring commands shows metric rows (hub.metrics.Metric).
METRIC_ROWS = ('[{"model_id", "region", "lang", "metric", "value", "unit", "precision", '
               '"device", ...} as in metrics.parquet]')


def model_version_option(help_text: str = "With --region: version N or vN (default latest).",
                         ) -> Callable:
    """`--model-version N|vN` (its former spelling `--version`); the command gets `version`."""

    def decorate(command: Callable) -> Callable:
        command = renamed_option("--version", "--model-version", "version")(command)
        return click.option("--model-version", "version", default=None, metavar="N",
                            help=help_text)(command)

    return decorate


def device_option(help_text: str = "Where the graph runs.", default: str = "cpu") -> Callable:
    """`--device cpu|cuda`; the command gets `device`."""
    return click.option("--device", type=click.Choice(DEVICES), default=default,
                        show_default=True, help=help_text)
