"""PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999), for scenario discovery.

Finds a box (a range per parameter) where a binary outcome (e.g. "this strategy wins") is
far more frequent than overall, by peeling: at each step remove the `alpha` share of the
remaining points from the low or high end of one parameter, whichever removal leaves the
highest mean outcome, until the box holds less than `min_mass` of the points. The box
reported is, as in Bryant and Lempert (2010), the densest one on the peeling trajectory that
still covers at least `min_coverage` of the cases of interest.

Written here rather than imported: the EMA Workbench (which has PRIM) would pull in
scikit-learn, statsmodels, seaborn, matplotlib and Platypus for these ~80 lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PrimBox:
    """A box of parameter ranges with its statistics on the data it was found on."""

    limits: dict[str, tuple[float, float]]  # every parameter's range in the box
    restricted: tuple[str, ...]  # parameters whose range the box narrows
    coverage: float  # share of all cases of interest that lie in the box
    density: float  # share of the box's points that are cases of interest
    mass: float  # share of all points in the box
    base_density: float  # share of cases of interest overall


def _inside(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.all((x >= low) & (x <= high), axis=1)


def peel(x: np.ndarray, y: np.ndarray, names: list[str], alpha: float = 0.05,
         min_mass: float = 0.05, min_coverage: float = 0.5) -> PrimBox:
    """The PRIM box for outcome `y` (bool per row of `x`, one column per name in `names`)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=bool)
    if x.ndim != 2 or x.shape[0] != y.size or x.shape[1] != len(names):
        raise ValueError("expected x [points, parameters], y [points], one name per parameter")
    low, high = x.min(axis=0), x.max(axis=0)
    full_low, full_high = low.copy(), high.copy()
    total, positives = y.size, max(int(y.sum()), 1)
    trajectory = [(low.copy(), high.copy())]
    inside = np.ones(total, dtype=bool)
    while inside.sum() / total > min_mass:
        best = None
        for j in range(x.shape[1]):
            values = x[inside, j]
            for side, bound in (("low", np.quantile(values, alpha, method="higher")),
                                ("high", np.quantile(values, 1 - alpha, method="lower"))):
                keep = inside & ((x[:, j] > bound) if side == "low" else (x[:, j] < bound))
                if keep.sum() == 0 or keep.sum() == inside.sum():
                    continue
                mean = y[keep].mean()
                if best is None or mean > best[0]:
                    best = (mean, j, side, bound, keep)
        if best is None:
            break
        _, j, side, bound, keep = best
        if keep.sum() / total < min_mass:
            break
        inside = keep
        low, high = low.copy(), high.copy()
        # The box edge sits on the kept points' extreme, so the box is exactly what it keeps.
        if side == "low":
            low[j] = x[inside, j].min()
        else:
            high[j] = x[inside, j].max()
        trajectory.append((low, high))
    stats = []
    for box_low, box_high in trajectory:
        members = _inside(x, box_low, box_high)
        covered = (y & members).sum() / positives
        stats.append((covered, y[members].mean() if members.any() else 0.0, members.mean()))
    eligible = [i for i, s in enumerate(stats) if s[0] >= min_coverage] or [0]
    chosen = max(eligible, key=lambda i: (stats[i][1], -i))
    box_low, box_high = trajectory[chosen]
    limits = {n: (float(lo), float(hi)) for n, lo, hi in zip(names, box_low, box_high, strict=True)}
    restricted = tuple(n for n, lo, hi, flo, fhi in
                       zip(names, box_low, box_high, full_low, full_high, strict=True)
                       if lo > flo or hi < fhi)
    coverage, density, mass = stats[chosen]
    return PrimBox(limits, restricted, float(coverage), float(density), float(mass),
                   float(y.mean()))
