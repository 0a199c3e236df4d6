"""`simulator hindcast`: would advice have ranked what the real lab did next near the top?"""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from simulator.advice.cli import exit_value_options, with_exit_value
from simulator.scenario.options import set_option

HINDCAST_SCHEMA = (
    '{"summary": hindcast.json ("firm", "cutoff", "decision_date", "candidates", '
    '"median_rank", "median_rank_quantile", "below_status_quo", "not_expressed", ...), '
    '"moves": [row of hindcast.parquet: "id", "date", "kind", "move", "rank", '
    '"p_beats_status_quo", "why", ...]}'
)

@click.command()
@click.argument("calibration", type=click.Path(file_okay=False, path_type=Path))
@click.option("--firm", required=True, help="The firm to advise (a firm of the scenario, "
              "an archetype of data/real_moves.csv such as \"US Frontier\").")
@click.option("--until", "cutoff", required=True, metavar="YYYY-MM",
              help="The cut-off: the calibration's last month (or later); advice decides "
                   "from the month after it.")
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Scenario (default: the one the calibration calibrated).")
@click.option("--real-moves", "real_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Real moves CSV (default: the shipped data/real_moves.csv).")
@click.option("--samples", type=click.IntRange(1, 100_000), default=None,
              help="At most this many non-implausible points of the calibration.")
@click.option("--horizon", type=click.IntRange(1, 600), default=None, metavar="MONTHS",
              help="Months valued from the decision date (default: to the scenario's end).")
@click.option("--workers", type=click.IntRange(1, 256), default=2, help="Worker processes.")
@set_option('--set "firms.US Frontier.strategy.offices=0"')
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the advice, hindcast.parquet and hindcast.json "
                                 "(default: runs/hindcast-FIRM-UNTIL).")
@exit_value_options
@json_option(HINDCAST_SCHEMA)
def hindcast(calibration: Path, firm: str, cutoff: str, scenario_file: Path | None,
             real_file: Path | None, samples: int | None, horizon: int | None, workers: int,
             assignments: tuple[str, ...], out_dir: Path | None, exit_multiple: float,
             exit_per_weekly_user: float, as_json: bool) -> None:
    """Advise a firm from the month after a calibration's cut-off; rank what it really did.

    Every real move of the firm (data/real_moves.csv) dated within the horizon is expressed
    as the move the generator would make for its kind and place and ranked among the
    generated moves (1 = best expected), against the status quo; moves the generator cannot
    express are listed with why.

    Example: `simulator hindcast runs/calibrate-2023 --firm "US Frontier" --until 2023-12
    --samples 20 --horizon 24`
    """
    from rich.console import Console
    from rich.table import Table

    from plumbing.outputs import check_output_folder
    from simulator.advice.hindcast import hindcast as run_hindcast
    from simulator.advice.real_moves import load_real_moves, read_real_moves
    from simulator.advice.valuation import Discount

    discount = with_exit_value(Discount(), exit_multiple, exit_per_weekly_user)
    out = out_dir or Path("runs") / f"hindcast-{firm.replace(' ', '_')}-{cutoff}"
    check_output_folder(out, "--out")
    real = read_real_moves(real_file) if real_file else load_real_moves()
    try:
        scores, summary = run_hindcast(calibration, firm, cutoff, out, real, scenario_file,
                                       samples, horizon, workers, assignments, discount)
    except RuntimeError as exc:  # runs that failed: the model's problem, not the input's
        raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json({"summary": summary, "moves": scores})
        return
    table = Table("real move", "date", "as", "rank", "vs status quo", "P(beats)")
    for s in scores:
        if s.move is None:
            table.add_row(s.id, s.date, "-", "-", "-", s.why)
            continue
        gain = (s.npv_mean - s.status_quo_npv_mean) / 1e6
        table.add_row(s.id, s.date, s.move + (" (added)" * s.added),
                      f"{s.rank} of {s.candidates}", f"{gain:+,.1f} M$",
                      f"{s.p_beats_status_quo:.0%}")
    console = Console()
    console.print(table)
    console.print(f"median rank {summary['median_rank']} of {summary['candidates']} "
                  f"(quantile {summary['median_rank_quantile']:.2f}); below the status quo: "
                  f"{summary['below_status_quo']}; not expressed: "
                  f"{len(summary['not_expressed'])}", highlight=False)
    console.print(f"wrote {out}/ (hindcast.parquet, hindcast.json, advice/)")
