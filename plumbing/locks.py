"""One writer per folder: a lock file holding the writer's process id.

The lock is an `flock` on `FOLDER/.lock`, so the kernel drops it when its process dies,
however it dies: a killed writer's lock is taken over by the next one without anyone
deleting a file. The process id written into the file only serves the refusal message.

Every lock in the product is this one: command output folders (`simulator batch`,
`advise`, `calibrate`) and a region's training checkpoints refuse a second writer; the
hub registry's home waits for the one before it (`wait=True`), since registering or
attaching takes seconds and two commands may fairly queue.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plumbing.errors import InputError

LOCK = ".lock"


@contextmanager
def exclusive(folder: Path, command: str, wait: bool = False) -> Iterator[None]:
    """Hold `folder`'s lock while the block runs.

    Args:
        folder: An existing folder.
        command: What the holder is, for the message (e.g. "`simulator batch`").
        wait: Block until the holder lets go instead of refusing.

    Raises:
        InputError: another process holds the lock and `wait` is false.
    """
    path = Path(folder) / LOCK
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise InputError(f"{folder}: another {command} (process {holder}) is writing "
                             "here; wait for it to end or stop it, then run again") from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
