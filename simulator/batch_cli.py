"""The `simulator batch` command: run a sweep file into a Parquet dataset."""

from __future__ import annotations

import os
from pathlib import Path

import rich_click as click


@click.command()
@click.argument("sweep_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="Output folder; an existing one of the same sweep is resumed.")
@click.option("--workers", "-j", type=click.IntRange(1, 1024), default=None,
              help="Parallel runs (default: the CPUs of this machine).")
@click.option("--backend", type=click.Choice(["local", "ray"]), default="local",
              show_default=True, help="Local worker processes, or Ray tasks.")
@click.option("--address", default=None,
              help="Ray cluster address (default: $RAY_ADDRESS, else a local Ray).")
def batch(sweep_file: Path, out: Path, workers: int | None, backend: str,
          address: str | None) -> None:
    """Run every run of SWEEP_FILE (strategies x design points x seeds) into --out.

    Writes the `runs`, `firms`, `firm_months` and `timeseries` tables as one Parquet
    dataset (`--out/table_name=TABLE/`, docs/data_dictionary.md) and its bookkeeping in
    `--out/_batch/` (layout: `simulator.batch`). Started again with the same command, a
    killed sweep skips its finished runs; a folder of another sweep is refused.

    Example: `simulator batch data/sweeps/localise-eu.toml --out sweeps/eu --workers 2`,
    then `simulator report sweeps/eu`
    """
    from rich.console import Console

    from simulator.batch import run_batch

    if address and backend != "ray":
        raise click.UsageError("--address needs --backend ray")
    console = Console(stderr=True)
    counts = run_batch(sweep_file, out, workers or os.cpu_count() or 1, backend, address, console)
    console.print(f"{counts['ok']} runs ok, {counts['error']} failed, {counts['skipped']} "
                  f"already done, in {counts['seconds']:.1f} s -> {out}")
    if counts["error"]:
        console.print(f"[yellow]failed runs: SELECT run_id, error FROM "
                      f"'{out}/runs/*.parquet' WHERE status = 'error'[/]")
