"""When each firm's model improvements reach users: capability moves in releases.

A lab's research raises its knowledge stock every month (simulator.talent), but users
meet a model only when it ships, on a dated release, not along a smooth curve. So the
capability the market sees (the logit's capability term and the adoption ceiling,
simulator.market) is the knowledge stock at the firm's last release, held until the next.

A firm with a model family releases on its family's published dates (the generations of
data/language_quality.csv, simulator.family_quality) and, after the last one, every
`generation_months` (its training cadence, the one simulator.firm_economics pays for); a
firm without a family releases every `generation_months` from its launch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.family_quality import release_months

if TYPE_CHECKING:
    from simulator.scenario import Scenario


def release_schedule(published: list[np.ndarray | None], launch_months: np.ndarray,
                     generation_months: np.ndarray, months: int) -> np.ndarray:
    """[months + 1, firms] bool: the months each firm's next model goes live.

    `published[f]` holds the months its family's generations serve from (None without a
    family); the cadence continues from the last of them, or from the firm's launch.
    """
    schedule = np.zeros((months + 1, len(launch_months)), dtype=bool)
    for f, dated in enumerate(published):
        first = max(int(launch_months[f]), 1)
        dated_months = [] if dated is None else [int(m) for m in dated if m > first]
        schedule[[m for m in dated_months if m <= months], f] = True
        last = dated_months[-1] if dated_months else first
        schedule[last + int(generation_months[f])::int(generation_months[f]), f] = True
    return schedule


def released_knowledge(released: np.ndarray, knowledge: np.ndarray,
                       releasing: np.ndarray) -> np.ndarray:
    """The capability each firm serves after this month's releases ([firms])."""
    return np.where(releasing, knowledge, released)


def scenario_schedule(scenario: Scenario, months: int) -> np.ndarray:
    """`release_schedule` of the scenario's firms over `months`: families, launches, cadence."""
    dates = scenario.month_dates(months + 1)
    return release_schedule(
        [release_months(f.model.family, dates) if f.model.family else None
         for f in scenario.firms],
        np.array([f.launch_month for f in scenario.firms]),
        np.array([f.model.generation_months for f in scenario.firms]), months)
