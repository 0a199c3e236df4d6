"""How an observation is read from a run: the metric table, one row per kind of figure.

Each metric says which unit its observations carry, where they may be (the world, a
country, or a country or the EU), how the model's value is read from a run's tidy time
series at the observation's month (`RunView`), and the model discrepancy: how far the
model's best run may stand from the truth because of what the model leaves out (Kennedy
and O'Hagan 2001; Vernon et al. 2010 call its variance V_md). Discrepancies are
judgements, each with its reason; they enter the implausibility, never a fit.

Users, revenue and shares are compared as logarithms (an observation's relative error is
its sd there): on the raw scale a relative error caps the implausibility of a run that
predicts nothing at 1 / sqrt(rel_obs^2 + rel_md^2), so a model 20 times too small would
pass; on the log scale a factor of e away is 1 / sd.

Event metrics (an office opened, a service available: its first user) are compared as
months since the scenario's start: the observation is its row's date, the model's value the
first month the event holds in the run, or the run's last month + 1 when it never does (a censored
value: the calibration sees "not yet", which is as far as the run can tell).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from simulator.footprint import Level
from simulator.world.countries import load_countries

USERS_PRESENT = 1.0  # a firm with at least one user in a country is available there
# Time-series columns read only by some metrics (simulator.reports.schema).
OPTIONAL_COLUMNS = ("api_revenue", "paying_users", "serving_cost")


@cache
def eu_members() -> frozenset[str]:
    """ISO codes of the EU's member states (the world data's flag)."""
    return frozenset(c.iso2 for c in load_countries() if c.eu_member)


class RunView:
    """A run's time series as dense [months, firms, countries] arrays for fast reading."""

    def __init__(self, timeseries: pa.Table, firms: list[str], countries: list[str],
                 months: int, weekly_active_share: float | None = None,
                 first_calendar_month: int | None = None) -> None:
        # The run's Parameters.weekly_active_share: what weekly counts are compared with.
        self.weekly_active_share = weekly_active_share
        # The calendar month (1-12) of model month 1: where a year to date starts.
        self.first_calendar_month = first_calendar_month
        self.firms = {name: i for i, name in enumerate(firms)}
        self.countries = {code: i for i, code in enumerate(countries)}
        self.months = months
        shape = (months, len(firms), len(countries))
        month = timeseries["month"].to_numpy() - 1
        firm = np.array([self.firms[f] for f in timeseries["firm"].to_pylist()], dtype=int)
        country = np.array([self.countries[c] for c in timeseries["country"].to_pylist()],
                           dtype=int)
        self.arrays = {}
        present = set(timeseries.column_names)
        for column in ("users", "revenue", "commitment", *OPTIONAL_COLUMNS):
            if column in OPTIONAL_COLUMNS and column not in present:
                continue  # a hand-made or older table: its metrics' readers say what is missing
            dense = np.zeros(shape)
            dense[month, firm, country] = timeseries[column].to_numpy()
            self.arrays[column] = dense

    def array(self, column: str) -> np.ndarray:
        """The dense [months, firms, countries] array of `column`; KeyError names it if absent."""
        if column not in self.arrays:
            raise KeyError(f"the run's time series has no {column!r} column, which this "
                           "metric reads")
        return self.arrays[column]

    def country_mask(self, geography: str) -> np.ndarray:
        """Countries of `geography` ('world', 'EU' or one code) among the run's countries."""
        if geography == "world":
            return np.ones(len(self.countries), dtype=bool)
        members = eu_members() if geography == "EU" else {geography}
        return np.array([c in members for c in self.countries])

    def first_month(self, column: str, firm: int, mask: np.ndarray, level: float) -> float:
        """First month (1-based) `column` >= level in any masked country; censored at end+1."""
        hit = (self.arrays[column][:, firm, mask] >= level).any(axis=1)
        return float(np.argmax(hit) + 1) if hit.any() else float(self.months + 1)


Reader = Callable[[RunView, int, np.ndarray, int], float]


