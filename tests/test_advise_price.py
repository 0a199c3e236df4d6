"""Advice's price move: a bracketed search for the NPV-maximising list price.

Bracketing by expansion then golden-section search finds a maximum of a unimodal function
to the tolerance asked; on the default scenario (shipped profile) the price found must be
worth at least what both ends of its bracket are worth, and lie between them.
"""

import math

import pytest
from advice_cases import four_labs

from simulator.advice import price_search
from simulator.advice.moves import generate_moves
from simulator.scenario import load_scenario
from simulator.scenario.overrides import apply
from simulator.technology import load_profile

LOW, HIGH = math.log(price_search.PRICE_MIN_USD), math.log(price_search.PRICE_MAX_USD)


@pytest.mark.parametrize("peak", [1.5, 7.3, 20.0, 150.0])
def test_expansion_brackets_a_single_peak_from_either_side(peak):
    def value(x):
        return -((x - math.log(peak)) ** 2)

    for start in (math.log(2.0), math.log(20.0), math.log(190.0)):
        a, b, c = price_search.bracket_maximum(value, start, LOW, HIGH)
        assert a <= math.log(peak) <= c and LOW <= a and c <= HIGH
        assert value(b) >= value(a) and value(b) >= value(c)


def test_a_value_rising_to_a_bound_stops_there():
    a, b, c = price_search.bracket_maximum(lambda x: x, math.log(20.0), LOW, HIGH)
    assert b == c == HIGH and a < b


@pytest.fixture(scope="module")
def searched():
    scenario = apply(load_scenario(four_labs()), {"months": 24})
    profile = load_profile(scenario.profile_path(), scenario.profile_size)
    return scenario, profile, price_search.search_price(scenario, "Euro Challenger", profile)


def test_the_price_search_brackets_its_optimum(searched):
    _, _, found = searched
    low, _, high = found.bracket
    assert low <= found.price <= high
    assert found.value(found.price) >= found.value(low)
    assert found.value(found.price) >= found.value(high)
    assert found.value(found.price) == max(found.values.values())
    # Its list price, $18, is worth less (measured over 24 months: $10.05 in a bracket of
    # $1-$18, NPV -$733M against -$743M at $18 and -$769M at $1).
    assert found.value(found.price) > found.value(18.0)


def test_the_generated_price_move_charges_the_price_found(searched):
    # Timed like the other moves: from the decision, 6 or 12 months after it.
    scenario, profile, found = searched
    moves = [m for m in generate_moves(scenario, "Euro Challenger", profile)
             if m.kind == "price" and m.name != "price-ppp"]
    assert [(m.overrides, m.delay) for m in moves] == [
        ({"firms.Euro Challenger.strategy.pricing.usd_per_month": found.price}, delay)
        for delay in (0, 6, 12)]
    assert [m.name for m in moves] == [f"price-{found.price:.3g}usd{end}"
                                       for end in ("", "-6m", "-12m")]
