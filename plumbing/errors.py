"""Errors a command reports without a traceback: bad input (exit 2) and failed writes (exit 1).

`InputError`: what a user can fix (bad input files, names, missing artefacts).
`WriteFailure`: the machine could not take an output (disk full, read-only file system);
the writer has removed what it had begun, so nothing is left half-written.
"""

from __future__ import annotations

import rich_click as click


class InputError(click.ClickException):
    """Bad input: the message names the file, the field and what was expected."""

    exit_code = 2


class WriteFailure(click.ClickException):
    """An output could not be written: the message names it and the system's reason."""

    exit_code = 1

    def __init__(self, path: object, reason: str) -> None:
        """Name `path` (where the output was going) and the file system's `reason`."""
        self.path, self.reason = path, reason
        super().__init__(f"{path}: could not be written ({reason}); nothing was written "
                         "there and the temporary files were removed")
