"""Bootstrap intervals of ratios of sums: hand-made cases and the normal approximation."""

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
