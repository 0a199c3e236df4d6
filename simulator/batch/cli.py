"""The `simulator batch` command: run a sweep file into a Parquet dataset."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from simulator.batch.options import backend_options
from simulator.scenario.options import set_option

BATCH_SCHEMA = (
    '{"out": folder, "ok": int, "error": int (failed runs), "skipped": int (finished before), '
    '"redone": int (damaged shards run again), "seconds": float, "failed_runs_query": SQL|null}'
)


@click.command()
@click.argument("sweep_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="Output folder; an existing one of the same sweep is resumed.")
@backend_options
@set_option("--set compute.gpu_usd_per_hour=5")
@json_option(BATCH_SCHEMA)
def batch(sweep_file: Path, out: Path, workers: int, backend: str, address: str | None,
          assignments: tuple[str, ...], as_json: bool) -> None:
    """Run every run of SWEEP_FILE (strategies x design points x seeds) into --out.

    Writes the `runs`, `firms`, `firm_months` and `timeseries` tables as one Parquet
    dataset (`--out/table_name=TABLE/`, docs/data_dictionary.md) and its bookkeeping in
    `--out/_batch/` (layout: `simulator.batch`). Started again with the same command, a
    killed sweep skips its finished runs; a folder of another sweep (or of other --set
    overrides) is refused. --set overrides the sweep's base scenario, before its variants.

    Example: `simulator batch data/sweeps/localise-eu.toml --out sweeps/eu --workers 2`,
    then `simulator report sweeps/eu`
    """
    from rich.console import Console

    from simulator.batch import run_batch
    from simulator.batch.store import shard_path

    console = Console(stderr=True)
    counts = run_batch(sweep_file, out, workers, backend, address, console, assignments)
    query = (f"SELECT run_id, error FROM '{shard_path(out, 'runs', 0).parent}/*.parquet' "
             "WHERE status = 'error'") if counts["error"] else None
    if as_json:
        echo_json({"out": out, **counts, "failed_runs_query": query})
        return
    console.print(f"{counts['ok']} runs ok, {counts['error']} failed, {counts['skipped']} "
                  f"already done, in {counts['seconds']:.1f} s -> {out}")
    if query:
        console.print(f"[yellow]failed runs: {query}[/]")
