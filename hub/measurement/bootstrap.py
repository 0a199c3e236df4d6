"""Seeded percentile-bootstrap intervals for ratios of sums over evaluation rows.

Every figure the technology signal reports per language is a ratio of sums over the rows of
its evaluation set (bits over characters, translation bits over English bits, tokens over
English tokens). The rows are the unit of sampling: resampling them with replacement
`resamples` times and taking the 2.5th and 97.5th percentiles of the recomputed ratio gives
a 95% interval. The generator is seeded, so the same rows always give the same interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
SEED = 20231
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A ratio of sums with its bootstrap interval."""

    value: float
    low: float
    high: float


def ratio_interval(
    numerators: Sequence[float],
    denominators: Sequence[float],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> Interval:
    """sum(numerators) / sum(denominators) and its percentile-bootstrap interval.

    Args:
        numerators: one value per row (e.g. bits the model spends on the row).
        denominators: one value per row, same length (e.g. the row's characters).
        resamples: bootstrap resamples.
        seed: seed of numpy's default generator.
        level: coverage of the interval.

    Raises:
        ValueError: different lengths, no rows, or a zero denominator sum.
    """
    top = np.asarray(numerators, dtype=np.float64)
    bottom = np.asarray(denominators, dtype=np.float64)
    if top.shape != bottom.shape or top.ndim != 1 or len(top) == 0:
        raise ValueError(
            f"a ratio interval needs equally many numerators and denominators, at least one; "
            f"got {top.shape} and {bottom.shape}"
        )
    if bottom.sum() == 0:
        raise ValueError("a ratio interval needs a denominator sum above 0")
    value = float(top.sum() / bottom.sum())
    if len(top) == 1:
        return Interval(value, value, value)  # one row: nothing to resample
    picks = np.random.default_rng(seed).integers(0, len(top), size=(resamples, len(top)))
    sums = bottom[picks].sum(axis=1)
    # A resample whose denominator is all zeros has no ratio; it is left out.
    ratios = top[picks].sum(axis=1)[sums > 0] / sums[sums > 0]
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return Interval(value, float(low), float(high))
