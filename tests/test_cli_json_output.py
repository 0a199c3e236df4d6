"""`plumbing.json_output`: what every `--json` prints is JSON any reader takes.

Strict JSON has no NaN or Infinity (jq and JavaScript refuse Python's bare `NaN`), so a
figure that is not finite must come out as null, and numpy, pandas and Arrow values as
the plain numbers and texts they hold.
"""

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plumbing.json_output import dumps, plain


def strict_loads(text: str):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@dataclasses.dataclass
class Spread:
    median: float
    low: float
    high: float


def test_numbers_stay_numbers_and_what_is_not_finite_is_null():
    value = {"int": np.int64(3), "float": np.float32(0.5), "nan": float("nan"),
             "inf": np.float64(-np.inf), "bool": np.bool_(True), "na": pd.NA, "nat": pd.NaT}
    assert strict_loads(dumps(value)) == {"int": 3, "float": 0.5, "nan": None, "inf": None,
                                          "bool": True, "na": None, "nat": None}
    assert isinstance(strict_loads(dumps(np.int64(3))), int)


def test_tables_become_rows_and_other_values_text():
    frame = pd.DataFrame({"firm": ["A", "B"], "users": [1.5, np.nan],
                          "date": pd.to_datetime(["2025-01-01", "2025-02-01"])})
    assert strict_loads(dumps(frame)) == [
        {"firm": "A", "users": 1.5, "date": "2025-01-01T00:00:00"},
        {"firm": "B", "users": None, "date": "2025-02-01T00:00:00"}]
    arrow = pa.table({"lang": ["de"], "value": [float("inf")]})
    assert strict_loads(dumps(arrow)) == [{"lang": "de", "value": None}]
    assert strict_loads(dumps({"path": Path("a/b"), "day": dt.date(2025, 1, 2),
                               "spread": Spread(1.0, 0.5, math.nan), "keys": {1: (2, 3)}})) == {
        "path": "a/b", "day": "2025-01-02", "spread": {"median": 1.0, "low": 0.5, "high": None},
        "keys": {"1": [2, 3]}}


def test_an_unknown_type_is_refused_by_name():
    with pytest.raises(TypeError, match="object"):
        plain(object())


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_any_value_of_json_types_round_trips_with_non_finite_floats_as_null(value):
    def expected(v):
        if isinstance(v, float):
            return v if math.isfinite(v) else None
        if isinstance(v, list):
            return [expected(item) for item in v]
        if isinstance(v, dict):
            return {key: expected(item) for key, item in v.items()}
        return v

    assert strict_loads(dumps(value)) == expected(value)
