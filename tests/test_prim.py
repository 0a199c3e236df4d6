"""PRIM: the box finds the input the outcome depends on, never shrinks below its minimum mass,
never pins a parameter to one value, and carries EMA Workbench's quasi-p-value per restriction."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from simulator.reports.prim import _inside, peel


def one_input_case(seed=3, n=1000, noise=0.1):
    # The outcome depends on x0 only (x0 > 0.7), with 10% of labels flipped at random.
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 2))
    y = (x[:, 0] > 0.7) ^ (rng.uniform(size=n) < noise)
    return x, y


def test_the_relevant_input_is_restricted_with_a_small_quasi_p_and_the_irrelevant_not():
    x, y = one_input_case()
    box = peel(x, y, ["relevant", "irrelevant"])
    assert "relevant" in box.restricted
    # Inside the region the outcome depends on, and covering at least half of it.
    assert 0.7 - 0.03 <= box.limits["relevant"][0] <= 0.85
    assert box.quasi_p["relevant"] < 1e-10
    # Not restricted at all, or a restriction the data do not support.
    assert "irrelevant" not in box.restricted or box.quasi_p["irrelevant"] > 0.05
    assert set(box.quasi_p) == set(box.restricted)
    assert box.density > 0.8 > 0.5 > box.base_density


def test_quasi_p_is_the_one_sided_binomial_test_against_the_box_without_that_restriction():
    x, y = one_input_case(seed=5)
    box = peel(x, y, ["a", "b"])
    low = np.array([box.limits[n][0] for n in "ab"])
    high = np.array([box.limits[n][1] for n in "ab"])
    members = _inside(x, low, high)
    for j, name in enumerate("ab"):
        if name not in box.restricted:
            continue
        wide_low, wide_high = low.copy(), high.copy()
        wide_low[j], wide_high[j] = x[:, j].min(), x[:, j].max()
        chance = y[_inside(x, wide_low, wide_high)].mean()
        expected = binomtest(int(y[members].sum()), int(members.sum()), chance, "greater")
        assert box.quasi_p[name] == pytest.approx(expected.pvalue)


def test_coverage_density_and_mass_are_those_of_the_box_on_the_data():
    x, y = one_input_case(seed=11)
    box = peel(x, y, ["a", "b"])
    low = np.array([box.limits[n][0] for n in "ab"])
    high = np.array([box.limits[n][1] for n in "ab"])
    members = _inside(x, low, high)
    assert box.mass == pytest.approx(members.mean())
    assert box.density == pytest.approx(y[members].mean())
    assert box.coverage == pytest.approx((y & members).sum() / y.sum())
    assert box.base_density == pytest.approx(y.mean())


@given(seed=st.integers(0, 10_000), min_mass=st.sampled_from([0.02, 0.05, 0.1, 0.3]),
       n=st.integers(10, 200), rare=st.floats(0.01, 0.5))
def test_the_box_never_holds_less_than_the_minimum_mass(seed, min_mass, n, rare):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = rng.uniform(size=n) < rare
    box = peel(x, y, ["a", "b", "c"], min_mass=min_mass)
    assert box.mass >= min_mass
    assert box.min_mass == min_mass


def test_a_parameter_is_never_pinned_to_one_value():
    # A grid sweep where only the middle value of x0 ever wins: peeling down to 2.01 .. 2.01
    # would be the densest box; it is refused, the box keeps a range of x0.
    grid = np.array([2.0, 2.01, 2.02])
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.choice(grid, size=300), rng.uniform(size=300)])
    y = x[:, 0] == 2.01
    box = peel(x, y, ["x0", "x1"])
    for name in box.restricted:
        low, high = box.limits[name]
        assert high > low, f"{name} pinned to {low}"
    # Twenty runs and a 5% minimum mass: a one-point box would fit the mass, not the width rule.
    small = peel(rng.uniform(size=(20, 2)), np.arange(20) == 7, ["a", "b"])
    assert all(small.limits[n][1] > small.limits[n][0] for n in small.restricted)


def test_bad_settings_are_refused():
    x, y = one_input_case(n=50)
    with pytest.raises(ValueError, match="min_mass"):
        peel(x, y, ["a", "b"], min_mass=0)
    with pytest.raises(ValueError, match="one name per parameter"):
        peel(x, y, ["a"])
