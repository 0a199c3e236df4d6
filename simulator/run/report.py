"""A run's outputs: Parquet files (atomic) and the terminal summary tables.

`write_report(result, out_dir)` writes the report's four tables, `<table>.parquet` each,
all together or none (the folder is replaced whole, so it never mixes two runs' files):
`timeseries` (the tidy country table), `firm_months`, `firms` and `runs`, with the schemas,
units and meanings of `simulator.reports.schema` (docs/data_dictionary.md).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
from rich.table import Table

from plumbing.atomic import write_parquet
from plumbing.numbers import compact, compact_money
from plumbing.outputs import check_replaceable_folder
from plumbing.staging import publish, staging_folder
from simulator.reports.aggregates import firm_totals
from simulator.reports.schema import TABLES
from simulator.run import RunResult

REPORT_FILES = tuple(f"{name}.parquet" for name in TABLES)
COMMAND = "simulator run"  # names the report folders it made (plumbing.outputs)


def check_report_folder(out_dir: str | Path, option: str = "--out") -> Path:
    """Refuse, before the run, a folder the report cannot replace as a whole.

    Raises:
        InputError: not a folder that can be written, or one holding anything but a
            previous report of `simulator run` (it would be lost when the new report takes
            its place; `plumbing.outputs.check_replaceable_folder`).
    """
    return check_replaceable_folder(out_dir, COMMAND, "a run's report", option)


def write_report(result: RunResult, out_dir: str | Path) -> dict[str, Path]:
    """Write the run's Parquet files into `out_dir`; returns their paths by name.

    They are written into a staging folder next to it that then replaces `out_dir` whole:
    the folder holds the previous report or this one, never a mix (`plumbing.staging`).
    """
    out = check_report_folder(out_dir)
    with staging_folder(out.absolute().parent) as staging:
        tables = {"runs": result.runs_table(), "firms": result.firms,
                  "firm_months": result.firm_months, "timeseries": result.timeseries}
        for name in TABLES:
            write_parquet(tables[name], staging / f"{name}.parquet")
        publish(staging, out, owner=COMMAND)
    return {name.removesuffix(".parquet"): out / name for name in REPORT_FILES}


def firm_column(table: Table, names: list[str], header: str = "firm") -> None:
    """A left column that shows every firm name whole (never wrapped or cut)."""
    table.add_column(header, no_wrap=True, min_width=max(map(len, names), default=len(header)))


def firm_table(result: RunResult) -> Table:
    """Final users, share, revenue and cash per firm: six columns, so 80 are enough."""
    rows = result.firms.to_pylist()
    table = Table(title=f"{result.scenario.name}: firms after {result.months} months "
                  f"(seed {result.seed})")
    firm_column(table, [row["firm"] for row in rows])
    for column in ("users", "share", "rev/month", "rev total", "cash"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(row["firm"], compact(row["users"]), f"{row['share']:.1%}",
                      compact_money(row["revenue_last_month"]),
                      compact_money(row["revenue_total"]), compact_money(row["cash"]))
    return table


def footprint_table(result: RunResult) -> Table:
    """Where each firm is at the end: home, markets entered, regions localised, exit."""
    rows = result.firms.to_pylist()
    table = Table(title="footprint")
    firm_column(table, [row["firm"] for row in rows])
    table.add_column("home", no_wrap=True)
    table.add_column("markets", justify="right", no_wrap=True)
    table.add_column("localised")
    table.add_column("exit", no_wrap=True)
    for row in rows:
        table.add_row(row["firm"], row["home"], str(row["markets"]), row["localised"] or "-",
                      "-" if row["exit_month"] is None else f"month {row['exit_month']}")
    return table


def region_rows(result: RunResult):
    """Final users, share of the region's users and monthly revenue per firm and region.

    A DataFrame (region, firm, users, share, revenue), regions in order, firms by users.
    """
    series = result.timeseries
    last = series.filter(pc.equal(series["month"], result.months)).to_pandas()
    return firm_totals(last, ["region"]).sort_values(["region", "users"],
                                                     ascending=[True, False])


def region_table(result: RunResult) -> Table:
    """`region_rows` as a table."""
    rows = region_rows(result)
    table = Table(title="by region (last month)")
    table.add_column("region", no_wrap=True)
    firm_column(table, list(rows["firm"]))
    for column in ("users", "share", "revenue/month"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows.itertuples():
        table.add_row(row.region, row.firm, compact(row.users), f"{row.share:.1%}",
                      compact_money(row.revenue))
    return table


def economics_table(result: RunResult) -> Table:
    """Each firm's derived unit economics: six columns, so 80 are enough with whole names.

    What localising costs is `localisation_table`'s; which regions a firm localised, the
    footprint's.
    """
    table = Table(title="unit economics at month 1's prices; serving and API in $ per "
                  "million tokens (simulator.compute)")
    firm_column(table, [row["firm"] for row in result.unit_economics])
    table.add_column("params", justify="right", no_wrap=True)
    table.add_column("tokenizer", no_wrap=True)
    for column in ("serving", "API", "training"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in result.unit_economics:
        table.add_row(
            row["firm"], compact(row["active_params"]), row["tokenizer"],
            f"{row['serving_usd_per_1m_tokens']:.2f}", f"{row['api_usd_per_1m_tokens']:.2f}",
            compact_money(row["training_run_usd"]),
        )
    return table


def localisation_table(result: RunResult) -> Table:
    """What localising each region would cost each firm (continued pre-training + post-training)."""
    rows = result.unit_economics
    table = Table(title="localising a region: cost at month 1's prices (months on the cluster)")
    table.add_column("region", no_wrap=True)
    for row in rows:
        table.add_column(row["firm"], justify="right", min_width=len(row["firm"]))
    regions = list(rows[0]["localisation_usd"]) if rows else []
    for region in regions:
        table.add_row(region, *(f"{compact_money(row['localisation_usd'][region])} "
                                f"({row['localisation_months'][region]} mo)" for row in rows))
    return table
