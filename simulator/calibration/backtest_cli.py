"""`simulator backtest`: a calibrated ensemble against held-out observations."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from simulator.batch.options import backend_options
from simulator.scenario.options import set_option

BACKTEST_SCHEMA = (
    '{"summary": summary.json ("holdout", "members", "ensemble", "runs", "failed_runs", '
    '"observations", "coverage_90", "spearman": [{"firm", "date", "countries", "spearman": '
    'float|null}], "not_modelled"), "predictions": [row of predictions.parquet: "id", '
    '"metric", "observed", "median", "ensemble_p05", "ensemble_p95", "predictive_p05", '
    '"predictive_p95", "inside", "unit", ...], "html": path|null}'
)


@click.command("backtest")
@click.argument("calibration_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--holdout", required=True, metavar="FIRST..LAST",
              help="Held-out months, such as 2025-01..2025-12.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: CALIBRATION_DIR/backtest); resumed if killed.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the report as one HTML page.")
@click.option("--members", type=click.IntRange(1), default=200, show_default=True,
              help="At most this many non-implausible points (evenly spaced) run forward.")
@click.option("--least-implausible", type=click.IntRange(1), default=None,
              help="Run the K least implausible points instead (when none is "
                   "non-implausible); the report says so.")
@backend_options
@set_option("--set compute.gpu_usd_per_hour=3")
@json_option(BACKTEST_SCHEMA)
def backtest(calibration_dir: Path, holdout: str, out: Path | None, html_file: Path | None,
             members: int, least_implausible: int | None, backend: str, workers: int,
             address: str | None, assignments: tuple[str, ...], as_json: bool) -> None:
    """Run CALIBRATION_DIR's ensemble over --holdout and score the held-out observations.

    For each observation: the ensemble's and the predictive 90% interval (with model
    discrepancy and observation error) against the observed value; the coverage; and
    Spearman's rank correlation of country traffic shares. Writes predictions.parquet and
    summary.json. The scenario is the calibration's (with the --set it ran with); --set
    here changes it further for the held-out window (a what-if, not the calibrated model).

    Example: `simulator backtest calibration/history --holdout 2025-01..2025-12 --html
    calibration/backtest.html`
    """
    from rich.console import Console

    from plumbing.atomic import write_text
    from plumbing.outputs import check_output_file, check_output_folder
    from simulator.calibration.backtest import backtest as run_backtest
    from simulator.calibration.backtest_html import render_backtest
    from simulator.calibration.report import print_backtest

    if out is not None:
        check_output_folder(out, "--out")  # before the ensemble runs, not after
    if html_file is not None:
        check_output_file(html_file, "--html")
    console = Console(stderr=as_json)  # with --json, stdout holds only the document
    result = run_backtest(calibration_dir, holdout, out, backend, workers,
                          address, members, least_implausible, Console(stderr=True),
                          assignments)
    if not as_json:
        print_backtest(result, console)
    if html_file is not None:
        write_text(html_file, render_backtest(result))
        console.print(f"wrote {html_file}")
    if as_json:
        echo_json({"summary": result.summary, "predictions": result.predictions,
                   "html": html_file})
