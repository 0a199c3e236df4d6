"""Where a command will write, checked before it does any work.

A sweep, an export or a report can run for minutes; finding out only at the end that
`--out` names a file, lies under a file or cannot be written to wastes them. Every command
that writes checks its outputs here first, so the refusals read the same everywhere
(exit 2, the option, the path and what is wrong).
"""

from __future__ import annotations

import os
from pathlib import Path

from hub.atomic import temp_file
from hub.errors import InputError


def check_output_folder(path: str | os.PathLike, option: str = "--out") -> Path:
    """The folder `path`, which exists or can be made, and can be written to.

    Raises:
        InputError: `path` is a file (or another non-folder), lies under a file, or it (or
            the nearest existing folder above it) cannot be written to.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {path}: is a file, not a folder; name a folder")
    _check_writable(_nearest_existing(path, path, option), path, option)
    return path


def check_output_file(path: str | os.PathLike, option: str) -> Path:
    """The file `path`, which can be written (replaced) where it is.

    Raises:
        InputError: `path` is a folder, lies under a file, or its folder cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder; name a file")
    if path.name in ("", ".", ".."):
        raise InputError(f"{option} {path}: names no file")
    _check_writable(_nearest_existing(path.parent, path, option), path, option)
    return path


def _nearest_existing(folder: Path, path: Path, option: str) -> Path:
    # The folder that `mkdir -p` would start from; a file on the way makes it impossible.
    for above in (folder.absolute(), *folder.absolute().parents):
        if above.exists():
            if not above.is_dir():
                raise InputError(f"{option} {path}: {above} is a file, so nothing can be "
                                 "made under it")
            return above
    raise InputError(f"{option} {path}: no existing folder above it")


def _check_writable(folder: Path, path: Path, option: str) -> None:
    # A real probe, not os.access: permission bits say nothing of read-only file systems,
    # and root passes every access check.
    try:
        temp_file(folder, "write-check").unlink()
    except OSError as error:
        raise InputError(f"{option} {path}: cannot create files in {folder} "
                         f"({error.strerror or error})") from None
