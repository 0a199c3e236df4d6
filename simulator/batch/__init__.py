"""Batch sweeps: run every run of a sweep file in parallel into a Parquet dataset, resumably.

Output folder layout (the contract `simulator report`, the TUI, pandas, polars and DuckDB
read; `simulator.batch.store` writes it and `read_table(DIR, name)` reads a table in run
order): one Parquet dataset whose tables are hive partitions, `DIR/table_name=TABLE/
NNNNNN.parquet` (one shard per run, NNNNNN = run index) for the tables `runs`, `firms`,
`firm_months` and `timeseries` of `simulator.reports.schema` (docs/data_dictionary.md),
and its bookkeeping in `DIR/_batch/` (dataset readers skip `_` names)::

    DIR/_batch/metadata.json    sweep file path, text and sha256; base scenario path,
                                digest and --set overrides; product version; started,
                                ended (null while running), resumed (times); design;
                                parameters (a list of {name, low, high} in design
                                column order); variants, focus firm, number of runs
    DIR/_batch/manifest.json    finished runs: {"runs": {run_id: {"index", "status"}}}

The runs row is the one `simulator run` writes (`RunResult.run_row`), plus the run's
strategy (variant name), design point and replicate; the uncertain parameters' values are
its `parameters` map, the focus firm's final KPIs its KPI columns (one firm is what a
strategy question is about); every firm's KPIs are in the tidy `firms` table, so no column
name depends on a firm or parameter name. A run that failed has a runs row (status error)
and no other shard. All columns except duration_s are identical for the same sweep on any
backend and with any number of workers. DuckDB: `SELECT * FROM
'DIR/table_name=timeseries/*.parquet'`.
"""

from __future__ import annotations

import time
from importlib.metadata import version
from pathlib import Path

from rich.console import Console

from hub.metrics import now_iso
from plumbing import fingerprint
from plumbing.atomic import sha256_file
from plumbing.errors import InputError
from plumbing.locks import exclusive
from plumbing.outputs import check_output_folder
from simulator.batch.backends import evaluator
from simulator.batch.experiments import Job, perform_experiments
from simulator.batch.runs import SweepPlan, execute_run
from simulator.batch.store import (
    MANIFEST,
    METADATA,
    finished_runs,
    read_metadata,
    shard_hashes,
    write_json,
    write_run,
)
from simulator.batch.sweep import flatten_overrides, load_sweep
from simulator.scenario.inputs import scenario_parts
from simulator.scenario.overrides import apply
from simulator.technology import load_profile


def run_id(plan: SweepPlan, index: int) -> str:
    """What messages call run `index` of a sweep: its run id."""
    return plan.spec(index).run_id


SWEEP_JOB = Job(execute_run, write_run, run_id)
COMMAND = "simulator batch"


def _metadata(sweep_file: Path, plan: SweepPlan, assignments: tuple[str, ...]) -> dict:
    sweep = plan.sweep
    return {
        "sweep": {"path": str(sweep_file), "sha256": sha256_file(sweep_file),
                  "text": sweep_file.read_text(encoding="utf-8"), "name": sweep.name},
        # `set`: the --set overrides of the base scenario (its digest is taken after them)
        "scenario": {"path": str(sweep.scenario_path()), "digest": plan.base.digest(),
                     "name": plan.base.name, "set": list(assignments)},
        "product_version": version("intl-strategy"),
        "design": sweep.design.model_dump(),
        # A list, not an object: the order is the design's column order (JSON keys get sorted).
        "parameters": [{"name": k, "low": lo, "high": hi} for k, (lo, hi) in plan.ranges.items()],
        "points": len(plan.points), "seeds": sweep.seeds, "seed": sweep.seed,
        "variants": [v.name for v in sweep.variants],
        "focus_firm": plan.focus_firm, "runs": plan.size, "months": plan.base.months,
        "started": now_iso(), "ended": None, "resumed": [],
    }


def _prepare(out: Path, fresh: dict, parts: dict[str, str]) -> dict:
    """Metadata for this invocation; refuses a folder that holds something else.

    A folder of a sweep is resumed only when its fingerprint (`plumbing.fingerprint`: the
    sweep, the scenario, every technology profile its runs read, the model's code) is this
    run's; one made from other inputs is refused with what changed.
    """
    if out.exists() and any(not p.name.startswith(".") for p in out.iterdir()):
        old = read_metadata(out)
        if old is None:
            raise InputError(f"{out}: not empty and not a batch folder (no {METADATA}); "
                             "choose another --out")
        fingerprint.check(out, COMMAND, parts, has_results=True)
        return {**old, "ended": None, "resumed": [*old.get("resumed", []), fresh["started"]]}
    return fresh


