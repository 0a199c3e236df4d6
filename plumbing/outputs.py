"""Where a command will write, checked before it does any work; what it may replace.

A sweep, an export or a report can run for minutes; finding out only at the end that
`--out` names a file, lies under a file or cannot be written to wastes them. Every command
that writes checks its outputs here first, so the refusals read the same everywhere
(exit 2, the option, the path and what is wrong).

A command owns only what it made. A folder it replaces whole (a run's report, an export
bundle) carries a marker, `OWNER_MARKER`, naming the command and the files it wrote; an
existing folder is replaced only when it is empty or carries that command's marker and
holds nothing else. Anything else there (a user's `.env`, `.git/`, a web app's files) is
refused before work, never deleted (`plumbing.staging.publish` checks again at the swap).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from plumbing.atomic import temp_file
from plumbing.errors import InputError

OWNER_MARKER = ".made-by.json"
"""In a folder a command replaces whole: {"command": ..., "files": [...]} (hidden, so
bundle listings and manifests skip it)."""


def check_output_folder(path: str | os.PathLike, option: str = "--out") -> Path:
    """The folder `path`, which exists or can be made, and can be written to.

    For commands that add their files to the folder (batch, calibrate, advise): nothing
    there is replaced or deleted by them.

    Raises:
        InputError: `path` is a file (or another non-folder), a link to nothing, lies
            under a file, or it (or the nearest existing folder above it) cannot be
            written to.
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise InputError(f"{option} {path}: is a link to {os.readlink(path)}, which does "
                         "not exist; name a folder")
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {path}: is a file, not a folder; name a folder")
    _check_writable(_nearest_existing(path, path, option), path, option)
    return path


def check_replaceable_folder(path: str | os.PathLike, command: str, what: str = "a folder",
                             option: str = "--out") -> Path:
    """The folder `path`, which `command` may replace whole: absent, empty or its own.

    Args:
        path: Where the command's output folder goes.
        command: The command that writes it, as its marker names it ("simulator run").
        what: What the folder holds, for the message ("a run's report").
        option: The option that named `path`.

    Raises:
        InputError: as `check_output_folder`, or `path` is the current folder (or holds
            it), a link, a mount point, or a folder holding anything `command` did not
            make there.
    """
    path = check_output_folder(path, option)
    here = Path.cwd().resolve()
    if path.resolve() == here or path.resolve() in here.parents:
        raise InputError(f"{option} {path}: is the current folder or holds it, which cannot "
                         "be replaced; name a new folder below it")
    if path.is_symlink():
        raise InputError(f"{option} {path}: is a link (to {os.readlink(path)}); name the "
                         "folder itself or a new one")
    if path.is_dir() and os.path.ismount(path):
        raise InputError(f"{option} {path}: is a mount point, which cannot be replaced; "
                         "name a new folder inside it")
    foreign = not_owned(path, command)
    if foreign:
        shown = ", ".join(foreign[:4]) + (f" and {len(foreign) - 4} more" if len(foreign) > 4
                                           else "")
        raise InputError(f"{option} {path}: is not {what} made by `{command}` (it holds "
                         f"{shown}); nothing there is replaced: name a new or empty folder")
    return path


def not_owned(folder: Path, command: str) -> list[str]:
    """Names in `folder` that `command` did not write there ([] when absent or empty)."""
    if not folder.is_dir():
        return []
    names = sorted(p.name for p in folder.iterdir())
    if not names:
        return []
    marker = owner_of(folder)
    if marker is None or marker.get("command") != command:
        return names
    listed = set(marker.get("files", ())) | {OWNER_MARKER}
    return [name for name in names if name not in listed]


def owner_of(folder: Path) -> dict | None:
    """The marker of a folder a command made (`OWNER_MARKER`), or None without a valid one."""
    try:
        marker = json.loads((folder / OWNER_MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not (isinstance(marker, dict) and isinstance(marker.get("command"), str)
            and isinstance(marker.get("files"), list)
            and all(isinstance(name, str) for name in marker["files"])):
        return None
    return marker


def mark_owned(folder: Path, command: str) -> None:
    """Write `command`'s marker into `folder`, listing the entries it holds now."""
    files = sorted(p.name for p in folder.iterdir() if p.name != OWNER_MARKER)
    (folder / OWNER_MARKER).write_text(
        json.dumps({"command": command, "files": files}, indent=1) + "\n", encoding="utf-8")


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
    if path.is_symlink() and not path.exists():
        raise InputError(f"{option} {path}: is a link to {os.readlink(path)}, which does "
                         "not exist; name a file")
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
        if above.is_symlink():
            raise InputError(f"{option} {path}: {above} is a link to nothing, so nothing "
                             "can be made under it")
    raise InputError(f"{option} {path}: no existing folder above it")


def _check_writable(folder: Path, path: Path, option: str) -> None:
    # A real probe, not os.access: permission bits say nothing of read-only file systems,
    # and root passes every access check.
    try:
        temp_file(folder, "write-check").unlink()
    except OSError as error:
        raise InputError(f"{option} {path}: cannot create files in {folder} "
                         f"({error.strerror or error})") from None
