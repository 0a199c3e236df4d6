import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.world.cage import CageWeights, cage_graph, cage_matrices
from simulator.world.countries import load_countries

COMPONENTS = ("cultural", "administrative", "geographic", "economic", "combined")


@pytest.fixture(scope="module")
def matrices():
    return cage_matrices(load_countries())


def test_germany_austria_are_close(matrices):
    pair = matrices.pair("DE", "AT")
    assert pair["shared_language"] and pair["shared_border"] and pair["shared_bloc"]
    assert pair["administrative"] == 0
    assert pair["cultural"] < 0.3 and pair["geographic"] < 0.3 and pair["economic"] < 0.1
    assert 450 < pair["km"] < 600  # Berlin-Vienna is about 520 km


def test_germany_japan_share_nothing(matrices):
    pair = matrices.pair("DE", "JP")
    assert not (pair["shared_language"] or pair["shared_border"] or pair["shared_bloc"])
    assert pair["cultural"] > 0.95 and pair["administrative"] == 1
    assert pair["geographic"] > 0.8 and 8500 < pair["km"] < 9300
    assert pair["combined"] > matrices.pair("DE", "AT")["combined"] + 0.4


def test_shared_official_language_without_bloc(matrices):
    pair = matrices.pair("US", "GB")
    assert pair["shared_language"] and not pair["shared_bloc"]
    assert pair["administrative"] == 0.5 and pair["cultural"] < 0.1
    # Scripts do not separate speakers: Taiwan (zh-Hant) and China (zh) share Chinese.
    assert matrices.pair("CN", "TW")["shared_language"]


def test_economic_distance_follows_gdp_per_capita(matrices):
    assert matrices.pair("LU", "BI")["economic"] == 1.0
    assert matrices.pair("DE", "NL")["economic"] < matrices.pair("DE", "IN")["economic"]


def test_matrix_shapes_and_weights(matrices):
    n = len(matrices.iso2)
    assert all(getattr(matrices, name).shape == (n, n) for name in COMPONENTS)
    only_geo = cage_matrices(load_countries(), CageWeights(0, 0, 1, 0))
    assert np.allclose(only_geo.combined, only_geo.geographic)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_properties_on_random_subsets(data):
    countries = load_countries()
    picked = data.draw(st.lists(st.sampled_from(countries), min_size=1, max_size=25, unique=True))
    m = cage_matrices(picked)
    for name in COMPONENTS:
        a = getattr(m, name)
        assert np.allclose(a, a.T), name
        assert np.all(np.diag(a) == 0), name
        assert a.min() >= 0 and a.max() <= 1, name
    # A country's distances do not depend on which others are in the set.
    full = cage_matrices(countries)
    i, j = full.index(picked[0].iso2), full.index(picked[-1].iso2)
    assert m.combined[0, -1] == pytest.approx(full.combined[i, j])


def test_graph_carries_components():
    countries = load_countries()
    graph = cage_graph(countries)
    n = len(countries)
    assert graph.number_of_nodes() == n and graph.number_of_edges() == n * (n - 1) // 2
    assert graph.nodes["DE"]["capital"] == "Berlin"
    edge = graph.edges["DE", "AT"]
    assert edge["shared_bloc"] is True and set(COMPONENTS) <= set(edge)
