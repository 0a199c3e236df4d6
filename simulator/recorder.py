"""The run's tidy time series: monthly arrays kept in memory, one Arrow table at the end.

A row is (month, firm, country) for every pair the firm has touched by that month: entered,
pending entry, employing people, or spending there. Rows are in a fixed order (month, firm
in scenario order, country by ISO code), so the same seed gives identical tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from simulator.finance import FLOWS, MEASURES

if TYPE_CHECKING:
    from simulator.model import StrategyModel

TIMESERIES_SCHEMA = pa.schema([
    ("run_id", pa.string()),
    ("month", pa.int32()),
    ("date", pa.date32()),  # first day of the calendar month (scenario start_date = month 1)
    ("firm", pa.string()),
    ("country", pa.string()),
    ("region", pa.string()),  # the country's region in summaries (eu, na, latam, ...)
    ("users", pa.float64()),
    ("share", pa.float64()),  # of the country's users of all firms
    ("revenue", pa.float64()),  # US dollars this month, consumer and API
    ("api_revenue", pa.float64()),  # the API/enterprise segment's part of revenue
    ("serving_cost", pa.float64()),
    ("tokens", pa.float64()),  # tokens served this month, consumer and API
    ("api_tokens", pa.float64()),
    ("localisation_spend", pa.float64()),
    ("talent_headcount", pa.float64()),  # people the firm employs in the country
    ("cash", pa.float64()),  # the firm's cash at the month's end (same on all its rows)
    ("salaries", pa.float64()),
    ("compliance_spend", pa.float64()),
    ("commitment_spend", pa.float64()),
    ("training_spend", pa.float64()),  # frontier training compute, booked at home
    ("commitment", pa.int8()),  # establishment-chain level, 0 absent .. 4 local lab
])


class Recorder:
    """Preallocated [months, firms, countries] arrays, filled one month at a time."""

    def __init__(self, months: int, firms: int, countries: int) -> None:
        shape = (months, firms, countries)
        self.months_done = 0
        self.series = {name: np.zeros(shape)
                       for name in ("users", "talent_headcount", *FLOWS, *MEASURES)}
        self.commitment = np.zeros(shape, dtype=np.int8)
        self.touched = np.zeros(shape, dtype=bool)
        self.cash = np.zeros((months, firms))

    def record(self, model: StrategyModel, month: int) -> None:
        """Copy the model's state at the end of `month` (1-based)."""
        t = month - 1
        self.series["users"][t] = model.users
        self.series["talent_headcount"][t] = model.staff.sum(axis=2)
        for name in FLOWS:
            self.series[name][t] = model.ledger.flows[name]
        for name in MEASURES:
            self.series[name][t] = model.ledger.measures[name]
        self.commitment[t] = model.footprint.level
        self.cash[t] = model.cash
        now = (model.footprint.served() | np.isfinite(model.footprint.pending_until)
               | (model.users > 0))
        now |= self.series["talent_headcount"][t] > 0
        for name in FLOWS:
            now |= model.ledger.flows[name] != 0
        self.touched[t] = now if t == 0 else now | self.touched[t - 1]
        self.months_done = month

    def table(self, run_id: str, firms: list[str], iso2: tuple[str, ...],
              regions: tuple[str, ...], dates: list) -> pa.Table:
        """The tidy time series of the months recorded so far (`dates[m - 1]`: month m)."""
        done = self.months_done
        t, f, c = np.nonzero(self.touched[:done])
        users = self.series["users"][:done]
        totals = users.sum(axis=1)  # [months, countries]
        share = np.divide(users[t, f, c], totals[t, c], out=np.zeros(t.size),
                          where=totals[t, c] > 0)
        firm_names, countries, region_names = (np.array(x, dtype=object)
                                               for x in (firms, iso2, regions))
        columns = {
            "run_id": pa.array(np.full(t.size, run_id, dtype=object), pa.string()),
            "month": pa.array(t + 1, pa.int32()),
            "date": pa.array(dates, pa.date32()).take(pa.array(t)),
            "firm": pa.array(firm_names[f], pa.string()),
            "country": pa.array(countries[c], pa.string()),
            "region": pa.array(region_names[c], pa.string()),
            "share": share,
            "cash": self.cash[t, f],
            "commitment": pa.array(self.commitment[t, f, c], pa.int8()),
        }
        for name, values in self.series.items():
            columns[name] = values[t, f, c]
        return pa.table({name: columns[name] for name in TIMESERIES_SCHEMA.names},
                        schema=TIMESERIES_SCHEMA)
