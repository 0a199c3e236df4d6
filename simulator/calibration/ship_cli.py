"""`simulator ship`: a finished calibration becomes the shipped history and today's world."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from simulator.calibration.ship import TODAY, UNTIL


@click.command("ship")
@click.argument("calibration_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data folder to write into (default: the shipped data/).")
@click.option("--today", default=TODAY, show_default=True, metavar="YYYY-MM",
              help="The world's today: where advice decides from.")
@click.option("--until", default=UNTIL, show_default=True, metavar="YYYY-MM",
              help="Last month of the default scenario's forecast.")
@click.option("--backtest", "backtest_dir", default=None,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A finished backtest of CALIBRATION_DIR: ship the member least implausible "
                   "over the calibration's and the held-out rows (default: the calibration's "
                   "least implausible point).")
def ship(calibration_dir: Path, data: Path | None, today: str, until: str,
         backtest_dir: Path | None) -> None:
    """Write CALIBRATION_DIR's non-implausible set, calibrated history and default world.

    Into the data folder: calibration/<scenario>/ (metadata.json, non_implausible.parquet),
    scenarios/history_calibrated.toml and scenarios/default.toml (the calibrated world,
    today --today, run on to --until). A calibration that kept no point is refused.

    Example: `simulator ship calibration/history --backtest calibration/history/backtest`
    """
    from simulator.calibration.ship import ship as write_world

    command = "simulator ship " + " ".join(
        [str(calibration_dir)] + ([f"--today {today}"] if today != TODAY else [])
        + ([f"--until {until}"] if until != UNTIL else [])
        + ([f"--backtest {backtest_dir}"] if backtest_dir else []))
    for path in write_world(calibration_dir, data, today, until, command, backtest_dir):
        click.echo(f"wrote {path}")
