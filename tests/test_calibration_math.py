"""History matching's arithmetic against mogp-emulator's HistoryMatching and a textbook case.

Also the waves' sampler: no line from two survivors, a region's survivors keep the wave there.
"""

import numpy as np
import pytest

from simulator.calibration.implausibility import (
    CELL_VARIANCE,
    KERNEL_SCALE,
    design_spacing,
    ensemble_moments,
    implausibility,
    next_wave,
    summary_implausibility,
)


def test_implausibility_and_cutoff_match_mogp_emulator():
    mogp = pytest.importorskip("mogp_emulator")
    from mogp_emulator.GaussianProcess import PredictResult

    rng = np.random.default_rng(3)
    samples = rng.normal(rng.uniform(-2, 2, (200, 1, 1)), 0.3, (200, 6, 1))
    mean, v_ens = ensemble_moments(samples)
    z, v_obs, v_md = 0.4, 0.05, 0.02
    ours = implausibility(z, mean[:, 0], v_obs, v_md, v_ens[:, 0])
    matcher = mogp.HistoryMatching(
        obs=[z, v_obs], expectations=PredictResult(mean=mean[:, 0], unc=v_ens[:, 0], deriv=None),
        threshold=3.0)
    np.testing.assert_allclose(ours, matcher.get_implausibility(v_md), rtol=1e-12)
    assert list(np.flatnonzero(ours <= 3.0)) == list(matcher.get_NROY(v_md))
    assert 0 < (ours <= 3.0).sum() < len(ours)  # the case rules some points out, not all


def test_textbook_linear_model_keeps_the_true_slope_and_rules_out_the_rest():
    # f(x) = x t + noise observed at t = 10 with known noise: the non-implausible slopes
    # are |z - 10 x| <= 3 sqrt(V), an interval of half-width 3 sqrt(V) / 10 around z / 10.
    rng = np.random.default_rng(0)
    slopes = np.linspace(0, 2, 401)
    true_slope, noise_sd, obs_sd = 1.3, 0.5, 0.2
    z = 10 * true_slope
    runs = 10 * slopes[:, None, None] + rng.normal(0, noise_sd, (401, 50, 1))
    mean, v_ens = ensemble_moments(runs)
    values = implausibility(z, mean, obs_sd**2, 0.0, v_ens)[:, 0]
    kept = slopes[values <= 3.0]
    half_width = 3 * np.sqrt(obs_sd**2 + noise_sd**2 * (1 + 1 / 50)) / 10
    assert kept.min() == pytest.approx(true_slope - half_width, abs=0.02)
    assert kept.max() == pytest.approx(true_slope + half_width, abs=0.02)


def test_second_max_rule_tolerates_one_unmet_observation():
    values = np.array([[0.5, 1.0, 9.0], [4.0, 3.5, 0.1], [1.0, 2.0, 2.5]])
    assert list(summary_implausibility(values, "max")) == [9.0, 4.0, 2.5]
    assert list(summary_implausibility(values, "second-max")) == [1.0, 3.5, 2.0]
    with pytest.raises(ValueError, match="rule"):
        summary_implausibility(values, "mean")


def test_one_replicate_has_no_ensemble_variance_and_more_replicates_shrink_nothing():
    single = np.ones((3, 1, 2))
    assert not ensemble_moments(single)[1].any()
    rng = np.random.default_rng(1)
    many = rng.normal(0, 2.0, (1, 4000, 1))
    assert ensemble_moments(many)[1][0, 0] == pytest.approx(4.0, rel=0.08)  # s^2 (1 + 1/R)


def test_next_wave_stays_in_the_cube_and_concentrates_near_the_survivors():
    rng = np.random.default_rng(5)
    anchors = rng.normal([0.8, 0.2], 0.02, (30, 2))
    points = next_wave(anchors, 500, rng, evaluated=1000)
    assert points.shape == (500, 2)
    assert ((points >= 0) & (points <= 1)).all()
    near = (np.abs(points - [0.8, 0.2]) < 0.15).all(axis=1)
    assert near.mean() > 0.8  # the kernel's share (90%) sits around the anchors
    assert near.mean() < 1.0  # the fresh uniform share still explores


