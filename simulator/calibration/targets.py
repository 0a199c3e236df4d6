"""The observations a run is compared with, checked against a scenario, as arrays.

`Targets` holds, for the chosen observations, the observed value z, the observation
variance V_obs and the model discrepancy variance V_md (metric table), in one order that
the evaluation plan and the implausibility share. Observations the model cannot produce
(context rows) and those outside the window are left out here and listed by the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from plumbing.errors import InputError
from simulator.calibration.metrics import METRICS, metric_months
from simulator.calibration.observations import Observation
from simulator.scenario import Scenario

FLOOR_SHARE = 1e-4  # a run with no users or revenue reads as 1e-4 of the observation


@dataclass(frozen=True)
class Targets:
    """Observed values and variances of the observations used, in plan order.

    `observed`, `v_obs` and `v_md` are on each metric's comparison scale: logarithms for
    log metrics (`transform` puts model outputs there), months for events.
    """

    observations: tuple[Observation, ...]
    observed: np.ndarray
    v_obs: np.ndarray
    v_md: np.ndarray
    log: np.ndarray  # bool per observation: compared as logarithms
    floor: np.ndarray  # what "nothing" reads as on the log scale: 1e-4 x the observation

    @classmethod
    def build(cls, observations: list[Observation], start: tuple[int, int],
              discrepancy_scale: float = 1.0) -> Targets:
        """z, V_obs, V_md per observation (event metrics: months since the start).

        `discrepancy_scale` multiplies the metric table's discrepancy sd (0: none).
        """
        z, v_obs, v_md, log, floor = [], [], [], [], []
        for obs in observations:
            metric = METRICS[obs.metric]
            if metric.log_scale:  # delta method: sd of log z = sd / z
                z.append(float(np.log(obs.value)))
                v_obs.append((obs.sd / obs.value) ** 2)
            else:
                z.append(float(metric_months(*start, obs.date.year, obs.date.month)
                               if metric.event else obs.value))
                v_obs.append(obs.sd**2)
            v_md.append((metric.discrepancy * discrepancy_scale) ** 2)
            log.append(metric.log_scale)
            floor.append(obs.value * FLOOR_SHARE if metric.log_scale else 0.0)
        return cls(tuple(observations), np.array(z), np.array(v_obs), np.array(v_md),
                   np.array(log, dtype=bool), np.array(floor))

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Model outputs [..., observations] on the comparison scale."""
        out = np.array(values, dtype=float)
        out[..., self.log] = np.log(np.maximum(out[..., self.log], self.floor[self.log]))
        return out

    def to_units(self, j: int, values: np.ndarray | float) -> np.ndarray:
        """Observation j's values from the comparison scale back to its units."""
        return np.exp(values) if self.log[j] else np.asarray(values, dtype=float)

    def untransform(self, values: np.ndarray) -> np.ndarray:
        """Back from the comparison scale to the observations' units (months for events)."""
        out = np.array(values, dtype=float)
        out[..., self.log] = np.exp(out[..., self.log])
        return out


def select(observations: list[Observation], role: str, first: date | None,
           last: date) -> list[Observation]:
    """Modelled observations of `role` dated within [first, last] (month precision)."""
    def month(d: date) -> tuple[int, int]:
        return d.year, d.month

    return [o for o in observations if o.role == role and o.modelled
            and (first is None or month(o.date) >= month(first))
            and month(o.date) <= month(last)]


def check_against(observations: list[Observation], scenario: Scenario, path: str,
                  markets: set[str], start: tuple[int, int]) -> None:
    """Refuse observations the scenario cannot produce: unknown firm, country not a market."""
    firms = [f.name for f in scenario.firms]
    problems = []
    for obs in observations:
        where = f"{path}: row {obs.row}"
        if obs.firm not in firms:
            problems.append(f"{where}: firm: expected one of the scenario's firms "
                            f"({', '.join(firms)}), got {obs.firm!r}")
        if obs.geography not in ("world", "EU") and obs.geography not in markets:
            problems.append(f"{where}: geography: expected a market of the scenario, "
                            f"{obs.geography!r} is not one")
        if metric_months(*start, obs.date.year, obs.date.month) < 1:
            problems.append(f"{where}: date: expected a date from the scenario's start "
                            f"{start[0]}-{start[1]:02d} on, got {obs.date.isoformat()}")
    if problems:
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        raise InputError(f"observations do not fit {scenario.source or scenario.name} "
                         f"({count}):\n" + "\n".join(problems))
