"""Where a firm may serve, sell to organisations, hire, open offices and labs, month by month.

Constraints are data (`data/availability.csv`), in both directions: a host state's rules
on foreign firms (China's licensing of generative-AI services, `firm_home = *`) and a home
state's rules on its own firms abroad (US comprehensive sanctions, the US ban on new
investment in Russia, the US outbound investment rule on AI in China, the EU's ban on AI
services to Russian organisations; `firm_home` a country or `EU` for the bloc's members).
Each row names an `activity`:

- `serve`: the firm may not offer its service there at all (consumers and organisations);
- `api`: it may not sell to organisations there (the API and enterprise channel);
- `hire`, `office`, `lab`: it may not employ staff, open a sales office or a research lab
  there;
- `*`: every one of these.

What else forbids serving (not from the table): the firm's own unsupported list
(`strategy.exclude`) and regulators' suspensions of the firm (`[[firms.suspensions]]`).
On top of that a firm is present only after it has decided to launch there and the
country's compliance delay has passed (`simulator.entry`, `simulator.agents`).

`forbidden_by_month(...)[t]` and `activity_forbidden(...)[t]` are [firms, countries] masks
for month t (1-based; row 0 is the state before the first month); `forbidding_rule` names
the row behind one cell, for advice that says why a move is absent.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from hub import cldr

ACTIVITIES = ("serve", "api", "hire", "office", "lab")  # `*` in a row: all of them
BLOC = "EU"  # a `firm_home` naming the bloc: every member state's firms
VERBS = {"serve": "serve", "api": "sell to organisations", "hire": "hire",
         "office": "open an office", "lab": "open a lab"}


def _month(text: str | None, start: date, default: int) -> int:
    """Simulated month (1-based) of an ISO date or YYYY-MM; `default` when empty."""
    if not text:
        return default
    year, month = (int(part) for part in text.split("-")[:2])
    return (year - start.year) * 12 + month - start.month + 1


def binds(rule, home: str, activity: str) -> bool:
    """Whether `rule` binds a firm from `home` for `activity`.

    `*` binds every firm from abroad (a host state's rule); `EU` every firm at home in a
    member state; otherwise the rule binds firms from that home country only.
    """
    if rule.activity not in ("*", activity):
        return False
    if rule.firm_home == "*":
        return home != rule.country
    if rule.firm_home == BLOC:
        return home in cldr.expand(BLOC)
    return home == rule.firm_home


def _mask(months: int, iso2: tuple[str, ...], homes: list[str], rules: tuple, start: date,
          activity: str) -> np.ndarray:
    forbidden = np.zeros((months + 1, len(homes), len(iso2)), dtype=bool)
    column = {code: i for i, code in enumerate(iso2)}
    for rule in rules:
        if rule.country not in column:
            continue
        for f, home in enumerate(homes):
            if binds(rule, home, activity):
                begin = max(0, _month(rule.start, start, 0))
                stop = min(months + 1, _month(rule.end, start, months + 1))
                forbidden[begin:stop, f, column[rule.country]] = True
    return forbidden


def forbidden_by_month(months: int, iso2: tuple[str, ...], homes: list[str],
                       excluded: np.ndarray, suspensions: list[list], rules: tuple,
                       start: date) -> np.ndarray:
    """[months + 1, firms, countries] bool: the firm may not serve the country that month.

    `excluded` is the firms' own unsupported lists ([firms, countries]); `suspensions` per
    firm a list of objects with country, start, end (YYYY-MM); `rules` the rows of
    data/availability.csv (those on serving).
    """
    forbidden = _mask(months, iso2, homes, rules, start, "serve")
    forbidden |= excluded[None, :, :]
    column = {code: i for i, code in enumerate(iso2)}
    for f, firm_suspensions in enumerate(suspensions):
        for suspension in firm_suspensions:
            if suspension.country in column:
                begin = max(0, _month(suspension.start, start, 0))
                stop = min(months + 1, _month(suspension.end, start, months + 1))
                forbidden[begin:stop, f, column[suspension.country]] = True
    return forbidden


def activity_forbidden(activity: str, months: int, iso2: tuple[str, ...], homes: list[str],
                       rules: tuple, start: date) -> np.ndarray:
    """[months + 1, firms, countries] bool: the rules forbid `activity` there that month.

    `activity` is one of `api`, `hire`, `office`, `lab` (serving has `forbidden_by_month`,
    which adds the firm's own list and suspensions).
    """
    if activity not in ACTIVITIES[1:]:
        raise ValueError(f"activity: expected one of {ACTIVITIES[1:]}, got {activity!r}")
    return _mask(months, iso2, homes, rules, start, activity)


def forbidding_rule(rules: tuple, home: str, country: str, activity: str, on: date):
    """The first row forbidding a firm from `home` `activity` in `country` on a date, or None."""
    month = on.strftime("%Y-%m")
    for rule in rules:
        if (rule.country == country and binds(rule, home, activity)
                and (not rule.start or rule.start[:7] <= month)
                and (not rule.end or month < rule.end[:7])):
            return rule
    return None


def _binding(rules: tuple, home: str, country: str, activity: str):
    return next((r for r in rules if r.country == country and binds(r, home, activity)), None)


def strategy_notes(firms: list, geo, rules: tuple, constraints: dict) -> list[str]:
    """Notes for the run on hiring places and sites a strategy names where the rules forbid them.

    The model ignores them while forbidden (a history scenario stays valid as written);
    each note names the row of data/availability.csv that forbids it.
    """
    notes = []
    for i, firm in enumerate(firms):
        wanted = [("hire", c) for c in geo.places(firm.strategy.hiring.countries)]
        wanted += [(site.kind, geo.index(site.country)) for site in firm.strategy.sites]
        for activity, c in wanted:
            months = np.flatnonzero(constraints[activity][:, i, c])
            if not months.size:
                continue
            rule = _binding(rules, firm.home, geo.iso2[c], activity)
            when = "" if months[0] <= 1 else f" from {rule.start}"
            notes.append(f"{firm.name}: may not {VERBS[activity]} in {geo.iso2[c]}{when} "
                         f"({rule.rule}: {rule.source_title}, {rule.source_publisher}); the "
                         f"strategy's {geo.iso2[c]} is ignored while forbidden")
    return notes
