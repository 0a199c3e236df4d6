"""Market theory: Bass diffusion against its closed form, logit shares, conservation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_profiles import firm_toml, scenario_file

from simulator import market
from simulator.run import load_scenario, run_scenario

# Sultan, Farley and Lehmann (1990) mean coefficients, per year.
P_YEAR, Q_YEAR = 0.03, 0.38


def test_bass_step_follows_the_closed_form():
    p, q = market.monthly_rate(P_YEAR), market.monthly_rate(Q_YEAR)
    share = np.zeros(1)
    for month in range(1, 241):
        share = market.bass_step(share, p, q)
        assert abs(share[0] - market.bass_adoption(month, p, q)) < 1e-9


def test_bass_closed_form_is_an_s_curve_with_the_known_peak():
    p, q = market.monthly_rate(P_YEAR), market.monthly_rate(Q_YEAR)
    months = np.arange(0, 361)
    adopted = market.bass_adoption(months, p, q)
    new = np.diff(adopted)
    peak = int(np.argmax(new))
    # Bass (1969): adoption peaks at t* = ln(q/p) / (p + q); here ~5.9 years.
    assert abs(peak - np.log(q / p) / (p + q)) < 1.0
    assert adopted[0] == 0 and adopted[-1] > 0.99 and np.all(new > 0)


def test_one_firm_alone_traces_the_bass_curve_within_one_percent(tmp_path):
    firm = firm_toml("Solo", "DE")
    path = scenario_file(tmp_path, ["DE"], [firm], months=120, parameters=(
        f"bass_p_annual = {P_YEAR}\nbass_q_annual = {Q_YEAR}\nchurn_monthly = 0.0\n"))
    result = run_scenario(load_scenario(path))
    series = result.timeseries.to_pandas()
    users = series[series.country == "DE"].sort_values("month")
    from simulator.model import StrategyModel

    addressable = StrategyModel(load_scenario(path)).addressable
    target = addressable.max() * market.bass_adoption(
        users.month.to_numpy(), market.monthly_rate(P_YEAR), market.monthly_rate(Q_YEAR))
    assert np.all(np.abs(users.users.to_numpy() / target - 1.0) < 0.01)
    assert users.users.iloc[-1] > 0.5 * addressable.max()  # the S-curve got well past its middle


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_logit_shares_sum_to_one_where_any_firm_is_present(firms, countries, seed):
    rng = np.random.default_rng(seed)
    utility = rng.normal(0, 3, (firms, countries))
    present = rng.random((firms, countries)) < 0.6
    shares = market.logit_shares(utility, present)
    assert np.all(shares[~present] == 0)
    assert np.allclose(shares.sum(axis=0), present.any(axis=0).astype(float))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 0.3), st.floats(0.0, 1.0))
def test_market_step_never_exceeds_the_addressable_market(seed, churn, switch):
    rng = np.random.default_rng(seed)
    addressable = rng.uniform(0, 1e6, 5)
    present = rng.random((3, 5)) < 0.7
    users = np.zeros((3, 5))
    for _ in range(100):
        utility = rng.normal(0, 1, (3, 5))
        users = market.market_step(users, addressable, present, utility, 0.01, 0.1, churn,
                                   switch, switching_cost=rng.uniform(0, 3))
        assert np.all(users >= -1e-9)
        assert np.all(users.sum(axis=0) <= addressable * (1 + 1e-9))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 5.0))
def test_switchers_are_conserved_and_a_switching_cost_keeps_them(seed, cost):
    rng = np.random.default_rng(seed)
    present = rng.random((3, 4)) < 0.8
    switching = rng.uniform(0, 100, (3, 4)) * present
    utility = rng.normal(0, 1, (3, 4))
    moved = market.switcher_inflow(switching, utility, present, cost)
    has_firm = present.any(axis=0)
    assert np.allclose(moved.sum(axis=0), switching.sum(axis=0) * has_firm)
    # Without a switching cost they choose like new users; with one, more stay where they were.
    free = market.switcher_inflow(switching, utility, present, 0.0)
    assert np.allclose(free, market.logit_shares(utility, present) * switching.sum(axis=0))
    # Switchers who all come from firm 0 stay with it more the higher the cost of leaving.
    everywhere = np.ones((3, 4), dtype=bool)
    from_first = np.zeros((3, 4))
    from_first[0] = 100.0
    stayed = [market.switcher_inflow(from_first, utility, everywhere, c)[0].sum()
              for c in (0.0, cost, cost + 1.0)]
    assert stayed[0] <= stayed[1] + 1e-9 <= stayed[2] + 2e-9 <= 400.0 + 3e-9


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(1e-8, 1e-5), min_size=1, max_size=6), st.floats(0.0, 5.0))
def test_api_prices_are_cost_plus_the_dearest_held_to_the_next_never_below_cost(costs, markup):
    from simulator.economics import api_prices

    cost = np.array(costs)
    prices = api_prices(cost, markup)
    target = cost * (1 + markup)
    assert np.all(prices >= cost * (1 - 1e-12))
    order = np.argsort(target, kind="stable")
    for f in order[:-1]:
        assert prices[f] == pytest.approx(target[f])  # every firm but the dearest: cost-plus
    if cost.size > 1:  # the dearest: the next dearest one's price, or its own cost
        dearest, runner_up = order[-1], order[-2]
        assert prices[dearest] == pytest.approx(max(cost[dearest], target[runner_up]))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 3.0), st.floats(1.05, 4.0))
def test_a_dearer_character_buys_less_api_revenue_when_demand_is_elastic(elasticity, premium):
    from simulator.economics import api_revenue

    share, spend = np.ones((1, 1)), np.array([1e6])
    cheap = api_revenue(share, spend, np.array([[1e-6]]), 1e-6, elasticity)
    dear = api_revenue(share, spend, np.array([[1e-6 * premium]]), 1e-6, elasticity)
    # Revenue moves with price^(1 - elasticity): down when demand is elastic, up when not.
    assert (dear < cheap) == (elasticity > 1.0) or elasticity == pytest.approx(1.0)
