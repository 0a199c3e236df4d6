"""Offices: where a firm opens the regional office that serves a region's markets.

Where real labs put their first offices abroad (Dublin, London, Singapore, Paris, Tokyo)
is not where they sell most, but where a region is best served from: a location choice
(Dunning's OLI paradigm: the location advantages of a host, Dunning 1988). Score of a
country c for firm f, the larger the better:

  w_market log GDP_c + w_talent log(talent pool_c) - w_salary log(salary_c)
  + w_regulator [c has its own AI or privacy regulator, or is in the EU]
  - w_distance CAGE distance(home_f, c)

The EU's GDPR gives a firm one lead supervisory authority where it has its main
establishment in the Union (Art. 56), which is why any member counts as a regulator seat.
Whether to open a region's office at all is a margin decision (`simulator.agents`): the
region's extra revenue per user at office level against the office's set-up and running
cost over the decision horizon.
"""

from __future__ import annotations

import numpy as np


def office_scores(gdp_usd: np.ndarray, talent_pool: np.ndarray, salary: np.ndarray,
                  regulator: np.ndarray, home_distance: np.ndarray, weights) -> np.ndarray:
    """Location score per firm and country ([firms, countries]); `weights` are Parameters."""
    place = (weights.office_weight_market * np.log(np.maximum(gdp_usd, 1.0))
             + weights.office_weight_talent * np.log1p(talent_pool)
             - weights.office_weight_salary * np.log(np.maximum(salary, 1.0))
             + weights.office_weight_regulator * regulator)
    return place[None, :] - weights.office_weight_distance * home_distance


def best_location(scores: np.ndarray, members: np.ndarray, allowed: np.ndarray) -> int | None:
    """The highest-scoring country of a region where the firm may have an office."""
    candidate = members & allowed
    if not candidate.any():
        return None
    return int(np.argmax(np.where(candidate, scores, -np.inf)))
