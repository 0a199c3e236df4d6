"""World data for the simulator: countries, CAGE distances and curated tables.

`load_countries()` and `get_country()` give the countries table (CLDR + geonames),
`cage_matrices()` and `cage_graph()` the CAGE distances between them; the curated tables
(AI talent, regulation) come from `simulator.world.curated`.
"""

from simulator.world.cage import CageMatrices, CageWeights, cage_graph, cage_matrices
from simulator.world.countries import Country, get_country, load_countries

__all__ = [
    "CageMatrices",
    "CageWeights",
    "Country",
    "cage_graph",
    "cage_matrices",
    "get_country",
    "load_countries",
]
