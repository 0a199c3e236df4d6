"""A batch output folder on disk: shards, manifest and metadata.

The folder is one Parquet dataset whose tables are hive partitions, with the bookkeeping
beside them in `_batch/` (dataset readers skip names starting with `_`)::

    DIR/table_name=runs/NNNNNN.parquet         one shard per run (NNNNNN = run index),
    DIR/table_name=firms/NNNNNN.parquet        the tables of `simulator.reports.schema`
    DIR/table_name=firm_months/NNNNNN.parquet  (docs/data_dictionary.md)
    DIR/table_name=timeseries/NNNNNN.parquet
    DIR/_batch/metadata.json                   the sweep, design, variants, focus firm, times
    DIR/_batch/manifest.json                   finished runs: {run_id: {index, status, sha256}}

The partition key is `table_name`, not `table` (a reserved word in SQL). Every file is
written under a temporary name and renamed when complete (`plumbing.atomic`), so a reader never
sees half a file. A run's shards are written, the `runs` shard last, and only then is the
run added to the manifest with its shards' sha256; a run killed half-way is not in the
manifest, and one whose shards no longer match their hashes is not trusted: both are run
again (their shards replaced) when the sweep resumes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from plumbing.atomic import sha256_file, write_parquet, write_text
from plumbing.errors import InputError
from simulator.batch.runs import RunOutput, SweepPlan
from simulator.reports.schema import RUNS_SCHEMA, SCHEMAS, TABLES

BOOKKEEPING = "_batch"
MANIFEST = f"{BOOKKEEPING}/manifest.json"
METADATA = f"{BOOKKEEPING}/metadata.json"
PARTITION = "table_name"
METADATA_KEYS = ("sweep", "scenario", "design", "parameters", "variants", "focus_firm", "runs",
                 "points", "seeds")
# What a damaged batch file needs: the sweep run again verifies and redoes what is damaged.
_REMEDY = "run the same `simulator batch` command again to redo damaged runs"


def shard_path(out: Path, table: str, index: int) -> Path:
    """Where run `index` writes its rows of `table`."""
    return out / f"{PARTITION}={table}" / f"{index:06d}.parquet"


def write_run(out: Path, plan: SweepPlan, output: RunOutput) -> None:
    """Write one run's shards, the `runs` row last (it marks the run's files complete)."""
    index = output.row["run_index"]
    for name, table in output.tables.items():
        write_parquet(table.cast(SCHEMAS[name]), shard_path(out, name, index))
    row = pa.Table.from_pylist([output.row], schema=RUNS_SCHEMA)
    write_parquet(row, shard_path(out, "runs", index))


def read_json(path: Path) -> dict | None:
    """A JSON file's object, or None when it does not exist.

    Raises:
        InputError: the file is there but is not a JSON object (damaged or not ours).
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected a JSON object, got {type(document).__name__}")
    return document


def read_metadata(out: Path) -> dict | None:
    """The batch folder's metadata, checked for the keys readers use; None when absent.

    Raises:
        InputError: metadata.json is damaged or lacks a key.
    """
    metadata = read_json(out / METADATA)
    if metadata is None:
        return None
    missing = [key for key in METADATA_KEYS if key not in metadata]
    if missing or not isinstance(metadata.get("sweep"), dict) or not isinstance(
            metadata.get("parameters"), list):
        raise InputError(f"{out / METADATA}: not the metadata of a batch (missing or wrong: "
                         f"{', '.join(missing) or 'sweep, parameters'}); {_REMEDY}")
    return metadata


def write_json(path: Path, document: dict) -> None:
    """Write a JSON object atomically, keys in a stable order."""
    write_text(path, json.dumps(document, indent=1, sort_keys=True) + "\n")


def shard_hashes(out: Path, index: int, status: str) -> dict[str, str]:
    """sha256 of a finished run's shards (a failed run has only its `runs` row)."""
    tables = TABLES if status == "ok" else ("runs",)
    return {table: sha256_file(shard_path(out, table, index)) for table in tables}


def finished_runs(out: Path, verify: bool = False) -> dict[str, dict]:
    """The manifest's finished runs whose shards are there: run_id -> entry.

    With `verify`, a run counts only when every shard's sha256 matches the manifest (a run
    of an older manifest without hashes: when its `runs` shard opens as Parquet); what a
    damaged disk, an editor or a truncation changed is then run again.

    Raises:
        InputError: manifest.json is damaged (when not verifying: a reader must not guess).
    """
    try:
        manifest = read_json(out / MANIFEST) or {}
    except InputError:
        if verify:
            return {}  # a resume redoes every run rather than trust a damaged manifest
        raise
    runs = manifest.get("runs", {})
    if not isinstance(runs, dict):
        raise InputError(f"{out / MANIFEST}: `runs` is not an object; {_REMEDY}")
    found = {}
    for run_id, entry in runs.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("index"), int)):
            continue
        if verify and not _sound(out, entry):
            continue
        if shard_path(out, "runs", entry["index"]).exists():
            found[run_id] = entry
    return found


def _sound(out: Path, entry: dict) -> bool:
    index, expected = entry["index"], entry.get("sha256")
    try:
        if expected is None:
            pq.read_metadata(shard_path(out, "runs", index))
            return True
        return shard_hashes(out, index, entry.get("status", "ok")) == expected
    except (OSError, pa.ArrowException):
        return False


def read_table(out: str | Path, table: str) -> pa.Table:
    """One table of a batch folder: the finished runs' shards in run order.

    Raises:
        InputError: a shard is not readable Parquet (named, with how to redo it).
    """
    if table not in TABLES:
        raise ValueError(f"expected one of {', '.join(TABLES)}, got {table!r}")
    out = Path(out)
    indices = sorted(entry["index"] for entry in finished_runs(out).values())
    paths = [p for i in indices if (p := shard_path(out, table, i)).exists()]
    if not paths:
        return pa.table({})
    tables = []
    for path in paths:
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowException) as error:
            raise InputError(f"{path}: not a readable Parquet shard ({error}); {_REMEDY}") \
                from None
    try:
        return pa.concat_tables(tables)
    except pa.ArrowInvalid as error:
        folder = shard_path(out, table, 0).parent
        raise InputError(f"{folder}: shards of different layouts ({error}); {_REMEDY}") \
            from None