def _users(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    return float(view.arrays["users"][month - 1, firm, mask].sum())


def _weekly_users(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    if view.weekly_active_share is None:
        raise ValueError("weekly_users needs the run's weekly_active_share (RunView)")
    return view.weekly_active_share * _users(view, firm, mask, month)


def _revenue_annualised(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    return 12.0 * float(view.arrays["revenue"][month - 1, firm, mask].sum())


def _api_revenue_annualised(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    return 12.0 * float(view.array("api_revenue")[month - 1, firm, mask].sum())


def _paying_users(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    return float(view.array("paying_users")[month - 1, firm, mask].sum())


def _serving_cost_ytd(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    # From the January of the observation's year (or the run's first month) to its month.
    if view.first_calendar_month is None:
        raise ValueError("serving_cost_ytd needs the run's first calendar month (RunView)")
    january = max(1, month - (view.first_calendar_month + month - 2) % 12)
    return float(view.array("serving_cost")[january - 1:month, firm, mask].sum())


def _traffic_share(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    users = view.arrays["users"][month - 1, firm]
    total = users.sum()
    return float(users[mask].sum() / total) if total > 0 else 0.0


def _office_opened(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    return view.first_month("commitment", firm, mask, Level.OFFICE)


def _available_from(view: RunView, firm: int, mask: np.ndarray, month: int) -> float:
    # Users arrive in the first month a firm is present (Bass adoption and logit shares are
    # positive wherever it sells), while its commitment level at home is set from month 1
    # whatever its launch month: users tell availability, the level does not.
    return view.first_month("users", firm, mask, USERS_PRESENT)


@dataclass(frozen=True)
class Metric:
    """One kind of observed figure and how the model produces it."""

    unit: str
    geography: str  # "world", "country" or "place" (a country or the EU)
    read: Reader | None  # None: recorded as context, the model has no such output
    # Model discrepancy sd: on the log scale for log metrics (about a fraction of the
    # value), in months for events.
    discrepancy: float
    log_scale: bool  # compared as logarithms: the metric spans orders of magnitude
    reason: str

    @property
    def event(self) -> bool:
        """Compared as months since the start (the observation's date), not as a value."""
        return self.unit == "event"


METRICS: dict[str, Metric] = {
    "users": Metric(
        "users", "world", _users, 0.3, True,
        "the model counts monthly users of a Bass-diffusing category; firms report weekly "
        "or monthly actives by their own definitions, and app, web and API users overlap"),
    "weekly_users": Metric(
        "users", "world", _weekly_users, 0.3, True,
        "a firm's own count of weekly actives against the model's monthly users x "
        "Parameters.weekly_active_share; app, web and API users overlap"),
    "revenue_annualised": Metric(
        "usd_per_year", "world", _revenue_annualised, 0.35, True,
        "the model's month of revenue x 12 covers subscriptions and per-token API use; "
        "enterprise contracts, tiers and discounts are not modelled"),
    "revenue_api_annualised": Metric(
        "usd_per_year", "world", _api_revenue_annualised, 0.5, True,
        "the model's API segment (organisations' per-token spend) x 12; reported API run "
        "rates are leaks of one month, and what counts as API (Azure's revenue share, "
        "enterprise seats) differs between reports"),
    "paying_users": Metric(
        "users", "world", _paying_users, 0.35, True,
        "the model's active users x its paying share at the firm's price; reported counts "
        "are of one tier (ChatGPT Plus) while the model has one price per country, and "
        "business seats are business_users"),
    "serving_cost_ytd": Metric(
        "usd", "world", _serving_cost_ytd, 0.4, True,
        "the model's serving cost from January to the month: its tokens at GPU-hour list "
        "prices x serving_cost_multiplier; a cloud partner's discount, hidden reasoning "
        "tokens and which provider serves what are not modelled"),
    "business_users": Metric(
        "users", "world", None, 0.0, True,
        "context only: paying seats of business plans (Team, Enterprise, Edu); the model "
        "sells to organisations by API spend, not by seat"),
    "traffic_share": Metric(
        "fraction", "country", _traffic_share, 0.35, True,
        "the model's share of a firm's users by country against a panel's share of web "
        "visits: visits per user and app use differ by country"),
    "office_opened": Metric(
        "event", "country", _office_opened, 4.0, False,
        "the model's first month at establishment level 3 in the country: a regional "
        "office there or one serving its region (simulator.offices); which city of a "
        "region gets the office and announcement-to-opening lags are not modelled"),
    "available_from": Metric(
        "event", "place", _available_from, 2.0, False,
        "entry waits the model's compliance delay, in whole months"),
    "launched": Metric(
        "event", "place", _available_from, 1.0, False,
        "a firm's launch month is a scenario input (launch_month): the row checks the "
        "calendar, and that the home market opens at once"),
    "regulatory_event": Metric(
        "event", "place", None, 0.0, False,
        "context only: suspensions enter the history scenario as inputs (a firm's "
        "suspensions); device bans and download stops are not modelled"),
}


def metric_months(start_year: int, start_month: int, year: int, month: int) -> int:
    """Model month (1-based) that contains the calendar month (year, month)."""
    return (year - start_year) * 12 + (month - start_month) + 1
