"""Research labs abroad: where a firm opens one.

Sales offices are per-country decisions on margin (`simulator.agents`, `simulator.
footprint`): an office sells in its own country and a little in its region. A research lab
abroad (Google DeepMind's London, the labs' Zurich and Paris teams) goes where researchers
are and choose to live (Dunning's OLI paradigm, the location advantages of a host; Dunning
1988):

  w_t log(1 + researcher pool_c) + w_o log openness_c - w_s log researcher pay_c
  - w_d CAGE distance(home_f, c)

It is opened when the firm's research target cannot be reached from the places it hires
in within the decision horizon (a capacity rule: what research buys is capability, which
the model values through users, not as a margin of its own).
"""

from __future__ import annotations

import numpy as np


def best_location(scores: np.ndarray, members: np.ndarray, allowed: np.ndarray) -> int | None:
    """The highest-scoring country among `members` where the firm may open a site."""
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
