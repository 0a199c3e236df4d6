"""Paying users in the run's record: the people consumer revenue bills, read by paying_users."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sim_profiles import firm_toml, scenario_file

from simulator.run import load_scenario, run_scenario

MARKETS = ["DE", "FR", "US", "JP", "BR"]


def run(tmp_path, price: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    firms = [firm_toml("Alpha", "US", pricing=f"{{ usd_per_month = {price} }}"),
             firm_toml("Beta", "DE")]
    path = scenario_file(tmp_path, MARKETS, firms, months=12)
    result = run_scenario(load_scenario(path), seed=4)
    return result.timeseries.to_pandas(), result.firm_months.to_pandas()


@pytest.fixture(scope="module")
def cheap_and_dear(tmp_path_factory):
    return (run(tmp_path_factory.mktemp("cheap"), 10.0),
            run(tmp_path_factory.mktemp("dear"), 40.0))


def test_paying_users_are_some_of_the_users_and_add_up_over_countries(cheap_and_dear):
    countries, months = cheap_and_dear[0]
    assert (countries["paying_users"] >= 0).all()
    assert (countries["paying_users"] <= countries["users"] * 0.4 + 1e-9).all()  # max share
    sums = countries.groupby(["month", "firm"])["paying_users"].sum()
    recorded = months.set_index(["month", "firm"])["paying_users"]
    assert np.allclose(sums.reindex(recorded.index, fill_value=0.0), recorded)
    assert countries["paying_users"].sum() > 0


def test_a_dearer_tier_converts_fewer_users_in_every_country(cheap_and_dear):
    (cheap, _), (dear, _) = cheap_and_dear

    def conversion(table: pd.DataFrame) -> pd.Series:
        last = table[(table["firm"] == "Alpha") & (table["month"] == 12) & (table["users"] > 0)]
        return (last["paying_users"] / last["users"]).set_axis(last["country"])

    low, high = conversion(cheap), conversion(dear)
    assert len(low) >= 3 and (high.reindex(low.index) < low).all()
