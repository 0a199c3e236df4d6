"""Demand that decides: paid conversion against willingness to pay, usage, API list prices.

Theory (simulator/ODD.md 3.3, "Paid conversion"): willingness to pay is log-logistic, so the
paying share s_max / (1 + (p / w)^k) has price elasticity -k (1 - s / s_max), -k where few
pay; freemium conversion elasticities are -1 to -4 (Enache, Friberg and Wiklander 2023), the
default k = 2. Revenue per user p s(p) peaks where (p / w)^k = 1 / (k - 1) and falls beyond.
Paired runs on the shipped profile and default scenario differ in one `--set` override.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plumbing.shipped import shipped_path
from simulator import economics, market
from simulator.model import StrategyModel
from simulator.run import run_scenario
from simulator.scenario import load_scenario

DEFAULT = shipped_path("scenarios", "stylised.toml")
FIRM = "Euro Challenger"
PRICE = f"firms.{FIRM}.strategy.pricing"
ELASTICITY_RANGE = (-4.0, -1.0)  # Enache, Friberg and Wiklander (2023), IJIO 88, 102945
MONTHS = 36
NO_LITE = np.array([[np.nan]])  # no lite tier beside the price


def _paying_users(*assignments: str) -> tuple[float, float]:
    """(paying users, all users) of FIRM after MONTHS months."""
    model = StrategyModel(load_scenario(DEFAULT, assignments), months=MONTHS)
    for _ in range(MONTHS):
        model.step()
    f = [s.name for s in model.scenario.firms].index(FIRM)
    return float((model.users[f] * model.paying[f]).sum()), float(model.users[f].sum())


def test_doubling_a_price_lowers_paying_users_by_the_published_elasticity():
    # review_by_margin off: the firm keeps the price it is given everywhere.
    base = _paying_users(f"{PRICE}.review_by_margin=false")
    doubled = _paying_users(f"{PRICE}.review_by_margin=false", f"{PRICE}.usd_per_month=36")
    arc = math.log(doubled[0] / base[0]) / math.log(2.0)
    # Measured (default, 36 months): 1.83M -> 0.545M paying users (arc elasticity -1.75;
    # users 17.2M -> 16.1M: the free tier keeps most of them).
    assert ELASTICITY_RANGE[0] <= arc <= ELASTICITY_RANGE[1], (base, doubled, arc)
    assert doubled[1] < base[1]  # fewer users too, but far fewer payers than users lost
    assert doubled[1] > 0.9 * base[1]


def _consumer_revenue(*assignments: str) -> float:
    df = run_scenario(load_scenario(DEFAULT, assignments), months=MONTHS).timeseries
    rows = df.to_pandas().query("firm == @FIRM")
    return float((rows.revenue - rows.api_revenue).sum())


def test_far_above_willingness_to_pay_revenue_falls():
    off = f"{PRICE}.review_by_margin=false"
    at_list = _consumer_revenue(off)
    far_above = _consumer_revenue(off, f"{PRICE}.usd_per_month=180")
    # Measured: $396M -> $50M over 36 months: ten times the price, an eighth of the revenue.
    assert far_above < 0.5 * at_list, (at_list, far_above)


@given(st.floats(0.01, 500.0), st.floats(0.5, 4.0), st.floats(0.5, 50.0))
def test_the_logits_price_term_falls_by_the_paying_share_per_dollar(price, k, wtp):
    # dB/dp = s(p): a dollar more costs the users who would pay it, and nobody else.
    w, income = np.array([wtp]), np.array([3000.0])
    step = 1e-4 * price
    burden = [market.price_burden(np.array([[p]]), NO_LITE, w, 0.4, k, 0.3, 0.05,
                                  income)[0, 0]
              for p in (price - step, price + step)]
    slope = (burden[1] - burden[0]) / (2 * step) * 0.05 * 3000.0 / 100.0
    share = economics.paying_share(np.array([[price]]), w, 0.4, k)[0, 0]
    assert slope == pytest.approx(share, rel=1e-4)


def test_willingness_to_pay_reproduces_the_reference_share_and_rises_with_income():
    wtp = economics.willingness_to_pay(np.array([40_000.0, 10_000.0]), 40_000.0, 1.0, 20.0,
                                       0.05, 0.4, 2.0)
    share = economics.paying_share(np.array([[20.0, 20.0]]), wtp, 0.4, 2.0)[0]
    assert share[0] == pytest.approx(0.05)
    assert wtp[1] == pytest.approx(wtp[0] / 4) and share[1] < share[0] / 10


@given(st.lists(st.floats(1e-8, 1e-4), min_size=2, max_size=5), st.floats(0.0, 5.0))
def test_api_list_prices_keep_the_order_of_costs_and_cover_cost(costs, markup):
    cost = np.array(costs)
    price = economics.api_prices(cost, markup)
    assert (price >= cost).all()
    order = np.argsort(cost, kind="stable")
    assert (np.diff(price[order]) >= -1e-18).all()  # never a cheaper server listed dearer


def test_two_and_three_firms_price_from_their_own_costs():
    # Two firms: the cheaper lists at its own cost-plus price (it used to be clipped up to
    # the dearer one's), the dearer one is held to that price where it covers its cost.
    assert economics.api_prices(np.array([1.0, 2.0]), 2.0) == pytest.approx([3.0, 3.0])
    assert economics.api_prices(np.array([1.0, 5.0]), 2.0) == pytest.approx([3.0, 5.0])
    three = economics.api_prices(np.array([2.0, 0.5, 1.0]), 1.0)
    assert three == pytest.approx([2.0, 1.0, 2.0])


def test_the_default_scenarios_api_prices_follow_costs():
    econ = StrategyModel(load_scenario(DEFAULT)).econ
    order = np.argsort(econ.serving_cost)
    assert (np.diff(econ.api_price[order]) >= 0).all()
    assert (econ.api_price >= econ.serving_cost).all()


def test_usage_per_user_rises_with_income():
    model = StrategyModel(load_scenario(DEFAULT))
    us, india = model.geo.index("US"), model.geo.index("IN")
    # A US user sends (72k / 9.3k)^0.35 ~ 2.05x the requests of an Indian one (CLDR's GDP
    # per head, PPP).
    ratio = model.econ.intensity[us] / model.econ.intensity[india]
    income = model.geo.gdp_per_capita[us] / model.geo.gdp_per_capita[india]
    assert ratio == pytest.approx(income ** model.params.usage_income_elasticity)
    assert ratio > 1.5


def test_a_regional_tier_sets_the_price_there_and_a_country_after_it_its_own():
    tiers = f'{PRICE}.tiers={{ apac = 6.0, JP = 15.0 }}'
    model = StrategyModel(load_scenario(DEFAULT, [tiers, f"{PRICE}.review_by_margin=false"]))
    f = [s.name for s in model.scenario.firms].index(FIRM)
    price = dict(zip(model.geo.iso2, model.price[f], strict=True))
    assert price["IN"] == 6.0 and price["JP"] == 15.0 and price["DE"] == 18.0
