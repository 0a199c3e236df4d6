"""Experimental designs over the uncertain parameters: the points a sweep runs.

- `grid`: full factorial, `levels` evenly spaced values per parameter, ends included.
- `random`: `samples` uniform draws (numpy, seeded by the sweep's seed).
- `latin`: Latin hypercube of `samples` points (`scipy.stats.qmc.LatinHypercube`, McKay,
  Beckman and Conover 1979): every parameter's range is cut into `samples` equal strata
  and each stratum is sampled exactly once.
- `sobol`: Saltelli's scheme for Sobol' indices (`SALib.sample.sobol`, Saltelli 2002,
  Saltelli et al. 2010): N x (k + 2) points, or N x (2k + 2) with second-order indices,
  in the order `SALib.analyze.sobol` expects them back.

With no uncertain parameter every design is one point (the scenario as written).
"""

from __future__ import annotations

import itertools

import numpy as np

from simulator.batch.sweep import Design


def salib_problem(ranges: dict[str, tuple[float, float]]) -> dict:
    """The SALib problem dict for these parameter ranges (same order as the design columns)."""
    return {
        "num_vars": len(ranges),
        "names": list(ranges),
        "bounds": [[float(lo), float(hi)] for lo, hi in ranges.values()],
    }


def design_points(design: Design, ranges: dict[str, tuple[float, float]], seed: int) -> np.ndarray:
    """Points to run, shape [points, parameters], columns in the order of `ranges`."""
    k = len(ranges)
    if k == 0:
        return np.zeros((1, 0))
    low = np.array([lo for lo, _ in ranges.values()], dtype=float)
    high = np.array([hi for _, hi in ranges.values()], dtype=float)
    if design.kind == "grid":
        axes = [np.linspace(lo, hi, design.levels) for lo, hi in zip(low, high, strict=True)]
        return np.array(list(itertools.product(*axes)), dtype=float)
    if design.kind == "random":
        rng = np.random.default_rng(seed)
        return low + rng.random((design.samples, k)) * (high - low)
    if design.kind == "latin":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed)).random(design.samples)
        return qmc.scale(unit, low, high)
    from SALib.sample import sobol

    return sobol.sample(salib_problem(ranges), design.samples,
                        calc_second_order=design.second_order, seed=seed)


def design_size(design: Design, parameters: int) -> int:
    """How many points `design_points` returns for this many parameters."""
    if parameters == 0:
        return 1
    if design.kind == "grid":
        return design.levels**parameters
    if design.kind == "sobol":
        return design.samples * ((2 if design.second_order else 1) * parameters + 2)
    return design.samples
