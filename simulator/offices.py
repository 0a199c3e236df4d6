"""Offices and labs: where a firm opens a regional office, and where a research lab.

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

A research lab abroad (Google DeepMind's London, the labs' Zurich and Paris teams) goes
where researchers are and choose to live:

  w_t log(1 + researcher pool_c) + w_o log openness_c - w_s log researcher pay_c
  - w_d CAGE distance(home_f, c)

It is opened when the firm's research target cannot be reached from the places it hires
in within the decision horizon (a capacity rule: what research buys is capability, which
the model values through users, not as a margin of its own).
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


def lab_scores(researchers: np.ndarray, openness: np.ndarray, salary: np.ndarray,
               home_distance: np.ndarray, weights) -> np.ndarray:
    """Research-lab location score per firm and country ([firms, countries])."""
    place = (weights.lab_weight_talent * np.log1p(researchers)
             + weights.lab_weight_openness * np.log(np.maximum(openness, 1e-6))
             - weights.office_weight_salary * np.log(np.maximum(salary, 1.0)))
    return place[None, :] - weights.office_weight_distance * home_distance
