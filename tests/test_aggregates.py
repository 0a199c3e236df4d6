"""Derived figures (simulator.reports.aggregates): shares, concentration, totals, final KPIs.

Theory: shares of a partition (the firms of one market) add up to one; the Herfindahl-
Hirschman index of n equal firms is 1/n and of a monopoly 1 (Hirschman 1964; the US
merger guidelines' measure). The report tables must agree with each other: a firm's
monthly totals are the sums of its country rows, its final KPIs its last firm-month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sim_profiles import firm_toml, scenario_file

from simulator.reports.aggregates import KPIS, final_kpis, firm_totals, hhi, share
from simulator.run import load_scenario, run_scenario


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Country, firm-month and firms tables of a two-year run of three firms."""
    firms = [firm_toml("Alpha", "US"), firm_toml("Beta", "DE"), firm_toml("Gamma", "JP")]
    path = scenario_file(tmp_path_factory.mktemp("agg"), ["DE", "FR", "US", "JP", "BR"],
                         firms, months=24)
    result = run_scenario(load_scenario(path), seed=4)
    return (result.timeseries.to_pandas(), result.firm_months.to_pandas(),
            result.firms.to_pandas())


@pytest.mark.parametrize("n", [1, 2, 5, 40])
def test_hhi_of_n_equal_firms_is_one_over_n(n):
    assert hhi(np.full(n, 3.5e6)) == pytest.approx(1 / n)
    assert hhi(np.r_[7.0, np.zeros(n)]) == pytest.approx(1.0)  # a monopoly
    assert hhi(np.zeros(n)) == 0.0  # no users yet: no concentration to measure


def test_share_is_zero_where_nobody_is_without_a_warning():
    with np.errstate(all="raise"):
        got = share(np.array([[1.0, 0.0], [3.0, 0.0]]), np.array([4.0, 0.0]))
    assert got.tolist() == [[0.25, 0.0], [0.75, 0.0]]


def test_shares_of_each_market_add_up_to_one(tables):
    countries, firm_months, _ = tables
    reached = countries.groupby(["month", "country"]).filter(lambda g: g.users.sum() > 0)
    sums = reached.groupby(["month", "country"])["share"].sum()
    assert len(sums) > 0 and np.allclose(sums, 1.0)
    monthly = firm_months.groupby("month")[["users", "share"]].sum()
    assert np.allclose(monthly.share[monthly.users > 0], 1.0)
    regions = firm_totals(countries[countries.month == countries.month.max()], ["region"])
    assert np.allclose(regions.groupby("region")["share"].sum(), 1.0)


def test_firm_months_are_the_sums_of_the_country_rows(tables):
    countries, firm_months, _ = tables
    summed = firm_totals(countries, ["month"]).set_index(["month", "firm"])
    written = firm_months.set_index(["month", "firm"]).loc[summed.index]
    for column in ("users", "revenue", "serving_cost", "salaries", "tokens", "share"):
        assert np.allclose(written[column], summed[column], rtol=1e-12, atol=1e-6), column
    # Every firm every month, whether or not it has touched a country yet.
    assert len(firm_months) == firm_months.firm.nunique() * firm_months.month.nunique() == 72


def test_final_kpis_are_the_last_firm_month_and_the_runs_sum(tables):
    _, firm_months, firms = tables
    kpis = final_kpis(firm_months).droplevel("run_id")
    written = firms.set_index("firm")
    for kpi in (*KPIS, "revenue_last_month", "markets"):
        assert np.allclose(kpis.loc[written.index, kpi], written[kpi]), kpi
    last = firm_months[firm_months.month == 24].set_index("firm")
    assert np.allclose(kpis.loc[last.index, "cash"], last.cash)
    assert np.allclose(kpis["revenue_total"], firm_months.groupby("firm").revenue.sum()
                       .loc[kpis.index])
