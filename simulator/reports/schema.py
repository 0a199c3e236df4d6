"""The Reports contract's tables: their Arrow schemas, each field's unit and meaning.

A run's report and a batch hold the same four tables (DESIGN, "Reports"):
- `runs`: one row per run (ids, seed, parameters, the focus firm's final KPIs, totals); one
  schema for `simulator run` and `simulator batch`;
- `firms`: one row per firm and run, its final KPIs;
- `firm_months`: one row per firm, run and month: the firm-level figures (cash, training)
  and the firm's totals over countries, written once per firm-month;
- `timeseries`: the tidy country table, one row per (run, month, firm, country) the firm has
  touched: users, share, revenue, costs and headcount in that country. Firm-level figures
  are not repeated here, so a SUM over its rows is always a total.

Every field carries `unit` and `description` in its Arrow field metadata; column names are
plain identifiers (no quoting in SQL); `date` is a timestamp (pandas reads datetime64).
`python -m simulator.reports.schema docs/data_dictionary.md` writes the data dictionary
from these schemas (a test checks the committed file matches).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa

USD = "USD"
USD_MONTH = "USD in the month"
TABLES = ("runs", "firms", "firm_months", "timeseries")


def _field(name: str, kind: pa.DataType, unit: str, description: str) -> pa.Field:
    return pa.field(name, kind, metadata={"unit": unit, "description": description})


def _ids(*, country: bool) -> list[pa.Field]:
    fields = [
        _field("run_id", pa.string(), "id", "the run (`runs.run_id`)"),
        _field("month", pa.int32(), "month", "simulated month, 1 = the scenario's start"),
        # A timestamp, not date32: pandas reads date32 as Python objects.
        _field("date", pa.timestamp("ms"), "date", "first day of the calendar month"),
        _field("firm", pa.string(), "name", "the firm, as the scenario names it"),
    ]
    if country:
        fields += [_field("country", pa.string(), "ISO 3166-1 alpha-2", "the country"),
                   _field("region", pa.string(), "region id",
                          "the country's region in summaries (eu, na, latam, ...)")]
    return fields


def _flows(where: str) -> list[pa.Field]:
    return [
        _field("revenue", pa.float64(), USD_MONTH, f"revenue {where}, consumer and API"),
        _field("api_revenue", pa.float64(), USD_MONTH,
               f"the API/enterprise segment's part of revenue {where}"),
        _field("serving_cost", pa.float64(), USD_MONTH, f"compute to serve the tokens {where}"),
        _field("tokens", pa.float64(), "tokens in the month",
               f"tokens served {where}, consumer and API"),
        _field("api_tokens", pa.float64(), "tokens in the month", "the API's part of tokens"),
        _field("paying_users", pa.float64(), "users",
               f"consumers paying for the firm's tiers, full and lite, {where} (active users x "
               "paying shares)"),
        _field("localisation_spend", pa.float64(), USD_MONTH,
               f"continued pre-training of localised models booked {where}"),
        _field("talent_headcount", pa.float64(), "people", f"people the firm employs {where}"),
        _field("salaries", pa.float64(), USD_MONTH, f"pay of the people employed {where}"),
        _field("compliance_spend", pa.float64(), USD_MONTH,
               f"regulatory compliance costs {where}"),
        _field("commitment_spend", pa.float64(), USD_MONTH,
               f"set-up and running costs of the establishments {where} (offices included)"),
    ]


TIMESERIES_SCHEMA = pa.schema([
    *_ids(country=True),
    _field("users", pa.float64(), "users", "the firm's users in the country at the month's end"),
    _field("share", pa.float64(), "fraction 0-1",
           "the firm's users over all firms' users in the country (simulator.reports.aggregates)"),
    *_flows("in the country"),
    _field("commitment", pa.int8(), "level 0-4",
           "establishment-chain level in the country, 0 absent .. 4 local lab"),
])

FIRM_MONTHS_SCHEMA = pa.schema([
    *_ids(country=False),
    _field("cash", pa.float64(), USD, "the firm's cash at the month's end"),
    _field("training_spend", pa.float64(), USD_MONTH,
           "frontier training compute (firm-level, in no country table row)"),
    _field("equity_raised", pa.float64(), USD_MONTH,
           "equity raised in a funding round this month (firm-level)"),
    _field("parent_funding", pa.float64(), USD_MONTH,
           "the parent's transfer covering the month's loss, up to its cap (firm-level)"),
    _field("users", pa.float64(), "users", "the firm's users over all countries"),
    _field("share", pa.float64(), "fraction 0-1",
           "the firm's users over all firms' users in the run's countries"),
    *_flows("over all countries"),
    _field("markets", pa.int32(), "countries", "countries at establishment level 1 or more"),
])

FIRMS_SCHEMA = pa.schema([
    _field("run_id", pa.string(), "id", "the run (`runs.run_id`)"),
    _field("firm", pa.string(), "name", "the firm, as the scenario names it"),
    _field("home", pa.string(), "ISO 3166-1 alpha-2", "the firm's home country"),
    _field("users", pa.float64(), "users", "users at the last month"),
    _field("share", pa.float64(), "fraction 0-1",
           "of all firms' users in the run's countries at the last month"),
    _field("revenue_last_month", pa.float64(), USD_MONTH, "revenue of the last month"),
    _field("revenue_total", pa.float64(), USD, "revenue summed over the run"),
    _field("cash", pa.float64(), USD, "cash at the end of the last month"),
    _field("markets", pa.int32(), "countries", "countries at establishment level 1 or more"),
    _field("localised", pa.string(), "region ids",
           "regions whose localised model went live, comma-separated"),
    _field("exit_month", pa.int32(), "month", "the month the firm ran out of cash; null if never"),
])

# The focus firm's final KPIs in a runs row: the firms table's columns of the same names.
FOCUS_KPIS = ("users", "share", "revenue_total", "revenue_last_month", "cash", "markets",
              "localised", "exit_month")

RUNS_SCHEMA = pa.schema([
    _field("run_id", pa.string(), "id", "scenario, seed, months and content hash (run) or "
           "strategy, design point and replicate (batch)"),
    _field("run_index", pa.int32(), "index", "the run's place in its batch (0 for a run)"),
    _field("scenario", pa.string(), "name", "the scenario's name"),
    _field("scenario_source", pa.string(), "path", "the scenario file"),
    _field("strategy", pa.string(), "name", "the sweep's variant (null for a run)"),
    _field("point", pa.int32(), "index", "the design point (null for a run)"),
    _field("replicate", pa.int32(), "index", "the seed's replicate number (null for a run)"),
    _field("seed", pa.int64(), "seed", "the random seed the run used"),
    _field("parameters", pa.map_(pa.string(), pa.float64()), "parameter's own",
           "value of each uncertain parameter of the scenario (or sweep) in this run, "
           "keyed as the scenario's [uncertain] table names it"),
    _field("status", pa.string(), "ok or error", "whether the run finished"),
    _field("error", pa.string(), "text", "the error of a failed run (null when ok)"),
    _field("cancelled", pa.bool_(), "flag", "stopped by the user before its last month"),
    _field("months", pa.int32(), "months", "months simulated"),
    _field("firm", pa.string(), "name", "the focus firm the KPIs below are of (batch: the "
           "sweep's focus_firm; run: the scenario's first firm)"),
    *[f for f in FIRMS_SCHEMA if f.name in FOCUS_KPIS],
    _field("total_users", pa.float64(), "users", "all firms' users at the last month"),
    _field("hhi", pa.float64(), "index 0-1", "Herfindahl index of the firms' user shares"),
    _field("duration_s", pa.float64(), "seconds", "wall time of a batch's run (null for "
           "`simulator run`, whose rows are identical for the same seed)"),
])

SCHEMAS = {"runs": RUNS_SCHEMA, "firms": FIRMS_SCHEMA, "firm_months": FIRM_MONTHS_SCHEMA,
           "timeseries": TIMESERIES_SCHEMA}
ROWS = {"runs": "one row per run", "firms": "one row per firm and run (final KPIs)",
        "firm_months": "one row per firm, run and month (firm-level figures, written once)",
        "timeseries": "one row per run, month, firm and country the firm has touched"}


def data_dictionary() -> str:
    """The data dictionary of the report tables, as Markdown, from the schemas above."""
    lines = ["# Data dictionary: run and batch reports", "",
             "Generated from `simulator/reports/schema.py` by "
             "`python -m simulator.reports.schema docs/data_dictionary.md`; do not edit.", "",
             "A run folder (`simulator run --out DIR`) holds `DIR/<table>.parquet`; a batch "
             "folder (`simulator batch --out DIR`) holds `DIR/table_name=<table>/NNNNNN.parquet`"
             " (one shard per run, hive partitions) and its bookkeeping in `DIR/_batch/`, which"
             " dataset readers skip. Units are also in each field's Arrow metadata (`unit`, "
             "`description`).", "",
             "Reading them: DuckDB `FROM 'DIR/table_name=runs/*.parquet'`, or the whole "
             "root as one dataset with `read_parquet('DIR/*/*.parquet', hive_partitioning="
             "true, union_by_name=true)` and `WHERE table_name = 'runs'`; pandas "
             "`pd.read_parquet('DIR/table_name=runs')`; polars "
             "`pl.read_parquet('DIR/table_name=runs/*.parquet')`. Open one table's folder "
             "with pandas, pyarrow and polars: they take a dataset's columns from its first "
             "file, so the root read with them would give every table the first table's "
             "columns.", ""]
    for name in TABLES:
        lines += [f"## {name}", "", f"{ROWS[name]}.", "", "| column | type | unit | meaning |",
                  "|---|---|---|---|"]
        for field in SCHEMAS[name]:
            meta = {k.decode(): v.decode() for k, v in field.metadata.items()}
            lines.append(f"| `{field.name}` | {field.type} | {meta['unit']} | "
                         f"{meta['description']} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(data_dictionary(), encoding="utf-8")
