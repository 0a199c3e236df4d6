"""History matching's arithmetic: ensemble moments, implausibility, cut-offs, new waves.

For an input x and an observation z of output f (Craig et al. 1997; Vernon et al. 2010,
eq. 9; Andrianakis et al. 2015 for stochastic models)::

    I(x) = |z - E[f(x)]| / sqrt(V_obs + V_md + V_ens(x))

V_obs is the observation's error variance, V_md the model discrepancy's (what the best
run may miss), V_ens the model's own spread at x. Our runs are cheap (well under a
second), so E[f(x)] and V_ens come from R replicate seeds at x rather than from an
emulator: a Gaussian-process emulator earns its keep when runs cost minutes, and here it
would add its own error and smooth over the model's discrete events (entry months). The
observed history is one realisation, so V_ens is the run-to-run variance s^2 plus the
variance of the replicate mean s^2 / R.

A point is non-implausible when its largest I over the observations is at most the
cut-off (3, Pukelsheim's three-sigma rule: at least 95% of any unimodal distribution lies
within 3 sd), or with `rule="second-max"` its second largest, which tolerates one
observation the model cannot meet (Vernon et al. 2010, section 5).
"""

from __future__ import annotations

import numpy as np

CUTOFF = 3.0
RULES = ("max", "second-max")
# A new wave's kernel is twice the survivors' covariance: the Gaussian random-walk kernel
# that minimises the Kullback-Leibler divergence between successive ABC populations
# (Beaumont et al. 2009, Biometrika 96).
KERNEL_SCALE = 2.0
# The variance of a uniform distribution over an interval of width 1 (s^2 / 12 for width s):
# what a cell of the evaluated design, which no run has resolved, adds in every direction.
CELL_VARIANCE = 1.0 / 12.0
# Share of a new wave drawn uniformly over the whole cube, so that a region every previous
# wave missed can still be found (a defensive mixture, Hesterberg 1995).
FRESH_SHARE = 0.1


def ensemble_moments(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and V_ens over replicates of samples shaped [points, replicates, outputs].

    V_ens = s^2 (1 + 1/R); with one replicate there is no spread to estimate (0).
    """
    replicates = samples.shape[1]
    mean = samples.mean(axis=1)
    if replicates < 2:
        return mean, np.zeros_like(mean)
    variance = samples.var(axis=1, ddof=1)
    return mean, variance * (1.0 + 1.0 / replicates)


def implausibility(observed: np.ndarray, mean: np.ndarray, v_obs: np.ndarray,
                   v_md: np.ndarray, v_ens: np.ndarray) -> np.ndarray:
    """I = |z - E[f]| / sqrt(V_obs + V_md + V_ens), broadcast over points and outputs."""
    total = np.asarray(v_obs) + np.asarray(v_md) + np.asarray(v_ens)
    return np.abs(np.asarray(observed) - mean) / np.sqrt(total)


def summary_implausibility(values: np.ndarray, rule: str = "max") -> np.ndarray:
    """Per point, the largest (or second largest) implausibility over outputs [points]."""
    if rule not in RULES:
        raise ValueError(f"expected a rule in {RULES}, got {rule!r}")
    if values.shape[1] == 0:
        return np.zeros(values.shape[0])
    ordered = np.sort(values, axis=1)
    if rule == "second-max" and values.shape[1] >= 2:
        return ordered[:, -2]
    return ordered[:, -1]


def design_spacing(evaluated: int, dims: int) -> float:
    """How far apart N evaluated points in the d-dimensional unit cube are: N^(-1/d).

    N points share the cube's unit volume, so each stands for a cell of volume 1/N, a
    cube of side N^(-1/d); nothing finer than that has been looked at.
    """
    if evaluated < 1 or dims < 1:
        raise ValueError(f"expected at least one evaluated point and one dimension, got "
                         f"{evaluated} points in {dims} dimensions")
    return float(evaluated) ** (-1.0 / dims)


def wave_kernel(anchors: np.ndarray, evaluated: int) -> np.ndarray:
    """The covariance of the Gaussian a new wave draws around each anchor [dims, dims].

    KERNEL_SCALE x (the anchors' covariance + CELL_VARIANCE s^2 I), s the evaluated
    design's spacing (`design_spacing`). An anchor was evaluated at one point but stands
    for its whole cell of side s: the design has not told that point from the rest of the
    cell. Read as the uniform mixture over those cells, the anchors' covariance is, by the
    law of total variance, the covariance of the cells' centres plus the mean covariance
    within a cell, s^2 / 12 in every direction. So two anchors in eleven dimensions give a
    kernel of full rank: along the line through them it is as wide as they are apart, and
    in the ten directions they do not span its sd is sqrt(2 / 12) s, 0.26 after wave 1's
    167 points (s = 0.63; a uniform's is 0.29): that many points in that many dimensions
    resolve nothing finer, and a kernel narrower there would claim knowledge the waves
    lack (data/scenarios/history.toml's first calibrations sampled one line this way).
    Where many anchors spread over a region, their own covariance dominates and the wave
    stays in the region (the floor adds a cell's width, no more).
    """
    dims = anchors.shape[1]
    spacing = design_spacing(max(evaluated, len(anchors)), dims)
    between = (np.atleast_2d(np.cov(anchors, rowvar=False)) if len(anchors) > 1
               else np.zeros((dims, dims)))
    return KERNEL_SCALE * (between + CELL_VARIANCE * spacing**2 * np.eye(dims))


def next_wave(anchors: np.ndarray, count: int, rng: np.random.Generator, evaluated: int,
              fresh_share: float = FRESH_SHARE) -> np.ndarray:
    """New points in the unit cube, concentrated where the anchors (unit coordinates) are.

    Without an emulator a wave cannot test a point before running it, so it samples a
    Gaussian around the points that survived so far (`wave_kernel`: twice their
    covariance, Beaumont et al. 2009, with each anchor counted as the cell of the
    `evaluated` points' design it stands for), truncated to the cube by redrawing;
    `fresh_share` of the points are uniform, so a region the previous waves missed can
    still be found.
    """
    dims = anchors.shape[1]
    fresh = int(round(count * fresh_share)) if len(anchors) else count
    points = [rng.random((fresh, dims))]
    if len(anchors):
        factor = np.linalg.cholesky(wave_kernel(anchors, evaluated))
        needed = count - fresh
        while needed > 0:  # each pass draws a wave's worth and keeps those inside the cube
            centres = anchors[rng.integers(len(anchors), size=count)]
            draws = centres + rng.standard_normal((count, dims)) @ factor.T
            inside = draws[((draws >= 0) & (draws <= 1)).all(axis=1)][:needed]
            points.append(inside)
            needed -= len(inside)
    return np.concatenate(points)[:count]
