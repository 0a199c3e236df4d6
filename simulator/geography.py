"""The world of one run as arrays: its countries, their markets, languages, distances, talent.

`build_geography(scenario)` selects the countries a scenario touches (its markets, the firms'
homes and hiring places), reads them from `simulator.world` (CLDR, geonames, the curated
talent and regulation tables) and lays every country attribute out as a numpy array indexed
like `iso2`, so the model's monthly step is vectorised over countries x firms.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from hub.regions import get_region
from simulator.curated_arrays import regulation_arrays, talent_arrays
from simulator.scenario import Scenario
from simulator.world.cage import cage_matrices
from simulator.world.countries import load_countries
from simulator.world.curated import load_regulation
from simulator.world.internet_use import online_share

# Order in which a country is assigned to one region for the summary tables.
REPORT_REGIONS = ("eu", "na", "latam", "apac", "mena", "ssa", "cis")


@dataclass(frozen=True)
class Geography:
    """Country arrays for one run (index i means the country `iso2[i]`)."""

    iso2: tuple[str, ...]
    is_market: np.ndarray  # bool: firms may sell here
    population: np.ndarray
    online: np.ndarray  # share of people online, 0..1 (ITU; simulator.world.internet_use)
    online_estimated: tuple[str, ...]  # countries whose share is the income curve's
    gdp_per_capita: np.ndarray  # PPP US dollars
    gdp_usd: np.ndarray  # PPP US dollars a year
    regulator: np.ndarray  # [countries] bool: its own AI/privacy regulator, or an EU member
    lang_codes: tuple[str, ...]
    lang_weights: np.ndarray  # [countries, languages], rows sum to 1 (speaker shares)
    distance: np.ndarray  # [countries, countries] combined CAGE distance, 0..1
    neighbours: np.ndarray  # [countries, k] nearest countries by CAGE distance
    talent_share: np.ndarray  # [countries, 2] share of the world's researchers, engineers
    openness: np.ndarray  # [countries] 0..1, how easily talent settles there
    compliance_cost: np.ndarray  # [countries] one-off US dollars to enter (national part)
    compliance_delay: np.ndarray  # [countries] months from decision to entry (national part)
    bloc_cost: np.ndarray  # [countries] the EU's regimes, paid once per firm (0 outside)
    bloc_delay: np.ndarray  # [countries] months the EU's regimes take (0 outside)
    in_bloc: np.ndarray  # [countries] bool: an EU member
    region_members: dict[str, np.ndarray]  # region -> bool mask
    report_region: tuple[str, ...]  # one region name per country for summaries

    @property
    def size(self) -> int:
        """Number of countries."""
        return len(self.iso2)

    def index(self, iso2: str) -> int:
        """Position of a country."""
        return self.iso2.index(iso2)

    def migration_graph(self):
        """The CAGE graph talent migrates along: each country to its nearest neighbours.

        A networkx.DiGraph over ISO codes with the combined CAGE distance on each edge;
        the model uses the same edges as index arrays (`neighbours`).
        """
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.iso2)
        for i, row in enumerate(self.neighbours.tolist()):
            graph.add_edges_from((self.iso2[i], self.iso2[k],
                                  {"distance": float(self.distance[i, k])}) for k in row)
        return graph

    def places(self, names: list[str]) -> list[int]:
        """Indices of regions and countries in `names`, in order, each once."""
        out: list[int] = []
        for name in names:
            members = (
                np.flatnonzero(self.region_members[name]).tolist()
                if name in self.region_members
                else [self.index(name)] if name in self.iso2 else []
            )
            out.extend(i for i in members if i not in out)
        return out


def _region_territories(names: list[str]) -> dict[str, tuple[str, ...]]:
    return {name: get_region(name).territories for name in names}


def _language_weights(countries: list) -> tuple[tuple[str, ...], np.ndarray]:
    codes = tuple(sorted({lang for c in countries for lang, _ in c.languages}))
    column = {code: j for j, code in enumerate(codes)}
    weights = np.zeros((len(countries), len(codes)))
    for i, country in enumerate(countries):
        for lang, share in country.languages:
            weights[i, column[lang]] += share
    totals = weights.sum(axis=1, keepdims=True)
    # CLDR shares overlap in multilingual countries (they may sum above 1): normalise.
    return codes, np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def _neighbours(distance: np.ndarray, k: int) -> np.ndarray:
    n = distance.shape[0]
    k = max(1, min(k, n - 1)) if n > 1 else 1
    masked = distance + np.eye(n) * 10.0  # never one's own neighbour
    return np.argsort(masked, axis=1, kind="stable")[:, :k]


def _geography_key(scenario: Scenario) -> str:
    """What the geography depends on: places, regulation and the compliance parameters."""
    firms = [(f.home, f.strategy.hiring.countries, f.strategy.entry_order, f.strategy.exclude,
              [p.region for p in f.strategy.localise]) for f in scenario.firms]
    params = {k: v for k, v in scenario.parameters.model_dump().items()
              if k.startswith("compliance_") or k == "migration_neighbours"}
    return json.dumps([scenario.markets, firms, params,
                       scenario.model_dump(include={"regulation"})], sort_keys=True)


_CACHE: OrderedDict[str, Geography] = OrderedDict()
CACHE_SIZE = 8  # a sweep varies strategies over a few place sets; keep those warm


def build_geography(scenario: Scenario) -> Geography:
    """Arrays for every country the scenario's markets, homes and hiring places name.

    Runs of scenarios with the same places and regulation share one (read-only) geography.
    """
    key = _geography_key(scenario)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    geography = _build(scenario)
    for value in vars(geography).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    _CACHE[key] = geography
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return geography


def _build(scenario: Scenario) -> Geography:
    world = {c.iso2: c for c in load_countries()}
    named = [*scenario.markets]
    for firm in scenario.firms:
        strategy = firm.strategy
        named += [firm.home, *strategy.hiring.countries, *strategy.entry_order, *strategy.exclude]
    region_names = sorted({n for n in named if n not in world} | set(REPORT_REGIONS))
    for firm in scenario.firms:
        region_names += [loc.region for loc in firm.strategy.localise]
    territories = _region_territories(sorted(set(region_names)))

    def expand(name: str) -> list[str]:
        return [t for t in territories[name] if t in world] if name in territories else [name]

    market_codes = {code for name in scenario.markets for code in expand(name)}
    touched = set(market_codes)
    for firm in scenario.firms:
        touched.add(firm.home)
        for name in firm.strategy.hiring.countries:
            touched.update(expand(name))
        # An office or lab abroad is a place of the model even where the firm does not sell.
        touched.update(site.country for site in firm.strategy.sites)
    iso2 = tuple(sorted(code for code in touched if code in world))
    countries = [world[code] for code in iso2]
    lang_codes, lang_weights = _language_weights(countries)
    cage = cage_matrices(countries)
    members = {
        name: np.array([code in set(codes) for code in iso2]) for name, codes in territories.items()
    }
    report = tuple(
        next((r for r in REPORT_REGIONS if members[r][i]), "other") for i in range(len(iso2))
    )

    talent, openness = talent_arrays(iso2)
    online = online_share(iso2)
    seats = {row.jurisdiction for row in load_regulation()}
    cost, delay, bloc_cost, bloc_delay = regulation_arrays(iso2, countries, scenario)
    return Geography(
        iso2=iso2,
        is_market=np.array([code in market_codes for code in iso2]),
        population=np.array([c.population for c in countries], dtype=float),
        online=online.share,
        online_estimated=online.estimated,
        gdp_per_capita=np.array([c.gdp_per_capita for c in countries], dtype=float),
        gdp_usd=np.array([c.gdp_usd for c in countries], dtype=float),
        regulator=np.array([c.iso2 in seats or (c.eu_member and "EU" in seats)
                            for c in countries]),
        lang_codes=lang_codes,
        lang_weights=lang_weights,
        distance=cage.combined,
        neighbours=_neighbours(cage.combined, scenario.parameters.migration_neighbours),
        talent_share=talent,
        openness=openness,
        compliance_cost=cost,
        compliance_delay=delay,
        bloc_cost=bloc_cost,
        bloc_delay=bloc_delay,
        in_bloc=np.array([c.eu_member for c in countries]),
        region_members=members,
        report_region=report,
    )
