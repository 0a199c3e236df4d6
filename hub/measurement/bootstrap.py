"""Seeded bootstrap intervals for ratios of sums over evaluation rows, by scipy.

Every figure the technology signal reports per language is a ratio of sums over the rows of
its evaluation set (bits over characters, translation bits over English bits, tokens over
English tokens). The rows are the unit of sampling: `scipy.stats.bootstrap` resamples them
with replacement (numerator and denominator of a row together: `paired=True`) `resamples`
times and recomputes the ratio. The interval is the percentile one (2.5th and 97.5th
percentiles for 95%): the figures published so far were made that way, and scipy's
percentile interval with the same seeded generator is the same interval (the draws are
numpy's `integers(0, n, (resamples, n))` in both). `method="BCa"` gives the bias-corrected
and accelerated interval instead. The generator is seeded, so the same rows always give the
same interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
SEED = 20231
LEVEL = 0.95
METHOD = "percentile"  # what every published interval used; "BCa" on request


@dataclass(frozen=True)
class Interval:
    """A ratio of sums with its bootstrap interval."""

    value: float
    low: float
    high: float


def _ratio_of_sums(top: np.ndarray, bottom: np.ndarray, axis: int = -1) -> np.ndarray:
    # A resample whose denominators are all zero has no ratio (NaN).
    over = bottom.sum(axis=axis)
    return np.divide(top.sum(axis=axis), over, out=np.full_like(over, np.nan), where=over != 0)


def ratio_interval(
    numerators: Sequence[float],
    denominators: Sequence[float],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
    method: str = METHOD,
) -> Interval:
    """sum(numerators) / sum(denominators) and its bootstrap interval (scipy.stats.bootstrap).

    Args:
        numerators: one value per row (e.g. bits the model spends on the row).
        denominators: one value per row, same length (e.g. the row's characters).
        resamples: bootstrap resamples.
        seed: seed of numpy's default generator.
        level: coverage of the interval.
        method: scipy's interval method: "percentile" or "BCa".

    Raises:
        ValueError: different lengths, no rows, a zero denominator sum, or so many zero
            denominators that some resample has no ratio.
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
    value = float(_ratio_of_sums(top, bottom))
    if len(top) == 1:
        return Interval(value, value, value)  # one row: nothing to resample
    from scipy.stats import bootstrap  # 1 s to import: only where an interval is computed

    found = bootstrap(
        (top, bottom), _ratio_of_sums, n_resamples=resamples, confidence_level=level,
        method=method, paired=True, vectorized=True, rng=np.random.default_rng(seed),
    )  # fmt: skip
    low, high = found.confidence_interval
    if np.isnan(low) or np.isnan(high):
        raise ValueError(
            f"no {method} bootstrap interval: a resample with only zero denominators "
            f"(or, for BCa, rows too alike to correct for bias)"
        )
    return Interval(value, float(low), float(high))
