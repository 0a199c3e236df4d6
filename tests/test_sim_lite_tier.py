"""A lite tier beside the full one (ChatGPT Go beside Plus): menu pricing.

Theory (simulator/ODD.md, "Paid conversion"; Mussa and Rosen 1978): a user who values the
full tier at v values the lite one at theta v. Adding a lite tier below theta x the full
price
- sells to users the full tier priced out, so more users pay;
- draws the full tier's lowest payers down to it (cannibalisation), so fewer pay in full;
- leaves every user at least the surplus they had, so the firm's offer is worth more and
  more users choose it;
and a lite tier at or above theta x the full price is worth less than the full tier to
every payer and changes nothing. The surplus the prices take falls, per dollar of each
tier's price, by that tier's payers (Roy's identity). theta is set from ChatGPT Go's launch:
at 23% of Plus's price, paid subscriptions in India doubled.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator import economics, market
from simulator.model import StrategyModel
from simulator.parameters import Parameters
from simulator.scenario import load_scenario

HISTORY = shipped_path("scenarios", "history_calibrated.toml")
FIRM = "US Frontier"
LITE = f"firms.{FIRM}.strategy.pricing.lite"
MAX_SHARE, INCOME = 0.4, np.array([1000.0])

prices = st.floats(1.0, 100.0)
fractions = st.floats(0.05, 0.95)
wtps = st.floats(0.1, 50.0)
elasticities = st.floats(0.8, 4.0)


def _shares(price, lite, wtp, k, theta):
    full, lite_share = economics.menu_shares(np.array([[price]]), np.array([[lite]]),
                                             np.array([wtp]), MAX_SHARE, k, theta)
    return float(full[0, 0]), float(lite_share[0, 0])


@given(prices, fractions, fractions, wtps, elasticities)
def test_a_lite_tier_gains_payers_and_takes_some_from_the_full_tier(price, ratio, theta,
                                                                   wtp, k):
    lite = ratio * price
    full_alone = float(economics.paying_share(np.array([[price]]), np.array([wtp]),
                                              MAX_SHARE, k)[0, 0])
    full, lite_share = _shares(price, lite, wtp, k, theta)
    tolerance = 1e-12
    assert full <= full_alone + tolerance  # the full tier never gains from a cheaper one
    assert full + lite_share >= full_alone - tolerance  # nor do payers fall
    if lite >= theta * price:  # worth less than the full tier to every payer: no sale
        assert (full, lite_share) == (full_alone, 0.0)
    elif lite < theta * price * (1 - 1e-6):  # clear of the kink, where both shares meet
        assert lite_share > 0
        assert full < full_alone or full_alone < tolerance


@given(prices, fractions, fractions, wtps, elasticities)
def test_the_surplus_taken_falls_by_each_tiers_payers_per_dollar(price, ratio, theta, wtp, k):
    # Roy's identity: dB/dp is the full tier's payers, dB/dl the lite tier's.
    lite = ratio * price
    if abs(lite - theta * price) < 1e-3 * price:
        return  # at the kink where the lite tier starts to sell
    w = np.array([wtp])

    def burden(p, lt):
        return float(market.price_burden(np.array([[p]]), np.array([[lt]]), w, MAX_SHARE, k,
                                         theta, 0.05, INCOME)[0, 0]) * 0.05 * INCOME[0] / 100
    full, lite_share = _shares(price, lite, wtp, k, theta)
    step = 1e-5 * price
    d_full = (burden(price + step, lite) - burden(price - step, lite)) / (2 * step)
    d_lite = (burden(price, lite + step) - burden(price, lite - step)) / (2 * step)
    assert d_full == pytest.approx(full, rel=1e-3, abs=1e-9)
    assert d_lite == pytest.approx(lite_share, rel=1e-3, abs=1e-9)


def test_the_launch_that_sets_theta_doubles_the_payers_where_few_pay():
    p = Parameters()
    theta = economics.lite_value_share(p.lite_tier_price_ratio, p.lite_tier_payers_multiple,
                                       p.conversion_price_elasticity)
    # India: a median WTP of $0.63 against Plus's $20, as in a calibrated member.
    full_alone = float(economics.paying_share(np.array([[20.0]]), np.array([0.63]),
                                              MAX_SHARE, p.conversion_price_elasticity)[0, 0])
    full, lite_share = _shares(20.0, p.lite_tier_price_ratio * 20.0, 0.63,
                               p.conversion_price_elasticity, theta)
    assert (full + lite_share) / full_alone == pytest.approx(p.lite_tier_payers_multiple,
                                                             rel=0.01)


def _india(*assignments: str) -> dict[str, float]:
    """FIRM's paying shares and users in India, and its payers elsewhere, at the end.

    The firm keeps its $20 list price (no margin review to the PPP price), as OpenAI kept
    Plus's beside Go.
    """
    fixed = f"firms.{FIRM}.strategy.pricing.review_by_margin=false"
    model = StrategyModel(load_scenario(HISTORY, [fixed, *assignments]))
    for _ in range(model.months):
        model.step()
    f, c = 0, model.geo.iso2.index("IN")
    assert model.scenario.firms[f].name == FIRM
    elsewhere = np.arange(model.geo.size) != c
    return {"full": float(model.paying[f, c]), "lite": float(model.lite_paying[f, c]),
            "users": float(model.users[f, c]),
            "lite_elsewhere": float(model.lite_paying[f, elsewhere].max())}


def test_go_in_india_sells_in_india_draws_users_there_and_nowhere_else():
    alone, with_go = _india(), _india(f"{LITE}={{ IN = 4.6 }}")
    assert alone["lite"] == 0.0 and with_go["lite"] > 0
    assert with_go["full"] < alone["full"]  # some Plus payers move down to Go
    assert with_go["full"] + with_go["lite"] > 1.5 * alone["full"]
    assert with_go["users"] > alone["users"]  # the offer is worth more to users there
    assert with_go["lite_elsewhere"] == 0.0


def test_a_lite_tier_dearer_than_its_value_changes_nothing():
    # theta ~0.33: at $19 beside $20 no payer prefers it.
    assert _india(f"{LITE}={{ IN = 19 }}") == _india()


def test_a_bad_lite_tier_is_refused_naming_the_field():
    # InputError: the CLI's exit 2 with the message, no traceback.
    for value, expected in (("{ IN = -1 }", "greater than or equal to 0"), ("{ XX = 4 }", "XX")):
        with pytest.raises(InputError) as error:
            load_scenario(HISTORY, [f"{LITE}={value}"])
        message = " ".join(str(error.value).split())
        assert f"{LITE}" in message and expected in message, message


def test_a_launch_that_would_make_the_lite_tier_worth_the_full_one_is_refused():
    with pytest.raises(ValueError, match="lite_tier_payers_multiple"):
        Parameters(lite_tier_price_ratio=0.5, lite_tier_payers_multiple=5.0)
