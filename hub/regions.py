"""World regions: named sets of territories and the languages their people speak.

A region's languages are weighted by speakers: for each territory, CLDR's population times
the share of it that speaks the language (babel `territory_languages`), summed over the
region. Built-in regions (territory codes from CLDR's containment tree, see `BUILTIN`):

====== ================================================================================
eu     CLDR grouping 'EU' (the 27 member states)
na     UN M.49 021 Northern America
latam  UN M.49 419 Latin America and the Caribbean (013 + 029 + 005)
apac   UN M.49 030 Eastern Asia + 035 South-eastern Asia + 034 Southern Asia
       + 009 Oceania, less IR (counted in mena)
mena   UN M.49 015 Northern Africa + 145 Western Asia + IR, less AM, AZ, GE (Caucasus,
       counted with the CIS) and CY (an EU member)
ssa    UN M.49 202 Sub-Saharan Africa (011 + 014 + 017 + 018)
cis    Commonwealth of Independent States: members AM AZ BY KG KZ MD RU TJ UZ and the
       associate TM (Georgia left in 2009, Ukraine stopped taking part in 2018)
global every CLDR territory with a population
====== ================================================================================

Only territories with a CLDR population count (so uninhabited ones such as 'BV' drop out).
Users add regions in a TOML file, passed as `extra_file` or named by the environment
variable INTL_STRATEGY_REGIONS (used when `extra_file` is None)::

    [regions.dach]
    territories = ["DE", "AT", "CH"]      # alpha-2 codes or CLDR/M.49 groups such as "155"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hub import cldr
from hub.names import check_name
from plumbing.errors import InputError

# name -> (description, codes to include, codes to leave out); codes expand through CLDR.
BUILTIN: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "eu": ("European Union (CLDR grouping EU)", ("EU",), ()),
    "na": ("Northern America (M.49 021)", ("021",), ()),
    "latam": ("Latin America and the Caribbean (M.49 419)", ("419",), ()),
    "apac": (
        "Asia-Pacific (M.49 030, 035, 034 less IR, 009)",
        ("030", "035", "034", "009"),
        ("IR",),
    ),
    "mena": (
        "Middle East and North Africa (M.49 015, 145 less AM AZ GE CY, plus IR)",
        ("015", "145", "IR"),
        ("AM", "AZ", "GE", "CY"),
    ),
    "ssa": ("Sub-Saharan Africa (M.49 202)", ("202",), ()),
    "cis": (
        "Commonwealth of Independent States (members and associate TM)",
        ("AM", "AZ", "BY", "KG", "KZ", "MD", "RU", "TJ", "UZ", "TM"),
        (),
    ),
    "global": ("Every CLDR territory with a population", ("001",), ()),
}

# Environment variable naming a TOML file of user regions.
REGIONS_ENV = "INTL_STRATEGY_REGIONS"

# A language counts in a region when this share of its people speak it, or this many do.
MIN_SHARE = 0.005
MIN_SPEAKERS = 1_000_000


@dataclass(frozen=True)
class Region:
    """A named set of territories and the languages spoken there, by speakers."""

    name: str
    territories: tuple[str, ...]
    languages: tuple[tuple[str, float], ...]
    description: str = ""

    @property
    def population(self) -> int:
        """People living in the region's territories (CLDR)."""
        info = cldr.territory_info()
        return sum(info[code].population for code in self.territories)

    def top_languages(self, n: int) -> tuple[tuple[str, float], ...]:
        """The `n` languages with most speakers, as (BCP 47 code, speakers)."""
        return self.languages[:n]

    @property
    def language_codes(self) -> tuple[str, ...]:
        """Codes of the region's languages, most spoken first."""
        return tuple(code for code, _ in self.languages)


def check_territory(code: str) -> str:
    """Return the ISO 3166 alpha-2 code if CLDR knows it (with a population), else InputError."""
    info = cldr.territory_info()
    upper = code.strip().upper() if isinstance(code, str) else code
    if upper in info:
        return upper
    hint = ""
    if isinstance(code, str) and len(code) == 3:
        hint = " (alpha-3 codes are not accepted; use alpha-2, e.g. DE for DEU)"
    raise InputError(
        f"unknown territory {code!r}{hint}: expected an ISO 3166 alpha-2 code, one of "
        + " ".join(sorted(info))
    )


