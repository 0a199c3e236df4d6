"""Moves the data forbids a firm: which row of data/availability.csv, and why a move is absent.

Advice never proposes what sanctions, export and investment controls or host states' blocks
forbid the firm (`simulator.availability`); a user asking "why no enter-RU?" gets the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.advice.decision import Decision
from simulator.availability import VERBS, forbidding_rule
from simulator.scenario import Scenario
from simulator.scenario.firm import Firm
from simulator.world.curated import load_availability

# Move kinds and the activity of data/availability.csv each needs; a data region and a
# partner's channel sell where the firm serves organisations (api), a price tier where it serves.
ACTIVITY_OF = {"enter": ("serve",), "hire": ("hire",), "office": ("office",), "lab": ("lab",),
               "region": ("serve", "api"), "channel": ("serve",), "tier": ("serve",)}


@dataclass
class Forbidden:
    """Rows of data/availability.csv binding one firm over a scenario, and the moves they hid."""

    scenario: Scenario
    firm: Firm
    decision: Decision | None = None  # the decision (default: the scenario's start)
    absent: list[tuple[str, str]] = field(default_factory=list)  # (move name, why)

    def rule(self, activity: str, country: str, name: str):
        """The row forbidding `activity` in `country` (noting `name` as absent), or None."""
        # In force at the decision or for good by the horizon's end: a lasting breach either
        # way (a rule lifted or begun mid-run is left to the run, which keeps its dates).
        dates = self.scenario.month_dates(self.scenario.months)
        first = dates[self.decision.month - 1] if self.decision else dates[0]
        rule = next((r for r in (forbidding_rule(load_availability(), self.firm.home, country,
                                                 activity, on) for on in (first, dates[-1]))
                     if r is not None), None)
        if rule is not None:
            since = f"since {rule.start}" if rule.start else "in force before the run"
            self.absent.append((name, f"{self.firm.home} firms may not "
                                      f"{VERBS[activity]} in {country}: data/availability.csv, "
                                      f"{rule.rule} {since} ({rule.source_title}, "
                                      f"{rule.source_publisher}): {rule.note}"))
        return rule

    def allows(self, activities: tuple[str, ...], country: str, name: str) -> bool:
        """Whether no row forbids any of `activities` there (the first forbidding is noted)."""
        return not any(self.rule(activity, country, name) for activity in activities)

    def first(self, activity: str, order: list[int], iso2: tuple[str, ...],
              count: int, name: str | None = None) -> list[int]:
        """The first `count` countries of `order` the rows allow; those passed over are noted.

        `name` is the moves' name with `{}` for the country (default `ACTIVITY-{}`).
        """
        chosen, name = [], name or f"{activity}-{{}}"
        for i in order:
            if len(chosen) == count:
                break
            if not self.rule(activity, iso2[i], name.format(iso2[i])):
                chosen.append(i)
        return chosen


def why_absent(scenario: Scenario, firm_name: str, move_name: str,
               decision: Decision | None = None) -> str | None:
    """Why a move such as `enter-RU`, `hire-CN` or `region-CN-cloud` is not generated.

    The row of data/availability.csv that forbids it (rule, date, source, note), or None
    where no row does (the move may still be absent for another reason: the firm hires or
    serves there already, or the country is not among the candidates).
    """
    kind, _, rest = move_name.partition("-")
    country = rest.split("-")[0]
    activities = ACTIVITY_OF.get(kind)
    if activities is None or len(country) != 2:
        return None
    from simulator.advice.moves import find_firm  # moves imports this module

    rules = Forbidden(scenario, find_firm(scenario, firm_name), decision)
    return rules.absent[0][1] if rules.allows(activities, country, move_name) is False else None
