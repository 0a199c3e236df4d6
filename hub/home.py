"""The hub home: where corpus, tokenizers and registered models live."""

from __future__ import annotations

import os
from pathlib import Path

import rich_click as click

from plumbing.errors import InputError

DEFAULT_HOME = "models"


def hub_home(home: str | os.PathLike | None = None) -> Path:
    """Resolve the hub home: the explicit argument, else `HUB_HOME`, else `./models`.

    Raises:
        InputError: the home is there but is not a folder (named with where it came from).
    """
    path = Path(home or os.environ.get("HUB_HOME") or DEFAULT_HOME)
    if path.exists() and not path.is_dir():
        source = ("--home" if home else "$HUB_HOME" if os.environ.get("HUB_HOME")
                  else "the default home")
        raise InputError(f"{source} {path}: is a file, not a folder; the hub home must be a "
                         "folder (set --home or $HUB_HOME to one)")
    return path


home_option = click.option(
    "--home",
    type=click.Path(file_okay=False),
    default=None,
    help="Hub home folder (default: $HUB_HOME or ./models).",
)
