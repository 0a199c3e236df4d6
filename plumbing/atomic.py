"""Atomic file writes and content hashes.

A file becomes visible under its final name only when complete: it is written
under a temporary name in the same folder, flushed to disk, then renamed. A
killed job therefore never leaves a partial file behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from plumbing.errors import WriteFailure

# Errors that say the file system cannot take the output, whoever writes it (a folder the
# user may not write to included: the machine's state, not the command's input).
FULL_OR_READ_ONLY = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES,
                     errno.EPERM)
# How libraries that are not Python's own I/O quote the system's error number: pyarrow
# ("[errno 28]") and Rust ones such as safetensors ("(os error 28)", a SafetensorError).
_QUOTED_ERRNO = re.compile(r"\[errno (\d+)\]|\(os error (\d+)\)")


def write_failure(error: BaseException, path: Path) -> WriteFailure | None:
    """The exit-1 error for a write the file system refused (disk full, quota, read-only).

    None for other errors, which stay what they are.
    """
    codes = [getattr(error, "errno", None)] + [
        int(a or b) for a, b in _QUOTED_ERRNO.findall(str(error))]
    if not set(codes) & set(FULL_OR_READ_ONLY):
        return None
    code = next(c for c in codes if c in FULL_OR_READ_ONLY)
    return WriteFailure(path, os.strerror(code))


@contextmanager
def refused_writes_reported(path: str | os.PathLike) -> Iterator[None]:
    """Turn a write the file system refuses inside the block into a WriteFailure (exit 1)."""
    try:
        yield
    except Exception as error:  # a library's own error type may carry the system's reason
        if isinstance(error, WriteFailure):
            raise
        failure = write_failure(error, Path(path))
        if failure is None:
            raise
        raise failure from None


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success fsync it and rename it into place.

    Raises:
        WriteFailure: the disk is full or read-only (the temporary file is removed).
    """
    final = Path(path)
    with refused_writes_reported(final):
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_file(final.parent, final.name)
        try:
            yield tmp
            fsync_path(tmp)
            os.replace(tmp, final)
            fsync_path(final.parent)
        finally:
            tmp.unlink(missing_ok=True)


def temp_file(folder: Path, name: str) -> Path:
    """A new hidden temporary file in `folder`, with the permissions a plain open() gives."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    # mkstemp creates owner-only files; what is renamed into place must look like any other.
    os.chmod(tmp_name, 0o666 & ~_umask())
    return Path(tmp_name)


def temp_dir(parent: Path, prefix: str) -> Path:
    """A new hidden temporary folder in `parent`, with the permissions a plain mkdir gives."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o777 & ~_umask())
    return folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_path(path: str | os.PathLike) -> None:
    """Flush a file, or a folder's entries (a rename is durable only once they are), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write bytes atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_with(path: str | os.PathLike, writer: Callable[[Path], None]) -> None:
    """Atomically write a file produced by `writer(tmp_path)` (e.g. a library's save)."""
    with atomic_path(path) as tmp:
        writer(tmp)


def write_parquet(table: pa.Table, path: str | os.PathLike) -> None:
    """Write a Parquet file atomically (zstd-compressed)."""
    write_with(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
