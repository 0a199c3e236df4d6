"""Compressed sizes remembered in the hub home, so `hub eval` compresses a corpus only once.

The compressor baselines depend on the corpus alone (each language's evaluation set and
training prime), never on the model, yet xz -9e over every language's 1 MiB prime was most
of an evaluation's CPU time (benchmarks/RESULTS.md, issue 27). A size is stored as one JSON
file, `{home}/_cache/compressed_sizes/{key}.json`, where the key is the sha256 of what
fixes the size: the tool, its library's version and settings (`compressor.settings_of`)
and the input's sha256 and length. JSON, not pickle: an entry is read as data, never run.

An entry is trusted only if it repeats that description exactly and its own checksum (over
description and size) matches; anything else (truncated, bit-flipped, edited, another
version's) is recomputed and rewritten. Entries are written atomically, so a killed run
leaves none half-written; one the file system refuses is skipped (the cache only saves time).
A rebuilt corpus leaves the old corpus's entries unused; deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from hub.measurement.compressor import SizeOf, compressed_size, settings_of
from plumbing.atomic import write_text
from plumbing.errors import WriteFailure

CACHE_DIR = Path("_cache") / "compressed_sizes"
ENTRY_FORMAT = 1


def cache_folder(home: str | Path) -> Path:
    """Where the hub home at `home` keeps its compressed sizes."""
    return Path(home) / CACHE_DIR


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def description(tool: str, data: bytes) -> dict:
    """Everything a compressed size of `data` depends on."""
    return {"format": ENTRY_FORMAT, **settings_of(tool, len(data)),
            "input_sha256": hashlib.sha256(data).hexdigest(), "input_bytes": len(data)}


def read_entry(path: Path, wanted: dict) -> int | None:
    """The size stored at `path` for the description `wanted`; None unless fully verified."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        size = entry["size"]
        valid = (entry["description"] == wanted and type(size) is int and size > 0
                 and entry["checksum"] == _digest(_canonical([wanted, size])))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return size if valid else None


def cached(folder: Path | None, compute: SizeOf = compressed_size) -> SizeOf:
    """`compute` behind the cache in `folder` (None: no cache, every size computed)."""
    if folder is None:
        return compute

    def size_of(tool: str, data: bytes) -> int:
        wanted = description(tool, data)
        path = folder / f"{_digest(_canonical(wanted))}.json"
        size = read_entry(path, wanted)
        if size is None:
            size = compute(tool, data)
            entry = {"description": wanted, "size": size,
                     "checksum": _digest(_canonical([wanted, size]))}
            try:
                write_text(path, json.dumps(entry, indent=1, sort_keys=True) + "\n")
            except (WriteFailure, OSError):  # a full or read-only home: computed, not kept
                pass
        return size

    return size_of
