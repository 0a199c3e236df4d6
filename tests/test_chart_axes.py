"""Chart axes: 1-2-5 ticks that cover the data, month ticks on round calendar months."""

from __future__ import annotations

import math

from hypothesis import example, given
from hypothesis import strategies as st

from simulator.reports.chart_axes import month_label, month_ticks, nice_ticks, tick_labels

values = st.floats(-1e12, 1e12, allow_nan=False)


@given(values, values)
@example(-999999999501.0, -999999999500.0)  # found by hypothesis: float spacing 1.2e-4
def test_ticks_cover_the_data_in_a_few_round_steps(a, b):
    low, high = min(a, b), max(a, b)
    ticks = nice_ticks(low, high)
    # At most 5 whole steps, and a part of one at either end.
    assert ticks[0] <= low and ticks[-1] >= high and 2 <= len(ticks) <= 8
    step = ticks[1] - ticks[0]
    scale = 10 ** math.floor(math.log10(step))
    # A tick is the float nearest k x step: near 1e12 floats are 1.2e-4 apart, so a step
    # read back as a difference of two ticks is off by up to two spacings.
    spacing = math.ulp(max(abs(ticks[0]), abs(ticks[-1])))
    mantissa = step / scale
    assert min(abs(mantissa - m) for m in (1, 2, 5, 10)) < 1e-6 + 2 * spacing / scale
    assert all(math.isclose(t / step, round(t / step), abs_tol=1e-6 + spacing / step)
               for t in ticks)  # 1-2-5 x a power of ten, every tick a whole number of steps


def test_the_issues_ticks_become_round():
    assert nice_ticks(0, 23.61) == [0, 5, 10, 15, 20, 25]  # not 0, 11.8, 23.61
    assert [label for _, label in tick_labels(nice_ticks(0, 0.0123), "percent")] == [
        "0.0%", "0.5%", "1.0%", "1.5%"]
    assert [label for _, label in tick_labels(nice_ticks(-3.2e6, 11.8e6), "money")] == [
        "-$5M", "$0", "$5M", "$10M", "$15M"]


@given(st.integers(2000, 2090), st.integers(1, 12), st.integers(1, 120), st.integers(2, 480))
def test_month_ticks_fall_on_round_dates(year, month, first, span):
    start = f"{year}-{month:02d}"
    ticks = month_ticks(first, first + span, start)
    assert 1 <= len(ticks) <= 7 and all(first <= t <= first + span for t in ticks)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 12
    for t in ticks:
        calendar_month = int(month_label(start, t)[5:])
        if step >= 12:
            assert calendar_month == 1  # years start in January
        else:
            assert (calendar_month - 1) % step == 0  # quarters on Jan/Apr/Jul/Oct, ...


def test_month_one_is_the_start_date():
    assert month_label("2022-11", 1) == "2022-11" and month_label("2022-11", 3) == "2023-01"
    assert month_ticks(1, 36, "2022-11") == [3, 9, 15, 21, 27, 33]  # 2023-01, 2023-07, ...
    assert month_ticks(1, 120, None) == [24, 48, 72, 96, 120]
