"""Where a firm's service may be offered, month by month: a digital service's availability.

A chat service is available in every country its rules permit at once; what forbids a
country to a firm (all from data, none from the entry rule):
- data/availability.csv: blocks of foreign services (a country against every firm from
  abroad, `firm_home = *`) and sanctions (a home state against its own firms serving a
  country), each with its dates;
- the firm's own unsupported list (`strategy.exclude`);
- regulators' suspensions of the firm (`[[firms.suspensions]]`, calendar months).
On top of that a firm is present only after it has decided to launch there and the
country's compliance delay has passed (`simulator.entry`, `simulator.agents`).

`forbidden_by_month(...)[t]` is the [firms, countries] mask for month t (1-based; row 0 is
the state before the first month).
"""

from __future__ import annotations

from datetime import date

import numpy as np


def _month(text: str | None, start: date, default: int) -> int:
    """Simulated month (1-based) of an ISO date or YYYY-MM; `default` when empty."""
    if not text:
        return default
    year, month = (int(part) for part in text.split("-")[:2])
    return (year - start.year) * 12 + month - start.month + 1


def forbidden_by_month(months: int, iso2: tuple[str, ...], homes: list[str],
                       excluded: np.ndarray, suspensions: list[list], rules: tuple,
                       start: date) -> np.ndarray:
    """[months + 1, firms, countries] bool: the firm may not serve the country that month.

    `excluded` is the firms' own unsupported lists ([firms, countries]); `suspensions` per
    firm a list of objects with country, start, end (YYYY-MM); `rules` the rows of
    data/availability.csv.
    """
    forbidden = np.zeros((months + 1, len(homes), len(iso2)), dtype=bool)
    forbidden |= excluded[None, :, :]
    column = {code: i for i, code in enumerate(iso2)}
    intervals = []
    for rule in rules:
        if rule.country not in column:
            continue
        for f, home in enumerate(homes):
            applies = home != rule.country if rule.firm_home == "*" else home == rule.firm_home
            if applies:
                intervals.append((f, column[rule.country], rule.start, rule.end))
    for f, firm_suspensions in enumerate(suspensions):
        for suspension in firm_suspensions:
            if suspension.country in column:
                intervals.append((f, column[suspension.country], suspension.start,
                                  suspension.end))
    for f, c, first, end in intervals:
        begin = max(0, _month(first, start, 0))
        stop = min(months + 1, _month(end, start, months + 1))
        forbidden[begin:stop, f, c] = True
    return forbidden
