"""`simulator run`: one scenario, month by month, into Parquet and a summary table."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from plumbing.seed_option import seed_option
from simulator.scenario.options import horizon_option, set_option

RUN_SCHEMA = (
    '{"run_id", "scenario", "seed": int, "months": int, "out": folder, "files": {table: path}, '
    '"notes": [str], "firms": [row of the firms table], "unit_economics": [{"firm", '
    '"active_params", "tokenizer", "serving_usd_per_1m_tokens", "api_usd_per_1m_tokens", '
    '"training_run_usd", "localisation_usd": {region: USD}, "localisation_months": {region: '
    'int}, ...}], "regions": [{"region", "firm", "users", "share", "revenue"}]}'
)


@click.command("run")
@click.argument("scenario_file", type=click.Path(path_type=Path))
@seed_option("Random seed (default: the scenario's).")
@horizon_option()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for runs, firms, firm_months and timeseries .parquet "
                   "(docs/data_dictionary.md; default: runs/RUN_ID).")
@click.option("--profile", "profile_file", type=click.Path(path_type=Path), default=None,
              help="Technology profile Parquet to use instead of the scenario's.")
@set_option("--set technology.token_premium_scale=2")
@json_option(RUN_SCHEMA)
def run(scenario_file: Path, seed: int | None, horizon: int | None, out_dir: Path | None,
        profile_file: Path | None, assignments: tuple[str, ...], as_json: bool) -> None:
    """Run one scenario and write its time series and summary as Parquet.

    Prints each firm's derived unit economics (dollars per million tokens served and
    charged, a training run), what localising each region costs each firm, the firms' final
    users, share, revenue and cash, and the same by region.
    A bad scenario file gets every problem listed as `file: key: what was expected`
    (exit code 2).

    Example: `simulator run data/scenarios/default.toml --seed 7 --horizon 60 --out runs/demo`

    Paired runs need no copied files:
    `simulator run data/scenarios/default.toml --set technology.token_premium_scale=2`;
    for scripts: `simulator run data/scenarios/default.toml --json | jq '.firms[].users'`
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from simulator.run import load_scenario, run_scenario
    from simulator.run.report import (
        check_report_folder,
        economics_table,
        firm_table,
        footprint_table,
        localisation_table,
        region_rows,
        region_table,
        write_report,
    )

    console = Console(stderr=as_json)  # with --json, stdout holds only the document
    scenario = load_scenario(scenario_file, assignments)
    if out_dir is not None:
        check_report_folder(out_dir)  # before the run, not after it
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(f"{scenario.name}: months", total=horizon or scenario.months)
        result = run_scenario(
            scenario, seed=seed, months=horizon, profile=profile_file,
            progress_callback=lambda done, total: progress.update(task, completed=done,
                                                                  total=total))
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    paths = write_report(result, out_dir or Path("runs") / result.run_id)
    if as_json:
        echo_json(run_summary(result, paths, region_rows(result)))
        return
    console.print(economics_table(result))
    console.print(localisation_table(result))
    console.print(firm_table(result))
    console.print(footprint_table(result))
    console.print(region_table(result))
    console.print(f"wrote {paths['timeseries'].parent}/ ({', '.join(paths)} .parquet)")


def run_summary(result, paths: dict[str, Path], regions) -> dict:
    """What `simulator run` prints, as data (RUN_SCHEMA)."""
    return {"run_id": result.run_id, "scenario": result.scenario.name, "seed": result.seed,
            "months": result.months, "out": paths["timeseries"].parent, "files": paths,
            "notes": list(result.notes), "firms": result.firms.to_pylist(),
            "unit_economics": result.unit_economics,
            "regions": regions[["region", "firm", "users", "share", "revenue"]]}
