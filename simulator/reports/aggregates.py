"""Derived figures of a run: shares of users, totals per firm and place, final KPIs.

The one place they are computed. The recorder writes a firm's share of a country's users
and of all users with `share`; the run's firms table, the terminal and HTML reports, the
batch analysis and the TUI read them from the report tables through the functions here,
so a figure means the same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

KPIS = ("users", "share", "revenue_total", "cash")
"""A firm's headline figures at the end of a run (the firms table's columns)."""

SUMMED = ("users", "paying_users", "revenue", "api_revenue", "serving_cost", "tokens",
          "api_tokens", "localisation_spend", "talent_headcount", "salaries", "compliance_spend",
          "commitment_spend")
"""Country-table figures that add up over countries (every one except share and level)."""


def share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """`part / whole`, 0 where nobody is there (a market no firm has reached yet)."""
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    whole = np.broadcast_to(whole, part.shape)
    return np.divide(part, whole, out=np.zeros(part.shape), where=whole > 0)


def hhi(users: np.ndarray) -> float:
    """Herfindahl-Hirschman index of the firms' shares of users (0 when nobody has any)."""
    users = np.asarray(users, dtype=float)
    return float((share(users, users.sum()) ** 2).sum())


def firm_totals(countries: pd.DataFrame, keys: Sequence[str] = ("month",)) -> pd.DataFrame:
    """Per `keys` and firm, country-table figures summed over the rows' countries.

    `share` is the firm's users over all firms' users of the same `keys` (e.g. keys
    ("run_id", "month", "region"): its share of the region's users that month).
    """
    keys = list(keys)
    columns = [c for c in SUMMED if c in countries.columns]
    totals = countries.groupby([*keys, "firm"], as_index=False, observed=True)[columns].sum()
    whole = totals.groupby(keys, observed=True)["users"].transform("sum") if keys else \
        totals["users"].sum()
    totals["share"] = share(totals["users"].to_numpy(), np.asarray(whole))
    return totals


def final_kpis(firm_months: pd.DataFrame) -> pd.DataFrame:
    """Per run and firm at its last month: users, share, revenue (last month, total), cash.

    Indexed by (run_id, firm); read from the firm-month table, where the recorder wrote
    each firm's users, share and cash once per month.
    """
    last = firm_months[firm_months["month"] == firm_months.groupby("run_id")["month"]
                       .transform("max")].set_index(["run_id", "firm"])
    kpis = last[["users", "share", "cash", "markets"]].copy()
    kpis["revenue_last_month"] = last["revenue"]
    kpis["revenue_total"] = firm_months.groupby(["run_id", "firm"])["revenue"].sum()
    return kpis
