"""The `intl-strategy` command: opens the terminal UI."""

from __future__ import annotations

import rich_click as click


@click.command()
@click.option("--locale", default=None, help="UI locale, e.g. en or zh_Hans (default: from $LANG).")
@click.option("--home", type=click.Path(file_okay=False), default=None, help="Hub home folder.")
def main(locale: str | None, home: str | None) -> None:
    """Open the terminal UI: scenarios, runs, results, world and hub.

    Example: `intl-strategy --locale zh_Hans`
    """
    from tui.app import StrategyApp

    StrategyApp(locale=locale, home=home).run()
