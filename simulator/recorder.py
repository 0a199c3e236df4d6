"""The run's record: monthly arrays kept in memory, the report's tables at the end.

Two tables (`simulator.reports.schema`): the country table, a row per (month, firm,
country) for every pair the firm has touched by that month (entered, pending entry,
employing people, or spending there); and the firm-month table, a row per (month, firm)
with the firm-level figures (cash, training) and the firm's totals over countries. Rows
are in a fixed order (month, firm in scenario order, country by ISO code), so the same
seed gives identical tables.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pyarrow as pa

from simulator.finance import FLOWS, MEASURES, Ledger
from simulator.footprint import Footprint
from simulator.reports.aggregates import share
from simulator.reports.schema import FIRM_MONTHS_SCHEMA, TIMESERIES_SCHEMA


class MonthEnd(Protocol):
    """What the recorder reads of the model at the end of a month (`StrategyModel` has it).

    Named here, not imported from `simulator.model`, which imports this module.
    """

    users: np.ndarray  # [firms, countries]
    staff: np.ndarray  # [firms, countries, 2]: researchers, engineers (simulator.talent)
    cash: np.ndarray  # [firms]
    ledger: Ledger
    footprint: Footprint


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

    def record(self, model: MonthEnd, month: int) -> None:
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
        """The country table of the months recorded so far (`dates[m - 1]`: month m)."""
        done = self.months_done
        t, f, c = np.nonzero(self.touched[:done])
        users = self.series["users"][:done]
        firm_names, countries, region_names = (np.array(x, dtype=object)
                                               for x in (firms, iso2, regions))
        columns = {
            "run_id": pa.array(np.full(t.size, run_id, dtype=object), pa.string()),
            "month": pa.array(t + 1, pa.int32()),
            "date": _dates(dates).take(pa.array(t)),
            "firm": pa.array(firm_names[f], pa.string()),
            "country": pa.array(countries[c], pa.string()),
            "region": pa.array(region_names[c], pa.string()),
            "share": share(users[t, f, c], users.sum(axis=1)[t, c]),
            "commitment": pa.array(self.commitment[t, f, c], pa.int8()),
        }
        for name, values in self.series.items():
            columns[name] = values[t, f, c]
        return pa.table({name: columns[name] for name in TIMESERIES_SCHEMA.names},
                        schema=TIMESERIES_SCHEMA)

    def firm_month_table(self, run_id: str, firms: list[str], dates: list) -> pa.Table:
        """The firm-month table of the months recorded so far: every firm, every month."""
        done = self.months_done
        t, f = (index.ravel() for index in np.indices((done, len(firms))))
        totals = {name: values[:done].sum(axis=2)[t, f] for name, values in self.series.items()}
        users = self.series["users"][:done].sum(axis=2)
        columns = {
            "run_id": pa.array(np.full(t.size, run_id, dtype=object), pa.string()),
            "month": pa.array(t + 1, pa.int32()),
            "date": _dates(dates).take(pa.array(t)),
            "firm": pa.array(np.array(firms, dtype=object)[f], pa.string()),
            "cash": self.cash[t, f],
            "share": share(users, users.sum(axis=1, keepdims=True))[t, f],
            "markets": pa.array((self.commitment[:done] > 0).sum(axis=2)[t, f], pa.int32()),
            **totals,
        }
        return pa.table({name: columns[name] for name in FIRM_MONTHS_SCHEMA.names},
                        schema=FIRM_MONTHS_SCHEMA)


def _dates(dates: list) -> pa.Array:
    return pa.array(dates, pa.date32()).cast(pa.timestamp("ms"))
