"""Bootstrap intervals of ratios of sums: hand-made cases, the normal approximation, scipy."""

import pytest

from hub.measurement.bootstrap import ratio_interval


def test_two_rows_give_the_extremes_and_the_value_is_the_ratio_of_sums():
    # Rows of ratio 1 and 3: resamples are (1,1), (3,3) with 1/4 each and mixed (2) with 1/2,
    # so the 2.5th and 97.5th percentiles are exactly 1 and 3; the value is 4/2, not a mean.
    found = ratio_interval([1, 6], [1, 2])
    assert found.value == pytest.approx(7 / 3)
    assert (found.low, found.high) == (pytest.approx(1.0), pytest.approx(3.0))


def test_identical_rows_have_no_spread_and_a_single_row_is_its_own_interval():
    assert ratio_interval([2.0] * 50, [1.0] * 50) == ratio_interval([2.0], [1.0])
    assert ratio_interval([2.0], [1.0]).low == 2.0


def test_width_matches_the_normal_approximation_and_the_seed_fixes_it():
    # 400 rows, half 0 and half 1 over 1 each: a mean of 0.5 with standard error 0.025.
    found = ratio_interval([0, 1] * 200, [1] * 400)
    assert found.value == 0.5
    assert (found.high - found.low) / 2 == pytest.approx(1.96 * 0.025, rel=0.15)
    assert ratio_interval([0, 1] * 200, [1] * 400) == found
    assert ratio_interval([0, 1] * 200, [1] * 400, seed=7) != found


def test_bad_input():
    with pytest.raises(ValueError, match="equally many"):
        ratio_interval([1, 2], [1])
    with pytest.raises(ValueError, match="above 0"):
        ratio_interval([1], [0])


def test_the_interval_is_scipys_percentile_bootstrap_with_the_seeded_generator():
    import numpy as np
    from scipy.stats import bootstrap

    from hub.measurement.bootstrap import RESAMPLES, SEED

    rng = np.random.default_rng(4)
    bits, chars = rng.gamma(2.0, 40.0, size=120), rng.integers(20, 200, size=120)
    found = ratio_interval(bits, chars)
    expected = bootstrap(
        (bits, chars.astype(float)), lambda b, c, axis: b.sum(axis) / c.sum(axis), paired=True,
        vectorized=True, n_resamples=RESAMPLES, method="percentile", confidence_level=0.95,
        rng=np.random.default_rng(SEED),
    ).confidence_interval  # fmt: skip
    assert (found.low, found.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    # The same interval as the recipe of the figures published before scipy: resample the
    # rows with numpy's seeded integers, take the 2.5th and 97.5th percentiles of the ratios.
    picks = np.random.default_rng(SEED).integers(0, 120, size=(RESAMPLES, 120))
    ratios = bits[picks].sum(axis=1) / chars[picks].sum(axis=1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    assert (found.low, found.high) == (pytest.approx(low), pytest.approx(high))


def test_bca_is_scipys_and_corrects_a_skewed_ratio():
    import numpy as np
    from scipy.stats import bootstrap

    rng = np.random.default_rng(9)
    top, bottom = rng.lognormal(0.0, 1.2, size=60), np.ones(60)
    bca = ratio_interval(top, bottom, method="BCa")
    expected = bootstrap((top,), np.mean, method="BCa", n_resamples=1000,
                         rng=np.random.default_rng(20231)).confidence_interval
    assert (bca.low, bca.high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    # A right-skewed mean: BCa moves the interval up from the percentile one.
    percentile = ratio_interval(top, bottom)
    assert bca.high > percentile.high and bca.low < bca.value < bca.high
