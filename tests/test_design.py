import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.batch.design import design_points, design_size
from simulator.batch.sweep import Design

RANGES = {"a": (1.0, 3.0), "b": (-2.0, 0.5), "c": (100.0, 200.0)}


@pytest.mark.parametrize(("design", "expected"), [
    (Design(kind="grid", levels=4), 4**3),
    (Design(kind="random", samples=17), 17),
    (Design(kind="latin", samples=10), 10),
    (Design(kind="sobol", samples=8), 8 * (3 + 2)),
    (Design(kind="sobol", samples=8, second_order=True), 8 * (2 * 3 + 2)),
])
def test_designs_have_the_documented_size(design, expected):
    points = design_points(design, RANGES, seed=1)
    assert points.shape == (expected, 3)
    assert design_size(design, 3) == expected


def test_grid_has_every_combination_with_the_ends():
    points = design_points(Design(kind="grid", levels=3), RANGES, seed=0)
    assert len({tuple(p) for p in points}) == 27
    for j, (low, high) in enumerate(RANGES.values()):
        assert sorted(set(points[:, j])) == pytest.approx([low, (low + high) / 2, high])


def test_latin_hypercube_samples_every_stratum_exactly_once():
    n = 12
    points = design_points(Design(kind="latin", samples=n), RANGES, seed=5)
    for j, (low, high) in enumerate(RANGES.values()):
        strata = np.floor((points[:, j] - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_sobol_follows_saltelli_blocks():
    # Saltelli: each block of k + 2 rows is A, then A with column i from B, ..., then B.
    points = design_points(Design(kind="sobol", samples=4), RANGES, seed=2)
    a, b = points[0], points[4]
    for i in range(3):
        mixed = points[1 + i]
        assert mixed[i] == b[i]
        assert np.delete(mixed, i) == pytest.approx(np.delete(a, i))


def test_designs_are_reproducible_and_seed_dependent():
    design = Design(kind="latin", samples=6)
    assert np.array_equal(design_points(design, RANGES, 3), design_points(design, RANGES, 3))
    assert not np.array_equal(design_points(design, RANGES, 3), design_points(design, RANGES, 4))


def test_no_uncertain_parameter_means_one_point():
    for kind in ("grid", "random", "latin", "sobol"):
        assert design_points(Design(kind=kind), {}, 0).shape == (1, 0)


def test_sobol_wants_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        Design(kind="sobol", samples=6)


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["grid", "random", "latin", "sobol"]),
       bounds=st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6)), min_size=1,
                       max_size=4),
       exponent=st.integers(0, 4), seed=st.integers(0, 2**32 - 1))
def test_every_point_lies_in_its_ranges(kind, bounds, exponent, seed):
    ranges = {f"p{i}": (low, low + width) for i, (low, width) in enumerate(bounds)}
    design = Design(kind=kind, samples=2**exponent, levels=2)
    points = design_points(design, ranges, seed)
    assert points.shape == (design_size(design, len(ranges)), len(ranges))
    for j, (low, high) in enumerate(ranges.values()):
        assert np.all(points[:, j] >= low - 1e-9 * abs(low)) and np.all(
            points[:, j] <= high + 1e-9 * abs(high))
