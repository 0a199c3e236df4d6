"""Folders that appear complete or not at all: filled in a hidden staging folder, then renamed.

`hub.atomic` does this for single files; model versions and training checkpoints are
folders of several files, published together by one rename on the same file system.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.atomic import temp_dir


@contextmanager
def staging_folder(parent: Path) -> Iterator[Path]:
    """Yield a new hidden folder inside `parent`; whatever is left of it is removed on exit."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = temp_dir(parent, ".staging-")
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, final: Path) -> None:
    """Flush every file of `staging` to disk, then rename it to `final` (which must not exist)."""
    for path in staging.iterdir():
        fsync_path(path)
    os.rename(staging, final)
    fsync_path(final.parent)


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
