"""The `intl-strategy` command: opens the terminal UI."""

from __future__ import annotations

import rich_click as click


@click.command()
@click.option("--locale", default=None, help="UI locale, e.g. en or zh_Hans (default: from $LANG).")
@click.option("--home", type=click.Path(file_okay=False), default=None, help="Hub home folder.")
@click.option("--keymap", type=click.Path(dir_okay=False), default=None,
              help="TOML file rebinding keys by binding id (ids are on the help screen).")
@click.version_option(package_name="intl-strategy")  # as `hub --version`, `simulator --version`
def main(locale: str | None, home: str | None, keymap: str | None) -> None:
    """Open the terminal UI: scenarios, runs, results, world and hub.

    With no options it opens the shipped default scenario and technology profile; press r
    to run it. Example: `intl-strategy --locale zh_Hans --keymap keys.toml`
    """
    from plumbing.errors import InputError
    from tui.app import StrategyApp
    from tui.i18n import SUPPORTED_LOCALES, is_supported
    from tui.keymap import load_keymap

    if locale is not None and not is_supported(locale):
        raise InputError(f"--locale: unsupported UI locale {locale!r}; expected one of "
                         f"{', '.join(SUPPORTED_LOCALES)} (or e.g. zh_CN.UTF-8, zh-Hans)")
    keys = load_keymap(keymap) if keymap else None  # a bad file: exit 2 before the UI opens
    raise SystemExit(run_app(StrategyApp(locale=locale, home=home, keymap=keys)))


def run_app(app, headless: bool = False) -> int:
    """Run the app; its exit status: 0, or 1 when it crashed (Textual showed the traceback)."""
    app.run(headless=headless)
    return app.return_code or 0
