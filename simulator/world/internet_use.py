"""People online per country: the share of individuals who used the Internet in the last 3 months.

`data/internet_use.csv` holds each country's latest figure of ITU's series (World Bank WDI
IT.NET.USER.ZS) as published in Our World in Data's package; see data/SOURCES.md. The measured
share replaces a model of who can reach an assistant (literacy times an income curve): it ranks
rich countries apart where income alone saturates them all alike.

`online_share(iso2)` gives every country its measured share; a country without a usable row
gets an estimate from a logistic curve in log GDP per capita (PPP, the countries table's
`gdp_per_capita`), fitted at load by least squares on the logit of the measured shares, and
reports which countries were estimated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from hub import cldr
from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from plumbing.tables import read_table
from simulator.world.countries import load_countries

# A latest figure older than this is not used: the series of a few small territories
# (American Samoa, Northern Mariana Islands, Turks and Caicos) stop at 0 in 1995, when
# counting stopped rather than use; from 2013 on, ITU's last figure is kept (North Korea's 0).
OLDEST_USABLE_YEAR = 2010


@dataclass(frozen=True)
class InternetUseRow:
    """One country's latest published share of people online."""

    country: str  # ISO alpha-2
    data_year: int  # the year the share measures
    share_percent: float  # 0..100, as published
    source_publisher: str
    source_title: str
    source_url: str
    year: int  # the source's year of publication
    checked: str  # how and when the figure was checked (data/SOURCES.md)

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems with one row's values, as (column, what was expected)."""
        problems = []
        if row["country"] not in cldr.territory_info():
            problems.append(("country", f"expected an ISO 3166 alpha-2 code, got "
                                        f"{row['country']!r}"))
        if not 0 <= row["share_percent"] <= 100:
            problems.append(("share_percent", f"expected a percentage 0..100, got "
                                              f"{row['share_percent']}"))
        if not 1960 <= row["data_year"] <= row["year"]:
            problems.append(("data_year", f"expected a year from 1960 to the source's year "
                                          f"{row['year']}, got {row['data_year']}"))
        return problems


def _lines(path: Path) -> list[int]:
    # read_table keeps the file's row order; this gives each row its line for the messages.
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return [reader.line_num for record in reader if record]  # DictReader skips blank lines


def read_internet_use(path: Path) -> dict[str, InternetUseRow]:
    """The table at `path` by country; InputError naming file, line and column when bad."""
    rows = read_table(path, InternetUseRow)
    first: dict[str, int] = {}
    problems = []
    for row, line in zip(rows, _lines(path), strict=True):
        if row.country in first:
            problems.append(f"{path}:{line}: column 'country': expected each country once, "
                            f"{row.country} is also on line {first[row.country]}")
        first.setdefault(row.country, line)
    if problems:
        raise InputError("bad table rows:\n  " + "\n  ".join(problems))
    return {row.country: row for row in rows}


@cache
def load_internet_use() -> dict[str, InternetUseRow]:
    """The shipped table (data/internet_use.csv)."""
    return read_internet_use(shipped_path("internet_use.csv"))


@dataclass(frozen=True)
class IncomeCurve:
    """logit(share) = intercept + slope * ln(GDP per capita), clipped to the measured range."""

    intercept: float
    slope: float
    low: float  # smallest and largest fitted share, 0..1: the curve never leaves them
    high: float
    n: int  # countries fitted

    def __call__(self, gdp_per_capita: np.ndarray) -> np.ndarray:
        """Estimated share 0..1 at each GDP per capita (PPP US dollars, > 0)."""
        z = self.intercept + self.slope * np.log(np.asarray(gdp_per_capita, dtype=float))
        return np.clip(1.0 / (1.0 + np.exp(-z)), self.low, self.high)


def usable(rows: dict[str, InternetUseRow]) -> dict[str, float]:
    """Share 0..1 of each country whose latest figure is recent enough to use."""
    return {code: row.share_percent / 100 for code, row in rows.items()
            if row.data_year >= OLDEST_USABLE_YEAR}


def fit_income_curve(shares: dict[str, float], gdp_per_capita: dict[str, float]) -> IncomeCurve:
    """Least squares of logit(share) on ln(GDP per capita) over the countries in both.

    Shares of exactly 0 or 1 have no finite logit and are left out of the fit (four Gulf
    states at 100%, North Korea at 0%); estimates stay within the fitted shares' range.
    """
    codes = sorted(c for c in shares if c in gdp_per_capita and 0 < shares[c] < 1)
    if len(codes) < 2:
        raise InputError(f"internet use: {len(codes)} countries with a share strictly between "
                         "0 and 100% and a GDP per capita; expected at least 2 to fit on")
    x = np.log([gdp_per_capita[c] for c in codes])
    p = np.array([shares[c] for c in codes])
    slope, intercept = np.polyfit(x, np.log(p / (1 - p)), 1)
    return IncomeCurve(float(intercept), float(slope), float(p.min()), float(p.max()), len(codes))


@dataclass(frozen=True)
class OnlineShares:
    """Share of people online for each country of a run (index i means `iso2[i]`)."""

    iso2: tuple[str, ...]
    share: np.ndarray  # [countries] 0..1
    year: tuple[int | None, ...]  # the measured figure's year; None where estimated
    estimated: tuple[str, ...]  # countries given the income curve's estimate
    curve: IncomeCurve


@cache
def _world_curve() -> IncomeCurve:
    gdp = {c.iso2: c.gdp_per_capita for c in load_countries()}
    return fit_income_curve(usable(load_internet_use()), gdp)


def online_share(iso2: tuple[str, ...]) -> OnlineShares:
    """Measured share of people online per country, the income curve's estimate elsewhere.

    The curve is fitted once on every measured country of the countries table, so a
    country's estimate does not depend on which others a run includes.
    """
    world = {c.iso2: c for c in load_countries()}
    unknown = [code for code in iso2 if code not in world]
    if unknown:
        raise InputError(f"internet use: unknown countries {unknown}: expected ISO alpha-2 "
                         "codes of the countries table")
    rows = load_internet_use()
    measured, curve = usable(rows), _world_curve()
    gdp = np.array([world[code].gdp_per_capita for code in iso2], dtype=float)
    is_measured = np.array([code in measured for code in iso2], dtype=bool)
    share = np.where(is_measured, [measured.get(code, 0.0) for code in iso2], curve(gdp))
    if not np.all(np.isfinite(share)):  # a negative GDP per capita has no logarithm
        bad = [code for code, value in zip(iso2, share, strict=True) if not np.isfinite(value)]
        raise InputError(f"internet use: no finite share for {bad}: expected a GDP per "
                         "capita >= 0 in the countries table")
    return OnlineShares(
        iso2=tuple(iso2),
        share=share,
        year=tuple(rows[c].data_year if c in measured else None for c in iso2),
        estimated=tuple(c for c in iso2 if c not in measured),
        curve=curve,
    )
