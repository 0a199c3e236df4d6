"""Folders that appear complete or not at all: filled in a hidden staging folder, then renamed.

`plumbing.atomic` does this for single files; model versions and training checkpoints are
folders of several files, published together by one rename on the same file system.
A staging folder's name carries its process id, so what a killed process left behind
is recognised and removed the next time anything is staged in the same place.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plumbing.atomic import fsync_path, refused_writes_reported, temp_dir
from plumbing.errors import InputError, WriteFailure
from plumbing.outputs import check_replaceable_folder, mark_owned, not_owned

PREFIX = ".staging-"
ASIDE = "-aside-"  # a staging folder holding the folder a replacement set aside


@contextmanager
def staging_folder(parent: Path) -> Iterator[Path]:
    """Yield a new hidden folder inside `parent`; whatever is left of it is removed on exit.

    Staging folders of processes that no longer exist (killed mid-way) are removed first.

    Raises:
        WriteFailure: the disk filled up or is read-only while the block wrote.
    """
    with refused_writes_reported(parent):  # a full disk: exit 1, the staging removed
        parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(parent)
        staging = temp_dir(parent, f"{PREFIX}{os.getpid()}-")
        try:
            yield staging
        except WriteFailure as failure:  # named by where the output goes, not the staging
            raise WriteFailure(parent, failure.reason) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def remove_abandoned(parent: Path) -> list[Path]:
    """Delete the staging folders in `parent` whose process is gone; returns them.

    A folder that a killed `publish(replace=True)` had set aside and not yet replaced is
    put back first: the replacement rolls back to the old folder.
    """
    removed = []
    for folder in parent.glob(f"{PREFIX}*"):
        owner = folder.name[len(PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            if folder.name.startswith(f"{PREFIX}{owner}{ASIDE}"):
                _put_back(folder)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _put_back(aside: Path) -> None:
    entries = list(aside.iterdir())
    if len(entries) == 1 and not (aside.parent / entries[0].name).exists():
        os.rename(entries[0], aside.parent / entries[0].name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, but belongs to another user
        return True
    return True


def publish(staging: Path, final: Path, owner: str | None = None) -> None:
    """Flush every file of `staging` to disk, then rename it to `final`.

    Without `owner`, `final` must not exist. With it, `final` is marked as `owner`'s
    (`plumbing.outputs.mark_owned`) and an existing `final` is replaced only when `owner` made
    it and it holds nothing else (checked again here, at the swap: a file a user put there
    since the command's first check is refused, never deleted). The old folder is first
    set aside in a staging folder of this process and deleted after, so `final` is the
    old folder or the new one, never a mix; after a kill between the two renames, the
    next staging in `final`'s parent puts the old folder back.

    Raises:
        InputError: `final` holds what `owner` did not make.
    """
    if owner is not None:
        check_replaceable_folder(final, owner)
        mark_owned(staging, owner)
    for path in sorted(staging.rglob("*"), reverse=True):  # files before their folders
        fsync_path(path)
    old = None
    if owner is not None and final.exists():
        old = temp_dir(final.parent, f"{PREFIX}{os.getpid()}{ASIDE}")
        try:
            os.rename(final, old / final.name)
        except OSError:
            old.rmdir()  # nothing was set aside: leave no empty staging folder behind
            raise
        foreign = not_owned(old / final.name, owner)
        if foreign:  # written into since the check above: put it back, delete nothing
            os.rename(old / final.name, final)
            old.rmdir()
            raise InputError(f"{final}: {', '.join(foreign)} appeared there while `{owner}` "
                             "was writing; nothing there is replaced: name a new folder")
    os.rename(staging, final)
    fsync_path(final.parent)
    if old is not None:
        shutil.rmtree(old)
