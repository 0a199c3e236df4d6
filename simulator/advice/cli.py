"""`simulator advise`: where should this firm expand next? Moves ranked by NPV, risk and regret."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.seed_option import seed_option
from simulator.batch.options import backend_options
from simulator.scenario.options import horizon_option, set_option


def exit_value_options(command):
    """--exit-multiple, --exit-per-weekly-user: the firm's value at the horizon, one of them."""
    command = click.option(
        "--exit-per-weekly-user", type=click.FloatRange(0, 1e5), default=0.0, show_default=True,
        metavar="USD",
        help="Add the firm's value at the horizon as its investors price it: this many US "
             "dollars a weekly user then, discounted (OpenAI's last two rounds: about $600; "
             "not with --exit-multiple).")(command)
    return click.option(
        "--exit-multiple", type=click.FloatRange(0, 200), default=0.0, show_default=True,
        help="Add the firm's value at the horizon: this multiple of its revenue over the "
             "horizon's last 12 months (annualised if shorter), discounted (0: cash over the "
             "horizon only; growth software trades at several times revenue).")(command)


def with_exit_value(discount, multiple: float, per_weekly_user: float):
    """`discount` with the command's exit value; both options at once exit 2."""
    try:
        return discount.with_exit(multiple, per_weekly_user)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--firm", required=True, help="The firm to advise (a firm name of the scenario).")
@click.option("--moves", "moves_file", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file of moves to compare (default: moves generated from the scenario).")
@click.option("--ensemble", "calibration", type=click.Path(file_okay=False, path_type=Path),
              help="A `simulator calibrate` folder: its non-implausible points and replicate "
                   "seeds are the ensemble.")
@click.option("--samples", type=click.IntRange(1, 100_000), default=None,
              help="Ensemble members: samples of the scenario's uncertain parameters (seeds, "
                   "when it has none; default 8); with --ensemble, at most this many points.")
@click.option("--from", "decide", metavar="YYYY-MM", default=None,
              help="Decision date: every member is simulated to it once and every move "
                   "branches from there; moves are timed and the NPV discounted from it "
                   "(default: the scenario's `today`, else its start_date).")
@horizon_option("from the decision date to the scenario's end; the NPV values these")
@seed_option("Seed of the ensemble and its runs (default: the scenario's).")
@click.option("--discount-rate", type=click.FloatRange(0, 1), default=None,
              help="Annual discount rate of the NPV (default: 10%, the cost of capital of "
                   "software firms; see simulator/advice/valuation.py).")
@exit_value_options
@set_option("--set parameters.office_spillover=0.5")
@backend_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for advice.parquet, members.parquet, advice.json and the runs "
                   "(default: runs/advice-SCENARIO-FIRM); the same command resumes it.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML page with the ranking and charts.")
def advise(scenario_file: Path, firm: str, moves_file: Path | None, calibration: Path | None,
           samples: int | None, decide: str | None, horizon: int | None, seed: int | None,
           discount_rate: float | None, exit_multiple: float, exit_per_weekly_user: float,
           assignments: tuple[str, ...], workers: int, backend: str, address: str | None,
           out_dir: Path | None, html_file: Path | None) -> None:
    """Rank a firm's candidate moves against the status quo over an uncertainty ensemble.

    Moves (enter or leave a region, localise now, in a year or never, offices, labs, data
    regions, partner channels and hiring in named countries, a searched price now or later,
    country price tiers) are generated from the scenario unless --moves names a file. Every
    member is simulated to the decision date (--from) once and every move branches from there
    with the member's seed (common random numbers).
    Prints per move the NPV's p10/p50/p90, the probability of beating the status quo and
    the largest regret, marks the best expected and the robust choice, explains each with
    its drivers, and says where the top move loses (PRIM).

    Example: `simulator advise data/scenarios/default.toml --firm "Euro Challenger"
    --samples 8 --from 2025-12 --horizon 60 --out runs/advice --html runs/advice.html`
    """
    from rich.console import Console

    from plumbing.outputs import check_output_file, check_output_folder
    from simulator.advice.advise import advise as run_advice
    from simulator.advice.report import discovery_text, terminal_table
    from simulator.advice.valuation import Discount

    discount = with_exit_value(Discount() if discount_rate is None
                               else Discount(discount_rate, "--discount-rate"),
                               exit_multiple, exit_per_weekly_user)
    out = out_dir or Path("runs") / f"advice-{scenario_file.stem}-{firm.replace(' ', '_')}"
    check_output_folder(out, "--out")  # before minutes of runs, not after
    if html_file is not None:
        check_output_file(html_file, "--html")
    console = Console()
    try:
        advice = run_advice(scenario_file, firm, out, moves_file=moves_file, samples=samples,
                            calibration=calibration, horizon=horizon, seed=seed, decide=decide,
                            workers=workers, backend=backend,
                            address=address, discount=discount, console=Console(stderr=True),
                            assignments=assignments)
    except RuntimeError as exc:  # runs that failed: the model's problem, not the input's
        raise click.ClickException(str(exc)) from None
    console.print(terminal_table(advice))
    summary = advice.summary()
    console.print(f"[bold]best expected:[/] {summary['best_expected']}   [bold]robust[/] "
                  f"(least max regret): {summary['robust']}")
    for row in advice.table.head(5).itertuples():
        console.print(f"[bold]{row.move}[/]: {row.drivers}", highlight=False)
    console.print(discovery_text(advice), highlight=False)
    console.print(f"discount rate {advice.discount.annual:.1%} a year: {advice.discount.source}; "
                  f"exit value: {advice.discount.exit_source}; "
                  f"ensemble: {advice.ensemble.source}", style="dim", highlight=False)
    if html_file is not None:
        from plumbing.atomic import write_text
        from simulator.advice.report import render

        write_text(html_file, render(advice))
        console.print(f"wrote {html_file}")
    console.print(f"wrote {out}/ (advice.parquet, members.parquet, advice.json, runs/)")