def _parts(sweep_file: Path, plan: SweepPlan) -> dict[str, str]:
    """What the sweep's runs depend on: the sweep file and `simulator.scenario.inputs`' parts."""
    # Only a variant that names another profile can read one (its other overrides cannot).
    variants = [apply(plan.base, flat) for v in plan.sweep.variants
                if "technology_profile" in (flat := flatten_overrides(v.overrides))]
    return {"sweep": fingerprint.file_part(sweep_file), **scenario_parts(plan.base, variants)}


def _remove_temporary(out: Path) -> None:
    # Half-written files of a killed sweep (plumbing.atomic's temporary names); only the lock
    # holder writes here, so every one of them is a leftover.
    for stale in [*out.glob(".*.tmp"), *out.glob("*/.*.tmp")]:
        stale.unlink(missing_ok=True)


def run_batch(sweep_file: str | Path, out: str | Path, workers: int = 2, backend: str = "local",
              address: str | None = None, console: Console | None = None,
              assignments: tuple[str, ...] = ()) -> dict:
    """Run (or resume) a sweep into `out`; returns counts of runs ok, failed and skipped.

    `assignments` are `--set KEY=VALUE` overrides of the sweep's base scenario.

    `redone` counts runs the manifest listed whose shards were damaged or missing.

    Raises:
        InputError: a bad sweep, an --out that cannot take the batch, a folder of another
            sweep, another `simulator batch` writing to the same folder, or a Ray address
            where no cluster answers (all before anything is written).
        RunsLost: runs that did not finish (a worker died); the others are kept.
    """
    sweep_file, out = Path(sweep_file), Path(out)
    check_output_folder(out, "--out")
    sweep, base = load_sweep(sweep_file, assignments)
    # The base scenario's profile, read once here: missing, every run would fail alike.
    load_profile(base.profile_path(), base.profile_size)
    plan = SweepPlan.build(sweep, base)
    fresh, parts = _metadata(sweep_file, plan, tuple(assignments)), _parts(sweep_file, plan)
    _prepare(out, fresh, parts)  # refused before anything is created in another's folder
    runner = evaluator(backend, workers, address)
    with runner.connected():  # a wrong Ray address fails here, before the folder is touched
        out.mkdir(parents=True, exist_ok=True)
        with exclusive(out, "`simulator batch`"):
            metadata = _prepare(out, fresh, parts)
            _remove_temporary(out)
            write_json(out / METADATA, metadata)
            fingerprint.record(out, COMMAND, parts)
            console = console or Console(stderr=True)
            try:
                listed = len(finished_runs(out))
            except InputError as damaged:
                listed = 0
                console.print(f"[yellow]{damaged.message}: every run is run again[/]")
            finished = finished_runs(out, verify=True)
            todo = [i for i in range(plan.size) if plan.spec(i).run_id not in finished]
            skipped, redone = plan.size - len(todo), max(0, listed - len(finished))
            if redone:
                console.print(f"[yellow]{redone} finished runs had damaged or missing "
                              "shards: they are run again[/]")

            def record(row: dict) -> None:
                index, status = row["run_index"], row["status"]
                finished[row["run_id"]] = {"index": index, "status": status,
                                           "sha256": shard_hashes(out, index, status)}
                write_json(out / MANIFEST, {"sweep_sha256": metadata["sweep"]["sha256"],
                                            "runs": finished})

            started = time.perf_counter()
            tally = perform_experiments(plan, todo, out, SWEEP_JOB, runner, sweep.name,
                                        plan.size, console, on_row=record)
            write_json(out / MANIFEST, {"sweep_sha256": metadata["sweep"]["sha256"],
                                        "runs": finished})
            write_json(out / METADATA, {**metadata, "ended": now_iso()})
            fingerprint.record(out, COMMAND, parts, finished=True)
    return {"ok": tally.ok, "error": tally.failed, "skipped": skipped, "redone": redone,
            "seconds": time.perf_counter() - started}