def _languages(territories: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    info = cldr.territory_info()
    speakers: dict[str, float] = {}
    for code in territories:
        for lang, share, _status in info[code].languages:
            speakers[lang] = speakers.get(lang, 0.0) + share * info[code].population
    total = sum(info[code].population for code in territories)
    kept = [
        (lang, round(count))
        for lang, count in speakers.items()
        if count >= MIN_SPEAKERS or count >= MIN_SHARE * total
    ]
    return tuple(sorted(kept, key=lambda item: (-item[1], item[0])))


def _resolve(codes: tuple[str, ...], leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    found: set[str] = set()
    for code in codes:
        found |= cldr.expand(code.upper())
    for code in leave_out:
        found -= cldr.expand(code.upper())
    return tuple(sorted(found & cldr.territory_info().keys()))


def _make(name: str, description: str, territories: tuple[str, ...]) -> Region:
    return Region(name, territories, _languages(territories), description)


def load_user_regions(path: Path) -> dict[str, Region]:
    """Regions defined in a TOML file; every problem is reported at once as one InputError."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: region file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc
    problems: list[str] = []
    unknown = sorted(set(document) - {"regions"})
    if unknown:
        problems.append(f"unknown top-level keys {unknown}: expected only [regions.NAME] tables")
    tables = document.get("regions", {})
    if not isinstance(tables, dict):
        problems.append("'regions' must be a table of [regions.NAME] tables")
        tables = {}
    regions: dict[str, Region] = {}
    for name, table in tables.items():
        key = f"regions.{name}"
        region_problems = _check_user_region(name, table, key)
        problems.extend(region_problems)
        if not region_problems:
            description = table.get("description", f"user region from {Path(path).name}")
            regions[name] = _make(name, description, _resolve(tuple(table["territories"])))
    if problems:
        raise InputError(f"{path}: bad region file:\n  " + "\n  ".join(problems))
    return regions


def _check_user_region(name: str, table: object, key: str) -> list[str]:
    problems: list[str] = []
    try:
        check_name("region name", name)
    except InputError as exc:
        problems.append(f"{key}: {exc.message}")
    if name in BUILTIN:
        problems.append(f"{key}: {name!r} is a built-in region; choose another name")
    if not isinstance(table, dict):
        return [*problems, f"{key}: expected a table with 'territories'"]
    extra = sorted(set(table) - {"territories", "description"})
    if extra:
        problems.append(f"{key}: unknown keys {extra}; expected 'territories', 'description'")
    codes = table.get("territories")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        problems.append(f"{key}.territories: expected a non-empty list of territory codes")
        return problems
    for code in codes:
        try:
            if not cldr.expand(code.upper()) & cldr.territory_info().keys():
                raise KeyError(code)
        except KeyError:
            problems.append(
                f"{key}.territories: unknown territory {code!r}; expected ISO 3166 alpha-2 "
                "codes such as 'DE' or CLDR/M.49 groups such as '155' or 'EU' "
                "(`hub regions --territories` lists them)"
            )
    return problems


@cache
def _builtin(name: str) -> Region:
    description, codes, leave_out = BUILTIN[name]
    return _make(name, description, _resolve(codes, leave_out))


def _user_regions(extra_file: Path | None) -> dict[str, Region]:
    if extra_file is None and os.environ.get(REGIONS_ENV):
        extra_file = Path(os.environ[REGIONS_ENV])
    return load_user_regions(extra_file) if extra_file is not None else {}


def region_names(extra_file: Path | None = None) -> list[str]:
    """Built-in region names, then those of the user's file (if any)."""
    return [*BUILTIN, *_user_regions(extra_file)]


def get_region(name: str, extra_file: Path | None = None) -> Region:
    """The region called `name` (built-in, or from the user's file); InputError lists names."""
    if name in BUILTIN:
        return _builtin(name)
    user = _user_regions(extra_file)
    if name in user:
        return user[name]
    raise InputError(f"unknown region {name!r}: expected one of {', '.join([*BUILTIN, *user])}")


def all_regions(extra_file: Path | None = None) -> list[Region]:
    """Every built-in region, then the user's."""
    return [*(_builtin(name) for name in BUILTIN), *_user_regions(extra_file).values()]
