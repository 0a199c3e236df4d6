"""Reports as data: a run folder and a batch folder read with the tools researchers use.

DuckDB, polars and pandas open them as written (no quoting, no schema hints); a firm-level
figure is in the firm-month table once, so SQL sums give totals; every field has a unit;
`simulator run` and `simulator batch` write one `runs` schema; the data dictionary in the
docs is the schema's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
from batch_sweeps import tiny_sweep

from simulator.batch import run_batch
from simulator.batch.store import PARTITION
from simulator.reports.schema import SCHEMAS, TABLES, data_dictionary
from simulator.run import load_scenario, run_scenario
from simulator.run.report import write_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    """A run's report folder and a batch folder (2 strategies x 2 points x 1 seed)."""
    base = tmp_path_factory.mktemp("reports")
    sweep = tiny_sweep(base, design='{ kind = "latin", samples = 2 }', seeds=1, broken=False)
    run = write_report(run_scenario(load_scenario(base / "scenario.toml"), seed=3),
                       base / "run")["runs"].parent
    run_batch(sweep, base / "batch", workers=1)
    return run, base / "batch"


def test_duckdb_reads_the_run_folder_and_the_batch_root_without_quoting(folders):
    run, batch = folders
    for table in TABLES:
        assert duckdb.sql(f"SELECT count(*) FROM '{run}/{table}.parquet'").fetchall()[0][0] > 0
    # The batch root is one dataset: its tables are partitions of it.
    counts = dict(duckdb.sql(
        f"SELECT table_name, count(DISTINCT run_id) FROM read_parquet('{batch}/*/*.parquet', "
        "hive_partitioning = true, union_by_name = true) GROUP BY table_name").fetchall())
    assert counts == {table: 4 for table in TABLES}
    # The README's example query.
    medians = dict(duckdb.sql(f"SELECT strategy, median(users) FROM "
                              f"'{batch}/table_name=runs/*.parquet' GROUP BY strategy").fetchall())
    assert set(medians) == {"eu-early", "eu-late"} and min(medians.values()) > 0
    # Firm-level figures joined to country rows: one cash per firm-month, no double counting.
    rows = duckdb.sql(
        f"SELECT f.run_id, f.month, f.firm, f.cash, f.revenue, sum(t.revenue) AS country_revenue "
        f"FROM '{batch}/{PARTITION}=firm_months/*.parquet' f "
        f"JOIN '{batch}/{PARTITION}=timeseries/*.parquet' t USING (run_id, month, firm) "
        "GROUP BY ALL").df()
    assert len(rows) > 0
    assert (rows["revenue"] - rows["country_revenue"]).abs().max() <= 1e-6 * rows["revenue"].max()


def test_sum_of_cash_per_firm_month_is_the_firms_cash(folders):
    run, _ = folders
    summed = duckdb.sql(f"SELECT firm, month, sum(cash) AS cash FROM '{run}/firm_months.parquet'"
                        " GROUP BY firm, month").df().set_index(["firm", "month"])["cash"]
    firms = pq.read_table(run / "firms.parquet").to_pandas().set_index("firm")
    last = summed.index.get_level_values("month").max()
    for firm, row in firms.iterrows():
        assert summed[(firm, last)] == pytest.approx(row["cash"], rel=1e-12)
    country = pq.read_schema(run / "timeseries.parquet").names
    assert "cash" not in country and "training_spend" not in country  # firm-level only


def test_polars_and_pandas_read_both_folders_with_real_dates(folders):
    run, batch = folders
    for table in TABLES:
        frame = pl.read_parquet(run / f"{table}.parquet")
        shards = pl.read_parquet(batch / f"{PARTITION}={table}" / "*.parquet")
        assert frame.columns == SCHEMAS[table].names
        assert [c for c in shards.columns if c != PARTITION] == SCHEMAS[table].names
        assert pd.read_parquet(batch / f"{PARTITION}={table}").shape[0] == shards.height
    for table in ("timeseries", "firm_months"):
        assert pd.api.types.is_datetime64_any_dtype(pd.read_parquet(run / f"{table}.parquet")
                                                    ["date"])
        assert pl.read_parquet(run / f"{table}.parquet")["date"].dtype.is_temporal()
    # The root holds only the tables' partitions and the bookkeeping dataset readers skip.
    listed = sorted(p.name for p in batch.iterdir() if not p.name.startswith("."))
    assert listed == ["_batch", *sorted(f"{PARTITION}={table}" for table in TABLES)]
    assert not any("." in name for schema in SCHEMAS.values() for name in schema.names)


def test_every_field_has_a_unit_in_its_arrow_metadata(folders):
    run, batch = folders
    for table in TABLES:
        for path in (run / f"{table}.parquet",
                     next((batch / f"{PARTITION}={table}").glob("*.parquet"))):
            schema = pq.read_schema(path)
            assert schema.names == SCHEMAS[table].names, path
            for field in schema:
                assert field.metadata and field.metadata.get(b"unit"), (path, field.name)
    money = pq.read_schema(run / "firm_months.parquet").field("cash").metadata[b"unit"]
    assert money == b"USD"


def test_run_and_batch_write_one_runs_schema(folders):
    run, batch = folders
    single = pq.read_schema(run / "runs.parquet")
    shard = pq.read_schema(next((batch / f"{PARTITION}=runs").glob("*.parquet")))
    assert single.equals(shard, check_metadata=False) and single.equals(SCHEMAS["runs"])
    # Parameters are a map in both (a sweep's parameter names would make columns differ).
    values = duckdb.sql(f"SELECT parameters['token_premium_scale'] AS v "
                        f"FROM '{batch}/{PARTITION}=runs/*.parquet'").df()["v"]
    assert values.between(0.5, 1.5).all() and values.nunique() == 2


def test_the_data_dictionary_in_the_docs_is_the_schemas():
    committed = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), ("docs/data_dictionary.md is stale: run "
                                            "python -m simulator.reports.schema "
                                            "docs/data_dictionary.md")
    for table, schema in SCHEMAS.items():
        assert f"## {table}" in committed
        assert all(f"| `{name}` |" in committed for name in schema.names)