def _unresolved_directions(anchors: np.ndarray) -> np.ndarray:
    """An orthonormal basis [dims, k] of the directions the anchors' differences miss."""
    spanned = anchors[1:] - anchors[0]
    _, _, vt = np.linalg.svd(np.vstack([spanned, np.zeros((1, anchors.shape[1]))]))
    rank = np.linalg.matrix_rank(spanned)
    return vt[rank:].T


def test_two_anchors_spread_a_wave_over_every_direction_they_do_not_span():
    # 4,096 evaluated points in 6 dimensions are s = 4096^(-1/6) = 0.25 apart; in the five
    # directions two anchors do not span, the wave's variance is 2 s^2 / 12 (a cell's).
    rng = np.random.default_rng(7)
    anchors = np.full((2, 6), 0.5)
    anchors[:, 0] = [0.4, 0.6]
    points = next_wave(anchors, 4000, rng, evaluated=4096, fresh_share=0.0)
    assert design_spacing(4096, 6) == pytest.approx(0.25)
    floor = KERNEL_SCALE * CELL_VARIANCE * 0.25**2
    covariance = np.cov(points, rowvar=False)
    assert np.linalg.matrix_rank(covariance) == 6
    across = _unresolved_directions(anchors)
    spread = np.linalg.eigvalsh(across.T @ covariance @ across)
    assert len(spread) == 5
    assert spread.min() > 0.85 * floor  # every unresolved direction at least a cell wide
    assert spread.max() < 1.15 * floor  # and no wider than the design's spacing says
    # along the anchors: their own spread, 2 x var(0.4, 0.6) + the floor
    assert covariance[0, 0] == pytest.approx(2 * 0.02 + floor, rel=0.1)


def test_two_anchors_in_eleven_dimensions_no_longer_give_a_line():
    # The defect this guards against: history.toml's 11 parameters, 167 points a wave and
    # two survivors of wave 1 made waves 2-3 a segment (every pair of parameters at
    # Spearman +-1, every point within 0.009 of the line through the two).
    from scipy.stats import spearmanr

    rng = np.random.default_rng(11)
    anchors = rng.random((2, 11))
    points = next_wave(anchors, 167, rng, evaluated=167)
    pairs = np.abs(spearmanr(points).correlation[np.triu_indices(11, 1)])
    assert pairs.max() < 0.6
    along = (anchors[1] - anchors[0]) / np.linalg.norm(anchors[1] - anchors[0])
    offset = points - anchors[0]
    off_line = np.linalg.norm(offset - np.outer(offset @ along, along), axis=1)
    assert np.median(off_line) > 0.3


def test_many_anchors_over_a_region_keep_the_wave_in_it():
    rng = np.random.default_rng(13)
    low, high, dims, evaluated = 0.6, 0.8, 3, 1000
    anchors = rng.uniform(low, high, (300, dims))
    points = next_wave(anchors, 2000, rng, evaluated=evaluated)
    reach = 2 * np.sqrt(KERNEL_SCALE * CELL_VARIANCE) * design_spacing(evaluated, dims)
    inside = ((points >= low - reach) & (points <= high + reach)).all(axis=1)
    volume = (high - low + 2 * reach) ** dims  # the widened box's share of the cube: 5%
    assert inside.mean() > 0.6
    assert inside.mean() > 10 * volume
    # the uniform share is still there: some points land far from the region
    assert (points < 0.3).any(axis=1).mean() > 0.04


def test_design_spacing_refuses_an_empty_design():
    with pytest.raises(ValueError, match="at least one evaluated point"):
        design_spacing(0, 3)
