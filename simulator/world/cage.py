"""CAGE distance between countries (Ghemawat 2001, "Distance Still Matters", HBR 79(8)).

Four components per pair, each a distance in [0, 1] (0 = same country), from the
countries table (`simulator.world.countries`):

- cultural = 1 - cos(s_a, s_b), where s_c is the vector of language shares of country c
  (CLDR: share of the population speaking each language). Two countries whose people speak
  the same languages in the same proportions are at 0; no language in common gives 1.
  Languages are compared by their primary subtag ('zh-Hant' counts as 'zh', 'sr-Latn' as
  'sr'): speakers understand each other across scripts.
- administrative = 0 when both belong to a shared bloc (the EU: CLDR grouping 'EU'), else
  0.5 when they share an official language (CLDR official or de facto official), else 1.
  Colonial ties and trade agreements are out of scope: no installed source carries them.
- geographic = clip(ln(km / 100) / ln(20015 / 100), 0, 1), where km is the great-circle
  distance between capitals (haversine, Earth radius 6371 km) and 20015 km half the Earth's
  circumference; halved when the countries share a land border. Capitals closer than
  100 km count as 0.
- economic = min(1, |ln(g_a / g_b)| / ln(100)), with g the GDP per capita (PPP); a
  hundredfold gap or more is the maximum.

The combined distance is the weighted mean of the four with `CageWeights` (equal weights
by default: Ghemawat gives no numeric weights, and they vary by industry). The raw fields
(km, shared_border, shared_language, shared_bloc) are kept as well.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from simulator.world.countries import Country

EARTH_RADIUS_KM = 6371.0
HALF_CIRCUMFERENCE_KM = np.pi * EARTH_RADIUS_KM
NEAR_KM = 100.0  # capitals closer than this are geographically at distance 0
BORDER_FACTOR = 0.5  # a land border halves the geographic distance
MAX_GDP_RATIO = 100.0  # GDP-per-capita ratio at which economic distance reaches 1
COMPONENTS = ("cultural", "administrative", "geographic", "economic")


@dataclass(frozen=True)
class CageWeights:
    """Weights of the combined distance (normalised to sum to 1)."""

    cultural: float = 0.25
    administrative: float = 0.25
    geographic: float = 0.25
    economic: float = 0.25


@dataclass(frozen=True)
class CageMatrices:
    """CAGE components between all pairs: n x n arrays indexed like `iso2`."""

    iso2: tuple[str, ...]
    cultural: np.ndarray
    administrative: np.ndarray
    geographic: np.ndarray
    economic: np.ndarray
    combined: np.ndarray
    km: np.ndarray
    shared_border: np.ndarray  # bool
    shared_language: np.ndarray  # bool: an official language in common
    shared_bloc: np.ndarray  # bool: both EU members

    def index(self, iso2: str) -> int:
        """Row/column of a country."""
        return self.iso2.index(iso2)

    def pair(self, a: str, b: str) -> dict[str, float | bool]:
        """Every component and raw field between two countries."""
        i, j = self.index(a), self.index(b)
        names = [f.name for f in fields(self) if f.name != "iso2"]
        return {name: getattr(self, name)[i, j].item() for name in names}


def _primary(lang: str) -> str:
    return lang.split("-")[0]


def _great_circle_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _membership(countries: list[Country], sets: list[tuple[str, ...]]) -> np.ndarray:
    """Boolean matrix: country i has item j, for the items in `sets` (one tuple per country)."""
    items = sorted({item for group in sets for item in group})
    column = {item: j for j, item in enumerate(items)}
    member = np.zeros((len(countries), len(items)), dtype=np.float64)
    for i, group in enumerate(sets):
        member[i, [column[item] for item in group]] = 1.0
    return member


def cage_matrices(countries: list[Country], weights: CageWeights | None = None) -> CageMatrices:
    """All four CAGE components, the raw fields and the combined distance, vectorised."""
    weights = weights or CageWeights()
    n = len(countries)
    iso2 = tuple(c.iso2 for c in countries)

    langs = sorted({_primary(lang) for c in countries for lang, _ in c.languages})
    column = {lang: j for j, lang in enumerate(langs)}
    shares = np.zeros((n, len(langs)))
    for i, c in enumerate(countries):
        for lang, share in c.languages:
            shares[i, column[_primary(lang)]] += share
    norms = np.linalg.norm(shares, axis=1, keepdims=True)
    unit = np.divide(shares, norms, out=np.zeros_like(shares), where=norms > 0)
    cultural = np.clip(1.0 - unit @ unit.T, 0.0, 1.0)

    official = _membership(
        countries, [tuple({_primary(lang) for lang in c.official_languages}) for c in countries]
    )
    shared_language = (official @ official.T) > 0
    eu = np.array([c.eu_member for c in countries])
    shared_bloc = eu[:, None] & eu[None, :]
    administrative = np.where(shared_bloc, 0.0, np.where(shared_language, 0.5, 1.0))

    km = _great_circle_km(
        np.array([c.lat for c in countries]), np.array([c.lon for c in countries])
    )
    index = {code: i for i, code in enumerate(iso2)}
    shared_border = np.zeros((n, n), dtype=bool)
    for i, c in enumerate(countries):
        for other in c.neighbours:
            if other in index:
                shared_border[i, index[other]] = shared_border[index[other], i] = True
    scaled = np.log(np.maximum(km, NEAR_KM) / NEAR_KM) / np.log(HALF_CIRCUMFERENCE_KM / NEAR_KM)
    geographic = np.clip(scaled, 0.0, 1.0) * np.where(shared_border, BORDER_FACTOR, 1.0)

    log_gdp = np.log(np.array([c.gdp_per_capita for c in countries]))
    economic = np.minimum(1.0, np.abs(log_gdp[:, None] - log_gdp[None, :]) / np.log(MAX_GDP_RATIO))

    for matrix in (cultural, administrative, geographic, economic):
        np.fill_diagonal(matrix, 0.0)
    w = np.array([getattr(weights, name) for name in COMPONENTS], dtype=np.float64)
    w = w / w.sum()
    combined = w[0] * cultural + w[1] * administrative + w[2] * geographic + w[3] * economic
    return CageMatrices(
        iso2,
        cultural,
        administrative,
        geographic,
        economic,
        combined,
        km,
        shared_border,
        shared_language,
        shared_bloc,
    )


def cage_graph(countries: list[Country], weights: CageWeights | None = None):
    """A complete networkx.Graph of the countries with their CAGE distances.

    Nodes are ISO alpha-2 codes with the Country's fields as attributes; edges carry every
    CAGE component, the combined distance and the raw fields.
    """
    from dataclasses import asdict

    import networkx as nx

    m = cage_matrices(countries, weights)
    graph = nx.Graph()
    for c in countries:
        graph.add_node(c.iso2, **asdict(c))
    names = [f.name for f in fields(CageMatrices) if f.name != "iso2"]
    arrays = [getattr(m, name) for name in names]
    upper_i, upper_j = np.triu_indices(len(countries), k=1)
    columns = [array[upper_i, upper_j].tolist() for array in arrays]
    graph.add_edges_from(
        (m.iso2[i], m.iso2[j], dict(zip(names, values, strict=True)))
        for i, j, *values in zip(upper_i.tolist(), upper_j.tolist(), *columns, strict=True)
    )
    return graph
