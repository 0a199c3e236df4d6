"""The hub home: where corpus, tokenizers and registered models live."""

from __future__ import annotations

import os
from pathlib import Path

import rich_click as click

DEFAULT_HOME = "models"


def hub_home(home: str | os.PathLike | None = None) -> Path:
    """Resolve the hub home: the explicit argument, else `HUB_HOME`, else `./models`."""
    return Path(home or os.environ.get("HUB_HOME") or DEFAULT_HOME)


home_option = click.option(
    "--home",
    type=click.Path(file_okay=False),
    default=None,
    help="Hub home folder (default: $HUB_HOME or ./models).",
)
