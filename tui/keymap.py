"""User keymaps: a TOML file that rebinds the app's keys by binding id.

Example file (`intl-strategy --keymap keys.toml`)::

    "run.start" = "f6"            # run the open scenario with F6 instead of r / F5
    "scenario.save" = "ctrl+w"

Every binding of the app has an id (shown on the help screen); unknown ids and values that
are not key strings are refused with the file, the key and what was expected. An id that
was renamed still works under its old name (`RENAMED`), with a note saying the new one.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import rich_click as click

from plumbing.errors import InputError

RENAMED = {
    # Deprecated: the hub's export key was `hub.export` until the hub moved into wings
    # (bd26c25); keymaps written before it keep working. Drop the alias after a release.
    "hub.export": "hub.serving.export",
}


def binding_ids() -> list[str]:
    """Every binding id of the app, its screens and its dialogs."""
    from tui.app import StrategyApp
    from tui.dialogs.confirm import ConfirmDialog
    from tui.dialogs.firm_wizard import FirmWizard
    from tui.dialogs.help import HelpScreen
    from tui.modes import SCREENS

    classes = [StrategyApp, *(row.screen_class() for row in SCREENS), ConfirmDialog, HelpScreen,
               FirmWizard]
    return sorted({b.id for cls in classes for b in cls.BINDINGS if getattr(b, "id", None)})


def load_keymap(path: str | Path) -> dict[str, str]:
    """Read and check a keymap file; InputError lists every problem."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the keymap file: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None
    known = binding_ids()
    problems = []
    for old, new in RENAMED.items():
        if old in document:
            if new in document:
                problems.append(f"{path}: {old}: the old name of {new}, which the file also "
                                f"sets; keep only {new}")
                continue
            click.echo(f"{path}: {old}: deprecated binding id, now {new}; it still works, "
                       f"but write {new} instead", err=True)
            document[new] = document.pop(old)
    for key, value in document.items():
        if key in RENAMED:
            continue
        if key not in known:
            problems.append(f"{path}: {key}: unknown binding id; expected one of: "
                            + ", ".join(known))
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{path}: {key}: expected keys as a string, such as 'f6' or "
                            "'ctrl+r,f6'")
    if problems:
        raise InputError(f"bad keymap ({len(problems)} problems):\n" + "\n".join(problems))
    return {key: value for key, value in document.items() if key not in RENAMED}
