"""`simulator countries`: every country for one firm, as the model sees it, and what advice says."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from simulator.reports.attractiveness import SORT_KEYS


@click.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--firm", required=True, help="The firm (a firm name of the scenario).")
@click.option("--advice", "advice_dir", type=click.Path(file_okay=False, path_type=Path),
              help="A `simulator advise` folder for the firm: its best move per country.")
@click.option("--sort", type=click.Choice(SORT_KEYS), default="revenue_potential",
              show_default=True, help="Column to sort by (largest first; codes A to Z).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The HTML page to write.")
def countries(scenario_file: Path, firm: str, advice_dir: Path | None, sort: str,
              html_file: Path) -> None:
    """Write a page of every country for a firm, as the model sees it.

    Per country: market size and growth, rivals present, token premium and language quality
    for the firm, regulation and delays, data residency, distance from home, and the
    advice's best move there (with --advice).

    Example: `simulator countries data/scenarios/default.toml --firm "Euro Challenger"
    --advice runs/advice --html runs/countries.html`
    """
    from plumbing.atomic import write_text
    from plumbing.outputs import check_output_file
    from simulator.reports.attractiveness import advice_rows, country_table
    from simulator.reports.attractiveness_html import render
    from simulator.run import load_scenario

    check_output_file(html_file, "--html")
    scenario = load_scenario(scenario_file)
    rows = advice_rows(advice_dir, firm) if advice_dir is not None else None
    table = country_table(scenario, firm, rows, None if advice_dir is None else str(advice_dir))
    write_text(html_file, render(table, sort, descending=sort not in ("iso2", "status")))
    click.echo(f"wrote {html_file} ({len(table.rows)} countries for {firm})")
