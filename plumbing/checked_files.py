"""Checked reading: every file the product reads names itself and what is wrong (exit 2).

Two kinds of file come in. Files a user writes (scenarios, sweeps, moves, observations,
prompts) are read by `read_user_text`: a regular file (a FIFO would block forever,
`/dev/zero` never ends), within a size limit checked before reading, UTF-8. Artefacts the
product wrote itself (batch shards, designs, non-implausible sets, `metadata.json`) are
read by `read_parquet` and `read_json`: a zero-byte file, another program's file or one
missing a column or key is refused by name instead of a pyarrow or KeyError traceback.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from plumbing.errors import InputError

MAX_USER_FILE = 16 * 2**20
"""Largest text file a user may hand the product (16 MiB): the largest shipped one,
data/language_quality.csv, is 168 KB; a scenario is under 10 KB."""


def read_user_text(path: str | os.PathLike, what: str, max_bytes: int = MAX_USER_FILE) -> str:
    """The UTF-8 text of a file a user gave, checked before it is read.

    Args:
        path: The file.
        what: What it should be, for the message ("scenario").
        max_bytes: The size limit, stated in the refusal.

    Raises:
        InputError: missing, not a regular file, over `max_bytes`, unreadable or not UTF-8.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: {what} file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO, device or socket"
        raise InputError(f"{path}: is {kind}, not a regular file; expected a {what} file")
    if info.st_size > max_bytes:
        raise InputError(f"{path}: {info.st_size:,} bytes, over the limit of {max_bytes:,} "
                         f"for a {what} file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # a file growing while read stays bounded
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: over the limit of {max_bytes:,} bytes for a {what} file")
    return decode_utf8(data, f"{path}", what)


def decode_utf8(data: bytes, where: str, what: str) -> str:
    """`data` as text; InputError names where the first byte that is not UTF-8 is."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{where}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8; "
                         f"expected a {what} file in UTF-8 text") from None


def read_parquet(path: str | os.PathLike, what: str,
                 columns: Mapping[str, pa.DataType] | Iterable[str] = (),
                 schema: pa.Schema | None = None) -> pa.Table:
    """A Parquet file the product wrote, with the columns it must have.

    Args:
        path: The file.
        what: What it is, for the message ("batch shard").
        columns: Required column names, or names with their Arrow types (an integer or
            floating column is accepted for any numeric type).
        schema: The exact schema it must be read as (a shard of a known plan), if any.

    Raises:
        InputError: missing, empty, not Parquet, damaged, or without a required column
            (of its type); the message names the file and says how to redo it.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise InputError(f"{path}: is empty (0 bytes), not a {what}")
        table = pq.read_table(path, schema=schema)
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet {what} ({exc})") from None
    required = columns.items() if isinstance(columns, Mapping) else ((c, None) for c in columns)
    for name, kind in required:
        if name not in table.column_names:
            raise InputError(f"{path}: {what} without the column {name!r} (it has "
                             f"{', '.join(table.column_names[:8]) or 'none'})")
        found = table.schema.field(name).type
        if kind is not None and not (found == kind or (_numeric(found) and _numeric(kind))):
            raise InputError(f"{path}: {what} column {name!r} is {found}, expected {kind}")
    return table


def _numeric(kind: pa.DataType) -> bool:
    return pa.types.is_integer(kind) or pa.types.is_floating(kind)


def read_json(path: str | os.PathLike, what: str,
              keys: Mapping[str, type | tuple[type, ...]] | None = None) -> dict:
    """A JSON object the product wrote, with the keys it must have, of their types.

    Raises:
        InputError: missing, not JSON, not an object, or a key missing or of another type.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable JSON {what} ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} is {type(data).__name__}, expected a JSON object")
    for key, kind in (keys or {}).items():
        if key not in data:
            raise InputError(f"{path}: {what} without the key {key!r}")
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise InputError(f"{path}: {what} key {key!r} is {type(value).__name__} "
                             f"({value!r:.40}), expected {expected}")
    return data
