"""The market mechanics' anchors: paid users, the API segment, business seats, country shares."""

from pathlib import Path

import pyarrow as pa
import pytest

from simulator.calibration.metrics import METRICS, RunView
from simulator.calibration.observations import read_observations

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "observations.csv"


def view(api: bool) -> RunView:
    # Firm A in the US and DE over two months; the API is part of revenue.
    columns = {"month": pa.array([1, 1, 2, 2], pa.int32()), "firm": ["A"] * 4,
               "country": ["US", "DE", "US", "DE"], "users": [10.0, 5.0, 20.0, 10.0],
               "revenue": [100.0, 50.0, 200.0, 80.0],
               "commitment": pa.array([4, 1, 4, 1], pa.int8())}
    if api:
        columns["api_revenue"] = [30.0, 10.0, 60.0, 20.0]
        columns["paying_users"] = [1.0, 0.5, 2.0, 1.0]
    return RunView(pa.table(columns), ["A"], ["DE", "US"], months=2)


def test_api_revenue_is_twelve_months_of_the_api_segment():
    v = view(api=True)
    assert METRICS["revenue_api_annualised"].read(v, 0, v.country_mask("world"), 2) == \
        pytest.approx(12 * 80.0)
    # The segment is part of total revenue, never more.
    total = METRICS["revenue_annualised"].read(v, 0, v.country_mask("world"), 2)
    assert METRICS["revenue_api_annualised"].read(v, 0, v.country_mask("world"), 2) <= total


def test_paying_users_are_read_where_the_observation_is():
    v = view(api=True)
    assert METRICS["paying_users"].read(v, 0, v.country_mask("world"), 2) == 3.0


def test_a_table_without_the_api_column_names_it_when_read():
    v = view(api=False)
    with pytest.raises(KeyError, match="api_revenue"):
        METRICS["revenue_api_annualised"].read(v, 0, v.country_mask("world"), 1)


def test_seats_are_context_and_never_fitted():
    assert METRICS["business_users"].read is None
    assert METRICS["business_users"].unit == METRICS["paying_users"].unit == "users"


def test_shipped_anchors_for_the_market_mechanics():
    observations = read_observations(SHIPPED)
    ids = {o.id for o in observations}
    assert {"chatgpt-plus-2024-09", "openai-api-arr-2024-06"} <= ids
    seats = sorted((o.date, o.value) for o in observations if o.metric == "business_users")
    assert len(seats) >= 4 and [v for _, v in seats] == sorted(v for _, v in seats)
    # Paid consumers are a few percent of weekly users (10M of about 200M in Sep 2024).
    plus = next(o for o in observations if o.id == "chatgpt-plus-2024-09")
    weekly = next(o for o in observations if o.id == "chatgpt-wau-2024-08")
    assert 0.02 < plus.value / weekly.value < 0.1
    # Country shares: each firm's observed shares at one date sum to at most one.
    groups = {}
    for o in observations:
        if o.metric == "traffic_share":
            groups.setdefault((o.firm, o.date), []).append(o)
    assert all(sum(o.value for o in group) <= 1 for group in groups.values())
    countries = {o.geography for o in observations if o.metric == "traffic_share"}
    assert {"US", "IN", "BR", "JP", "KR"} <= countries
    for o in observations:
        if o.metric in ("paying_users", "revenue_api_annualised", "business_users"):
            assert o.source_url.startswith("https://") and o.error_reason, o.id
