"""The `simulator report` command: what a batch folder says, in the terminal or as HTML."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from plumbing.numbers import compact
from simulator.reports.aggregates import KPIS

REPORT_SCHEMA = (
    '{"folder", "sweep", "runs": int (finished), "runs_planned": int, "failed": int, '
    '"design", "points", "seeds", "focus_firm", "strategy", "kpi", "kpis": [{"strategy", '
    '"kpi", "p10", "median", "p90", "runs"}], "regions": [{"region", "strategy", "share", '
    '"runner_up_share": float|null, "revenue"}], "sobol": [{"strategy", "kpi", "parameter", '
    '"S1", "S1_conf", "ST", "ST_conf"}], "discovery": {outcome: {"limits": {parameter: '
    '[low, high]}, "restricted": [parameter], "coverage", "density", "mass", '
    '"base_density", ...}}, "html": path|null}'
)


def _range(low: float, high: float) -> str:
    return f"{compact(low, 2)} .. {compact(high, 2)}"


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--html", "html_file", type=click.Path(path_type=Path),
              help="Also write a self-contained HTML page with tables and charts.")
@click.option("--strategy", help="Strategy for scenario discovery (default: the first).")
@click.option("--kpi", type=click.Choice(KPIS),
              default="revenue_total", show_default=True,
              help="KPI that decides which strategy wins, for scenario discovery.")
@json_option(REPORT_SCHEMA)
def report(folder: Path, html_file: Path | None, strategy: str | None, kpi: str,
           as_json: bool) -> None:
    """Summarise a batch folder: KPIs per strategy, best strategy per region, sensitivity.

    Shows the median and 10th/90th percentiles of the focus firm's final KPIs per strategy,
    the best strategy per region, Sobol' indices (Sobol designs) and PRIM scenario discovery.

    Example: `simulator report sweeps/eu`, `simulator report sweeps/eu --html eu.html`,
    `simulator report sweeps/eu --json | jq '.kpis[] | select(.kpi == "users")'`
    """
    from rich.console import Console
    from rich.table import Table

    from plumbing.errors import InputError
    from plumbing.outputs import check_output_file
    from simulator.reports import analysis

    if html_file is not None:
        check_output_file(html_file, "--html")  # before the analysis, not after it
    batch = analysis.Batch(folder)
    if strategy is not None and strategy not in batch.strategies:
        raise InputError(f"--strategy: expected one of {', '.join(batch.strategies)}, "
                         f"got {strategy!r}")
    strategy = strategy or batch.strategies[0]
    meta = batch.metadata
    console = Console(stderr=as_json)  # with --json, stdout holds only the document
    failed = int((batch.runs["status"] != "ok").sum())
    console.print(f"[bold]{meta['sweep']['name']}[/] ({meta['sweep']['path']}): "
                  f"{len(batch.runs)}/{meta['runs']} runs finished, {failed} failed; "
                  f"design {meta['design']['kind']}, {meta['points']} points x "
                  f"{meta['seeds']} seeds; KPIs of {meta['focus_firm']}")
    if batch.ok.empty and as_json:
        echo_json(_document(folder, batch, strategy, kpi, {}, {}, None))
        return
    if batch.ok.empty:
        errors = batch.runs["error"].dropna() if "error" in batch.runs else []
        console.print("no run finished ok: nothing to report" +
                      (f"; first error: {errors.iloc[0]}" if len(errors) else ""))
        return
    tables = {"kpis": analysis.kpi_distributions(batch), "regions": analysis.best_by_region(batch),
              "sobol": analysis.sobol_indices(batch)}
    boxes = analysis.discover(batch, strategy, kpi)
    if as_json:
        if html_file is not None:
            _write_html(html_file, batch, tables, boxes, strategy, kpi)
        echo_json(_document(folder, batch, strategy, kpi, tables, boxes, html_file))
        return

    kpis = Table(title="Final KPIs per strategy across seeds and design points")
    for column in ("strategy", "kpi", "10th pct", "median", "90th pct", "runs"):
        kpis.add_column(column, justify="left" if column in ("strategy", "kpi") else "right")
    for r in tables["kpis"].itertuples():
        kpis.add_row(r.strategy, r.kpi, compact(r.p10, 2), compact(r.median, 2), compact(r.p90, 2),
                     str(r.runs), end_section=r.kpi == KPIS[-1])
    console.print(kpis)

    if not tables["regions"].empty:
        regions = Table(title="Best strategy per region (median final share of the region's users)")
        for column in ("region", "best strategy", "share", "runner-up share", "revenue/month"):
            regions.add_column(column)
        for r in tables["regions"].itertuples():
            regions.add_row(r.region, r.strategy, f"{r.share:.1%}",
                            "-" if r.runner_up_share != r.runner_up_share
                            else f"{r.runner_up_share:.1%}", compact(r.revenue, 2))
        console.print(regions)

    if not tables["sobol"].empty:
        sobol = Table(title="Sobol' indices: first order S1 / total order ST (+- 95% conf.)")
        for column in ("strategy", "kpi", "parameter", "S1", "ST"):
            sobol.add_column(column, overflow="fold")
        for r in tables["sobol"].itertuples():
            sobol.add_row(r.strategy, r.kpi, r.parameter, f"{r.S1:.2f} +- {r.S1_conf:.2f}",
                          f"{r.ST:.2f} +- {r.ST_conf:.2f}")
        console.print(sobol)

    if boxes:
        prim = Table(title=f"Scenario discovery (PRIM): where {strategy} wins or does worst "
                           f"on {kpi}")
        for column in ("outcome", "parameter ranges (quasi-p)", "coverage", "density", "mass",
                       "base rate"):
            prim.add_column(column)
        for outcome, box in boxes.items():
            ranges = "; ".join(f"{n} in {_range(*box.limits[n])} ({box.significance(n)})"
                               for n in box.restricted)
            prim.add_row(outcome, ranges or "(anywhere: no range stands out)",
                         f"{box.coverage:.0%}", f"{box.density:.0%}", f"{box.mass:.0%}",
                         f"{box.base_density:.0%}")
        console.print(prim)
        console.print("  quasi-p: one-sided binomial test of each restriction against the box "
                      "without it (EMA Workbench's); boxes hold at least "
                      f"{min(b.min_mass for b in boxes.values()):.0%} of the runs")
    elif batch.parameters:
        console.print(f"scenario discovery: {strategy}'s {kpi} neither varies across its runs "
                      "nor decides a winner (or too few runs finished): no range to find; "
                      "try another --kpi")

    if html_file is not None:
        _write_html(html_file, batch, tables, boxes, strategy, kpi)
        console.print(f"wrote {html_file}")


def _write_html(html_file: Path, batch, tables: dict, boxes: dict, strategy: str,
                kpi: str) -> None:
    from plumbing.atomic import write_text
    from simulator.reports.html import render

    write_text(html_file, render(batch, tables, boxes, strategy, kpi))


def _document(folder: Path, batch, strategy: str, kpi: str, tables: dict, boxes: dict,
              html_file: Path | None) -> dict:
    """What `simulator report` prints, as data (REPORT_SCHEMA)."""
    import dataclasses

    meta = batch.metadata
    return {"folder": folder, "sweep": meta["sweep"]["name"], "runs": len(batch.runs),
            "runs_planned": meta["runs"], "failed": int((batch.runs["status"] != "ok").sum()),
            "design": meta["design"], "points": meta["points"], "seeds": meta["seeds"],
            "focus_firm": meta["focus_firm"], "strategy": strategy, "kpi": kpi,
            **{name: tables.get(name, []) for name in ("kpis", "regions", "sobol")},
            "discovery": {outcome: dataclasses.asdict(box) for outcome, box in boxes.items()},
            "html": html_file}
