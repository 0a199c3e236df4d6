"""The metric table reads what each observation means from a hand-made time series."""

import pyarrow as pa
import pytest

from simulator.calibration.metrics import METRICS, RunView, metric_months


def view() -> RunView:
    # Firm A: in the US from month 1, in DE from month 3 (an office there in month 4);
    # firm B only in FR from month 2. Three months of four are recorded for A in DE.
    rows = [
        (1, "A", "US", 100.0, 10.0, 4), (2, "A", "US", 200.0, 20.0, 4),
        (3, "A", "US", 300.0, 30.0, 4), (4, "A", "US", 400.0, 40.0, 4),
        (3, "A", "DE", 50.0, 5.0, 1), (4, "A", "DE", 100.0, 10.0, 3),
        (2, "B", "FR", 10.0, 1.0, 1), (3, "B", "FR", 20.0, 2.0, 1), (4, "B", "FR", 30.0, 3.0, 1),
    ]
    month, firm, country, users, revenue, level = zip(*rows, strict=True)
    table = pa.table({"month": pa.array(month, pa.int32()), "firm": firm, "country": country,
                      "users": users, "revenue": revenue,
                      "commitment": pa.array(level, pa.int8())})
    return RunView(table, ["A", "B"], ["DE", "FR", "US"], months=4)


def read(metric: str, firm: int, geography: str, month: int) -> float:
    v = view()
    return METRICS[metric].read(v, firm, v.country_mask(geography), month)


def test_levels_at_the_observations_month():
    assert read("users", 0, "world", 4) == 500.0
    assert read("revenue_annualised", 0, "world", 3) == pytest.approx(12 * 35.0)
    assert read("traffic_share", 0, "DE", 4) == pytest.approx(100 / 500)
    assert read("traffic_share", 1, "US", 4) == 0.0


def test_events_are_first_months_and_censored_after_the_run():
    assert read("available_from", 0, "DE", 4) == 3.0
    assert read("available_from", 1, "EU", 4) == 2.0  # FR is a member: the EU has it then
    assert read("launched", 0, "US", 1) == 1.0
    assert read("office_opened", 0, "DE", 4) == 4.0
    assert read("office_opened", 1, "FR", 4) == 5.0  # never: the run's last month + 1
    assert METRICS["regulatory_event"].read is None


def test_model_months_count_from_the_start():
    assert metric_months(2022, 11, 2022, 11) == 1
    assert metric_months(2022, 11, 2024, 12) == 26
    assert metric_months(2022, 11, 2025, 12) == 38


def test_serving_cost_ytd_sums_from_the_observations_january():
    """A figure 'in 2024' or 'in the first nine months of 2025' counts its year alone.

    A run from November 2022 for 26 months: model month 15 is January 2024, 26 December
    2024. Each month's serving cost is its month number, so the window shows in the sum.
    """
    months = 26
    table = pa.table({"month": pa.array(range(1, months + 1), pa.int32()),
                      "firm": ["A"] * months, "country": ["US"] * months,
                      "users": [1.0] * months, "revenue": [0.0] * months,
                      "commitment": pa.array([4] * months, pa.int8()),
                      "serving_cost": [float(m) for m in range(1, months + 1)]})
    v = RunView(table, ["A"], ["US"], months=months, first_calendar_month=11)
    ytd = METRICS["serving_cost_ytd"]
    mask = v.country_mask("world")
    assert ytd.read(v, 0, mask, metric_months(2022, 11, 2024, 12)) == sum(range(15, 27))
    assert ytd.read(v, 0, mask, metric_months(2022, 11, 2024, 9)) == sum(range(15, 24))
    assert ytd.read(v, 0, mask, metric_months(2022, 11, 2023, 1)) == 3.0  # January 2023 alone
    # The run's first year starts at its first month, not before it.
    assert ytd.read(v, 0, mask, metric_months(2022, 11, 2022, 12)) == 1.0 + 2.0
    with pytest.raises(ValueError, match="first calendar month"):
        ytd.read(RunView(table, ["A"], ["US"], months=months), 0, mask, 26)
