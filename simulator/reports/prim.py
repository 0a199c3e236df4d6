"""PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999), for scenario discovery.

Finds a box (a range per parameter) where a binary outcome (e.g. "this strategy wins") is
far more frequent than overall, by peeling: at each step remove the `alpha` share of the
remaining points from the low or high end of one parameter, whichever removal leaves the
highest mean outcome, until every removal would leave less than `min_mass` of the points.
A removal that would pin a parameter to a single value (a zero-width range such as
"2.01 .. 2.01") is never made: on a sample that is one point's coordinate, not a range. The
box reported is, as in Bryant and Lempert (2010), the densest one on the peeling trajectory
that still covers at least `min_coverage` of the cases of interest.

Each restricted parameter gets the quasi-p-value of EMA Workbench's PRIM (Bryant and Lempert
2010): drop that one restriction, take the density of the wider box as the chance that a
point is a case of interest, and ask how likely the box's count of cases of interest among
its points would be under that chance (one-sided binomial test). A large value says the
restriction adds little over the rest of the box.

Written here rather than imported: the EMA Workbench (which has PRIM) would pull in
scikit-learn, statsmodels, seaborn, matplotlib and Platypus for these ~100 lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import binomtest

MIN_MASS = 0.05  # Friedman and Fisher's (and EMA Workbench's) default smallest box share
ALPHA = 0.05  # share peeled per step, the same sources' default
MIN_COVERAGE = 0.5  # Bryant and Lempert's choice of the densest box covering half the cases


@dataclass(frozen=True)
class PrimBox:
    """A box of parameter ranges with its statistics on the data it was found on."""

    limits: dict[str, tuple[float, float]]  # every parameter's range in the box
    restricted: tuple[str, ...]  # parameters whose range the box narrows
    coverage: float  # share of all cases of interest that lie in the box
    density: float  # share of the box's points that are cases of interest
    mass: float  # share of all points in the box
    base_density: float  # share of cases of interest overall
    # Per restricted parameter, the one-sided binomial quasi-p-value of its restriction.
    quasi_p: dict[str, float] = field(default_factory=dict)
    min_mass: float = MIN_MASS  # the smallest mass the peeling allowed

    def significance(self, name: str) -> str:
        """The restriction's quasi-p-value as reports print it ("p=0.03", "p<0.001")."""
        value = self.quasi_p[name]
        return "p<0.001" if value < 0.001 else f"p={value:.2g}"


def _inside(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.all((x >= low) & (x <= high), axis=1)


def quasi_p_values(x: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray,
                   full_low: np.ndarray, full_high: np.ndarray) -> list[float]:
    """Per parameter, the quasi-p-value of the box's restriction on it (1 where unrestricted).

    For parameter j: p_j = density of the box with j's range widened to the full range;
    the value is P(X >= cases of interest in the box) for X ~ Binomial(points in box, p_j).
    """
    members = _inside(x, low, high)
    hits, points = int(y[members].sum()), int(members.sum())
    values = []
    for j in range(x.shape[1]):
        if (low[j] <= full_low[j] and high[j] >= full_high[j]) or points == 0:
            values.append(1.0)
            continue
        wide_low, wide_high = low.copy(), high.copy()
        wide_low[j], wide_high[j] = full_low[j], full_high[j]
        wider = _inside(x, wide_low, wide_high)
        values.append(float(binomtest(hits, points, y[wider].mean(), alternative="greater").pvalue))
    return values


def _best_peel(x, y, inside, low, high, alpha, min_points):
    # The removal (one end of one parameter) that leaves the highest mean outcome.
    best = None
    for j in range(x.shape[1]):
        values = x[inside, j]
        for side, bound in (("low", np.quantile(values, alpha, method="higher")),
                            ("high", np.quantile(values, 1 - alpha, method="lower"))):
            keep = inside & ((x[:, j] > bound) if side == "low" else (x[:, j] < bound))
            kept = int(keep.sum())
            if kept < min_points or kept == int(inside.sum()):
                continue
            # The new edge sits on the kept points' extreme, so the box is exactly what it keeps.
            edge = x[keep, j].min() if side == "low" else x[keep, j].max()
            if (edge >= high[j]) if side == "low" else (edge <= low[j]):
                continue  # a zero-width range: refused
            mean = y[keep].mean()
            if best is None or mean > best[0]:
                best = (mean, j, side, edge, keep)
    return best


def peel(x: np.ndarray, y: np.ndarray, names: list[str], alpha: float = ALPHA,
         min_mass: float = MIN_MASS, min_coverage: float = MIN_COVERAGE) -> PrimBox:
    """The PRIM box for outcome `y` (bool per row of `x`, one column per name in `names`).

    Raises:
        ValueError: mismatched shapes, no points, or `alpha`/`min_mass` outside (0, 1).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=bool)
    if x.ndim != 2 or x.shape[0] != y.size or x.shape[1] != len(names) or y.size == 0:
        raise ValueError("expected x [points, parameters], y [points], one name per parameter")
    if not 0 < alpha < 0.5 or not 0 < min_mass <= 1:
        raise ValueError(f"alpha must lie in (0, 0.5) and min_mass in (0, 1]; "
                         f"got alpha={alpha}, min_mass={min_mass}")
    low, high = x.min(axis=0), x.max(axis=0)
    full_low, full_high = low.copy(), high.copy()
    total, positives = y.size, max(int(y.sum()), 1)
    min_points = int(np.ceil(min_mass * total))
    trajectory = [(low.copy(), high.copy())]
    inside = np.ones(total, dtype=bool)
    while (best := _best_peel(x, y, inside, low, high, alpha, min_points)) is not None:
        _, j, side, edge, inside = best
        low, high = low.copy(), high.copy()
        (low if side == "low" else high)[j] = edge
        trajectory.append((low, high))
    stats = []
    for box_low, box_high in trajectory:
        members = _inside(x, box_low, box_high)
        covered = (y & members).sum() / positives
        stats.append((covered, y[members].mean(), members.mean()))
    eligible = [i for i, s in enumerate(stats) if s[0] >= min_coverage] or [0]
    chosen = max(eligible, key=lambda i: (stats[i][1], -i))
    box_low, box_high = trajectory[chosen]
    limits = {n: (float(lo), float(hi)) for n, lo, hi in zip(names, box_low, box_high, strict=True)}
    restricted = tuple(n for n, lo, hi, flo, fhi in
                       zip(names, box_low, box_high, full_low, full_high, strict=True)
                       if lo > flo or hi < fhi)
    quasi = dict(zip(names, quasi_p_values(x, y, box_low, box_high, full_low, full_high),
                     strict=True))
    coverage, density, mass = stats[chosen]
    return PrimBox(limits, restricted, float(coverage), float(density), float(mass),
                   float(y.mean()), {n: quasi[n] for n in restricted}, min_mass)
