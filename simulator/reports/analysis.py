"""What a batch folder says: KPI distributions, best strategies, sensitivity, scenario discovery.

All figures are about the sweep's focus firm (metadata `focus_firm`), across the runs that
finished with status ok:

- `kpi_distributions`: per strategy, the 10th percentile, median and 90th percentile of its
  final users, share, total revenue and cash across seeds and design points.
- `best_by_region`: per region, the strategy with the highest median final share of the
  region's users (DuckDB sums over the timeseries shards, shares by `simulator.reports.aggregates`).
- `over_time`: per strategy and month, percentiles of the firm's revenue and share of users
  (the firm-month table's, as the recorder wrote them).
- `sobol_indices`: first and total order Sobol' indices of each KPI to each parameter
  (`SALib.analyze.sobol`, KPI averaged over the seeds of a design point); Sobol designs only.
- `discover`: scenario discovery with PRIM (`simulator.reports.prim`): the parameter ranges in which
  a strategy wins (has the best KPI of all strategies on the same point and seed) or fails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from plumbing.errors import InputError
from simulator.batch.design import salib_problem
from simulator.batch.store import METADATA, read_metadata, read_table, shard_path
from simulator.reports.aggregates import KPIS, share
from simulator.reports.prim import PrimBox, peel

PERCENTILES = (0.1, 0.5, 0.9)


class Batch:
    """A batch folder's metadata and its finished runs, read once."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.metadata = read_metadata(self.folder)
        if self.metadata is None:
            raise InputError(f"{self.folder}: not a batch folder (no {METADATA}); "
                             "expected the --out folder of `simulator batch`")
        runs = read_table(self.folder, "runs")
        self.runs = runs.to_pandas() if runs.num_columns else pd.DataFrame(
            columns=["run_id", "strategy", "status", "parameters", *KPIS])
        # One column per uncertain parameter (the runs table keeps them in a map).
        values = pd.DataFrame([dict(m) for m in self.runs["parameters"]],
                              index=self.runs.index, columns=self.parameters, dtype=float)
        self.runs = pd.concat([self.runs.drop(columns="parameters"), values], axis=1)
        self.ok = self.runs[self.runs["status"] == "ok"]

    @property
    def parameters(self) -> list[str]:
        """Names of the uncertain parameters, in design column order."""
        return [p["name"] for p in self.metadata["parameters"]]

    @property
    def strategies(self) -> list[str]:
        """Strategy variant names, in the sweep file's order."""
        return list(self.metadata["variants"])

    def glob(self, table: str) -> str:
        """The DuckDB glob of a table's shards."""
        return str(shard_path(self.folder, table, 0).with_name("*.parquet"))


def kpi_distributions(batch: Batch) -> pd.DataFrame:
    """Rows (strategy, kpi) with runs, p10, median and p90 across finished runs."""
    rows = []
    for strategy in batch.strategies:
        runs = batch.ok[batch.ok["strategy"] == strategy]
        failed = int(((batch.runs["strategy"] == strategy) & (batch.runs["status"] != "ok")).sum())
        for kpi in KPIS:
            values = runs[kpi].astype(float).to_numpy()
            q = np.quantile(values, PERCENTILES) if values.size else [np.nan] * 3
            rows.append({"strategy": strategy, "kpi": kpi, "runs": int(values.size),
                         "failed": failed, "p10": q[0], "median": q[1], "p90": q[2]})
    return pd.DataFrame(rows)


def _query(batch: Batch, sql: str) -> pd.DataFrame:
    import duckdb

    if batch.ok.empty or not any(shard_path(batch.folder, "timeseries", 0).parent
                                 .glob("*.parquet")):
        return pd.DataFrame()
    with duckdb.connect() as con:
        con.register("runs", batch.ok[["run_id", "strategy"]])
        con.execute("SET threads TO 2")
        try:
            return con.execute(sql.format(ts=batch.glob("timeseries"),
                                          fm=batch.glob("firm_months")),
                               {"firm": batch.metadata["focus_firm"]}).df()
        except duckdb.Error as error:  # a damaged shard: DuckDB's message names the file

            raise InputError(f"{batch.folder}: cannot read the Parquet shards: {error}; "
                             "run the same `simulator batch` command again to redo damaged "
                             "runs") from None


