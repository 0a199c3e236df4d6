"""Errors a user can fix: bad input files, names, missing artefacts. Exit code 2, no traceback."""

from __future__ import annotations

import rich_click as click


class InputError(click.ClickException):
    """Bad input: the message names the file, the field and what was expected."""

    exit_code = 2
