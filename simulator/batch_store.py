"""A batch output folder on disk: shards, manifest and metadata (layout in `simulator.batch`).

Every file is written under a temporary name and renamed when complete (`hub.atomic`), so
a reader never sees half a file. A run's shards are written timeseries, firms, runs, and
only then is the run added to `manifest.json`; a run killed half-way is not in the
manifest and is run again (its shards replaced) when the sweep resumes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hub.atomic import write_parquet, write_text
from simulator.batch_runs import RunOutput, SweepPlan

TABLES = ("runs", "firms", "timeseries")
MANIFEST = "manifest.json"
METADATA = "metadata.json"


def shard_path(out: Path, table: str, index: int) -> Path:
    """Where run `index` writes its rows of `table`."""
    return out / table / f"{index:06d}.parquet"


def write_run(out: Path, plan: SweepPlan, output: RunOutput) -> None:
    """Write one run's shards, the `runs` row last (it marks the run's files complete)."""
    index = output.row["run_index"]
    for name, table in (("timeseries", output.timeseries), ("firms", output.firms)):
        if table is not None:
            write_parquet(table, shard_path(out, name, index))
    row = pa.Table.from_pylist([output.row], schema=plan.runs_schema())
    write_parquet(row, shard_path(out, "runs", index))


def read_json(path: Path) -> dict | None:
    """A JSON file's object, or None when it does not exist."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def write_json(path: Path, document: dict) -> None:
    """Write a JSON object atomically, keys in a stable order."""
    write_text(path, json.dumps(document, indent=1, sort_keys=True) + "\n")


def finished_runs(out: Path) -> dict[str, dict]:
    """The manifest's finished runs whose `runs` shard exists: run_id -> entry."""
    manifest = read_json(out / MANIFEST) or {}
    return {run_id: entry for run_id, entry in manifest.get("runs", {}).items()
            if shard_path(out, "runs", entry["index"]).exists()}


def read_table(out: str | Path, table: str) -> pa.Table:
    """One table of a batch folder: the finished runs' shards in run order."""
    if table not in TABLES:
        raise ValueError(f"expected one of {', '.join(TABLES)}, got {table!r}")
    out = Path(out)
    indices = sorted(entry["index"] for entry in finished_runs(out).values())
    paths = [p for i in indices if (p := shard_path(out, table, i)).exists()]
    if not paths:
        return pa.table({})
    return pa.concat_tables([pq.read_table(p) for p in paths])
