"""Former spellings of options that were renamed, kept working: hidden, with a warning.

`hub` and `simulator` share one option vocabulary (`--version` is the program's version,
`--model-version` a registered model's, `--horizon` the months to simulate, `--device`
and `--precision` where a graph runs). A spelling users may have in scripts stays
accepted for a while: it is left out of `--help` and completion, prints a warning on
stderr naming the new spelling, and gives the command the value the new option would.

    @click.command()
    @click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu")
    @renamed_option("--cuda", "--device", "device", flag_value="cuda")
    def export(device): ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import rich_click as click
from click.core import ParameterSource

# Where a value counts as given by the user (not a default), for the "both given" check.
GIVEN = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def renamed_option(old: str, new: str, dest: str, flag_value: Any = None,
                   **option: Any) -> Callable:
    """Keep option `old` working as the former spelling of `new` (the parameter `dest`).

    Args:
        old: The former spelling, such as `--version`.
        new: The option's spelling now, named in the warning.
        dest: The command's parameter that `new` fills.
        flag_value: When `old` was a flag (`--cuda`), the value of `new` it stands for.
        option: Further `click.option` arguments for `old` (its type).

    Apply below `@click.command`, like an option decorator; giving both spellings is a
    usage error (exit 2).
    """
    alias = "renamed_" + old.lstrip("-").replace("-", "_")
    instead = f"{new} {flag_value}" if flag_value is not None else new

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(alias)
            if value is not None and value is not False:
                if click.get_current_context().get_parameter_source(dest) in GIVEN:
                    raise click.UsageError(f"{old} is the former spelling of {new}; give "
                                           f"only {new}")
                click.echo(f"warning: {old} is deprecated; use {instead}", err=True)
                kwargs[dest] = value if flag_value is None else flag_value
            return command(*args, **kwargs)

        if flag_value is not None:
            option.setdefault("is_flag", True)
        declared = click.option(old, alias, hidden=True, default=None, **option)
        return declared(wrapped)

    return decorate
