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


def next_wave(anchors: np.ndarray, count: int, rng: np.random.Generator,
              fresh_share: float = 0.1) -> np.ndarray:
    """New points in the unit cube, concentrated where the anchors (unit coordinates) are.

    Without an emulator a wave cannot test a point before running it, so it samples a
    kernel around the points that survived so far (a Gaussian with twice their covariance,
    Beaumont et al. 2009), truncated to the cube by redrawing; `fresh_share` of the points
    are uniform, so a region the previous waves missed can still be found.
    """
    dims = anchors.shape[1]
    fresh = int(round(count * fresh_share)) if len(anchors) else count
    points = [rng.random((fresh, dims))]
    if len(anchors):
        cov = 2.0 * np.cov(anchors, rowvar=False) if len(anchors) > 1 else np.eye(dims) * 0.01
        cov = np.atleast_2d(cov) + np.eye(dims) * 1e-6  # a degenerate set still spreads
        needed = count - fresh
        while needed > 0:
            centres = anchors[rng.integers(len(anchors), size=2 * needed)]
            draws = centres + rng.multivariate_normal(np.zeros(dims), cov, size=2 * needed)
            inside = draws[((draws >= 0) & (draws <= 1)).all(axis=1)][:needed]
            points.append(inside)
            needed -= len(inside)
    return np.concatenate(points)[:count]
