"""`simulator run`: one scenario, month by month, into Parquet and a summary table."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.checked import SEED_MAX, Number


@click.command("run")
@click.argument("scenario_file", type=click.Path(path_type=Path))
@click.option("--seed", type=Number(integer=True, low=0, high=SEED_MAX), default=None,
              help="Random seed (default: the scenario's).")
@click.option("--months", type=click.IntRange(1, 600), default=None,
              help="Months to simulate (default: the scenario's horizon).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for runs, firms, firm_months and timeseries .parquet "
                   "(docs/data_dictionary.md; default: runs/RUN_ID).")
@click.option("--profile", "profile_file", type=click.Path(path_type=Path), default=None,
              help="Technology profile Parquet to use instead of the scenario's.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Override a scenario key (repeatable), validated like the file: "
                   "`--set compute.gpu_usd_per_hour=5 --set 'firms.Frontier US.cash_usd=1e9'`.")
def run(scenario_file: Path, seed: int | None, months: int | None, out_dir: Path | None,
        profile_file: Path | None, assignments: tuple[str, ...]) -> None:
    """Run one scenario and write its time series and summary as Parquet.

    Prints each firm's derived unit economics (dollars per million tokens served and
    charged, a training run), what localising each region costs each firm, the firms' final
    users, share, revenue and cash, and the same by region.
    A bad scenario file gets every problem listed as `file: key: what was expected`
    (exit code 2).

    Example: `simulator run data/scenarios/default.toml --seed 7 --months 60 --out runs/demo`

    Paired runs need no copied files:
    `simulator run data/scenarios/default.toml --set technology.token_premium_scale=2`
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from simulator.run import load_scenario, run_scenario
    from simulator.run_report import (
        check_report_folder,
        economics_table,
        firm_table,
        footprint_table,
        localisation_table,
        region_table,
        write_report,
    )

    console = Console()
    scenario = load_scenario(scenario_file, assignments)
    if out_dir is not None:
        check_report_folder(out_dir)  # before the run, not after it
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(f"{scenario.name}: months", total=months or scenario.months)
        result = run_scenario(
            scenario, seed=seed, months=months, profile=profile_file,
            progress_callback=lambda done, total: progress.update(task, completed=done,
                                                                  total=total))
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    paths = write_report(result, out_dir or Path("runs") / result.run_id)
    console.print(economics_table(result))
    console.print(localisation_table(result))
    console.print(firm_table(result))
    console.print(footprint_table(result))
    console.print(region_table(result))
    console.print(f"wrote {paths['timeseries'].parent}/ ({', '.join(paths)} .parquet)")