def best_by_region(batch: Batch) -> pd.DataFrame:
    """Per region: the strategy with the highest median final share, its share and revenue."""
    per_run = _query(batch, """
        WITH last AS (SELECT run_id, max(month) AS month FROM '{ts}' GROUP BY run_id)
        SELECT r.strategy, t.run_id, t.region,
               coalesce(sum(t.users) FILTER (WHERE t.firm = $firm), 0) AS users,
               sum(t.users) AS region_users,
               coalesce(sum(t.revenue) FILTER (WHERE t.firm = $firm), 0) AS revenue
        FROM '{ts}' t JOIN last USING (run_id, month) JOIN runs r USING (run_id)
        GROUP BY ALL""")
    if per_run.empty:
        return per_run
    per_run["share"] = share(per_run["users"].to_numpy(), per_run["region_users"].to_numpy())
    medians = (per_run.groupby(["region", "strategy"], as_index=False)
               .agg(share=("share", "median"), revenue=("revenue", "median"),
                    runs=("run_id", "count")))
    best = medians.sort_values(["region", "share", "strategy"], ascending=[True, False, True])
    best = best.groupby("region", as_index=False).head(1)
    second = medians.groupby("region")["share"].apply(
        lambda s: s.nlargest(2).iloc[-1] if len(s) > 1 else np.nan).rename("runner_up_share")
    return best.merge(second.reset_index(), on="region").reset_index(drop=True)


def over_time(batch: Batch) -> pd.DataFrame:
    """Per strategy and month: p10, median, p90 of the firm's revenue and share of users."""
    return _query(batch, """
        SELECT r.strategy, f.month,
               quantile_cont(f.revenue, 0.1) AS revenue_p10, median(f.revenue) AS revenue_median,
               quantile_cont(f.revenue, 0.9) AS revenue_p90,
               quantile_cont(f.share, 0.1) AS share_p10, median(f.share) AS share_median,
               quantile_cont(f.share, 0.9) AS share_p90
        FROM '{fm}' f JOIN runs r USING (run_id) WHERE f.firm = $firm
        GROUP BY r.strategy, f.month ORDER BY r.strategy, f.month""")


def sobol_indices(batch: Batch) -> pd.DataFrame:
    """Rows (strategy, kpi, parameter, S1, S1_conf, ST, ST_conf); empty unless a Sobol design."""
    from SALib.analyze import sobol

    design = batch.metadata["design"]
    if design["kind"] != "sobol" or not batch.parameters:
        return pd.DataFrame()
    ranges = {p["name"]: (p["low"], p["high"]) for p in batch.metadata["parameters"]}
    problem = salib_problem(ranges)
    rows = []
    for strategy in batch.strategies:
        runs = batch.runs[batch.runs["strategy"] == strategy]
        means = runs.groupby("point")[list(KPIS)].mean()
        if len(means) != batch.metadata["points"] or runs["status"].ne("ok").any():
            continue  # Saltelli's estimator needs every point of the design
        for kpi in KPIS:
            y = means[kpi].sort_index().to_numpy(dtype=float)
            if np.allclose(y, y[0]):
                continue  # a constant KPI has no variance to apportion
            result = sobol.analyze(problem, y, calc_second_order=design["second_order"],
                                   seed=batch.metadata["seed"])
            for i, name in enumerate(problem["names"]):
                rows.append({"strategy": strategy, "kpi": kpi, "parameter": name,
                             "S1": result["S1"][i], "S1_conf": result["S1_conf"][i],
                             "ST": result["ST"][i], "ST_conf": result["ST_conf"][i]})
    return pd.DataFrame(rows)


def wins(batch: Batch, strategy: str, kpi: str) -> pd.DataFrame:
    """Per (point, replicate): parameter values and whether `strategy` had the best `kpi`."""
    table = batch.ok.pivot_table(index=["point", "replicate"], columns="strategy", values=kpi)
    table = table.dropna()
    if strategy not in table.columns or table.empty:
        return pd.DataFrame()
    others = table.drop(columns=[strategy])
    won = table[strategy] > (others.max(axis=1) if len(others.columns) else -np.inf)
    values = batch.ok.drop_duplicates(["point", "replicate"]).set_index(["point", "replicate"])
    frame = values.loc[table.index, batch.parameters].copy()
    frame["wins"] = won.to_numpy()
    return frame.reset_index()


def discover(batch: Batch, strategy: str, kpi: str = "revenue_total",
             worst_share: float = 0.25) -> dict[str, PrimBox]:
    """PRIM boxes: where `strategy` wins, and where its `kpi` is in its worst quarter.

    Winning is computed only where the strategy wins somewhere but not everywhere; the worst
    quarter of its own runs is the classic outcome of interest of scenario discovery
    (Bryant and Lempert 2010: the cases where a policy performs poorly).
    """
    boxes: dict[str, PrimBox] = {}
    if not batch.parameters:
        return boxes
    frame = wins(batch, strategy, kpi)
    if not frame.empty and frame["wins"].nunique() == 2:
        x = frame[batch.parameters].to_numpy(dtype=float)
        boxes["wins"] = peel(x, frame["wins"].to_numpy(dtype=bool), batch.parameters)
    runs = batch.ok[batch.ok["strategy"] == strategy]
    values = runs[kpi].to_numpy(dtype=float)
    if values.size >= 4 and np.ptp(values) > 0:
        worst = values <= np.quantile(values, worst_share)
        boxes[f"worst {worst_share:.0%}"] = peel(runs[batch.parameters].to_numpy(dtype=float),
                                                 worst, batch.parameters)
    return boxes
