"""Entry and commitment: which market a firm enters next and when it commits further.

The establishment chain itself (levels, offices, pending launches) is owned by
`simulator.footprint`; this module holds the rules for where and when to go.

Entry rules (`digital`, the default, launches in every permitted country after its
compliance delay, in the order of expected margin while cash pays compliance:
`simulator.agents`, `simulator.decisions`; the sequential rules below take one market at a
time among those whose expected margin is positive):
- `uppsala` (Johanson and Vahlne 1977, 2009): enter the psychically nearest market first.
  Psychic distance = the CAGE distance from home plus the regulatory burden
  1 - 1 / (1 + compliance cost / (burden_revenue_share x market potential)); commit one step
  further once experience there reaches learning_months x (1 + uppsala_distance_weight x
  psychic distance) (the risk rule:
  experience lowers uncertainty, more of it is needed where the market is farther).
- `gravity` (Tinbergen 1962; coefficients of Head and Mayer 2014): enter the market with
  the largest potential^mass / (distance + 0.05)^distance_elasticity, scaled by 1 / (1 +
  burden); commit after learning_months whatever the distance.
- `explicit`: the strategy's own list, in order.
A market whose compliance cost the firm cannot pay while keeping its cash reserve waits.
"""

from __future__ import annotations

import numpy as np

DISTANCE_FLOOR = 0.05  # CAGE distance of the nearest foreign markets is ~0.05-0.1


def regulatory_burden(compliance_cost: np.ndarray, potential: np.ndarray,
                      revenue_share: float) -> np.ndarray:
    """0..1: compliance cost against `revenue_share` of the market's yearly revenue potential.

    (A dollar is added so a market with no potential has a defined, full burden.)
    """
    return 1.0 - 1.0 / (1.0 + compliance_cost / (revenue_share * potential + 1.0))


def entry_keys(rule: str, home_distance: np.ndarray, potential: np.ndarray,
               burden: np.ndarray, mass_elasticity: float,
               distance_elasticity: float) -> np.ndarray:
    """Sort key per country (lowest enters first) for the `uppsala` and `gravity` rules."""
    if rule == "uppsala":
        return home_distance + burden
    if rule == "gravity":
        log_score = (
            mass_elasticity * np.log(potential + 1.0)
            - distance_elasticity * np.log(home_distance + DISTANCE_FLOOR)
            + np.log(1.0 - burden)
        )
        return -log_score
    raise ValueError(f"rule {rule!r} has no sort key")


def next_market(keys: np.ndarray, candidate: np.ndarray, jitter: np.ndarray) -> int | None:
    """The candidate with the lowest key (the entry stream's small jitter breaks ties)."""
    if not candidate.any():
        return None
    return int(np.argmin(np.where(candidate, keys + jitter, np.inf)))


def explicit_next(order: list[int], candidate: np.ndarray) -> int | None:
    """First country of the firm's own list it has not entered yet."""
    return next((i for i in order if candidate[i]), None)


def experience_needed(rule: str, psychic_distance: np.ndarray, learning_months: float,
                      distance_weight: float) -> np.ndarray:
    """Months at a level before the next step (Uppsala's risk rule scales with distance)."""
    if rule == "uppsala":
        return learning_months * (1.0 + distance_weight * psychic_distance)
    return np.full_like(psychic_distance, learning_months)
