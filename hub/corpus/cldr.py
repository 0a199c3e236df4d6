"""CLDR display names and patterns via babel: every locale's strings keyed by the English one.

Each babel locale without a territory (`de`, `sr_Latn`, `zh_Hant`) contributes the names of
territories, languages, scripts, currencies, units, time zones, months, days and the like.
A translation's English original is the `en` locale's string under the same key, which
makes these rows parallel.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from hub.corpus.records import Row, Source, Unit
from hub.languages import normalize_lang
from plumbing.errors import InputError

# Locale data categories that hold human-language strings (not formats or rules).
CATEGORIES = (
    "territories",
    "languages",
    "scripts",
    "variants",
    "currency_names",
    "currency_names_plural",
    "unit_display_names",
    "unit_patterns",
    "months",
    "days",
    "quarters",
    "eras",
    "day_periods",
    "meta_zones",
    "time_zones",
    "date_fields",
    "measurement_systems",
    "list_patterns",
)


def _strings(data, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    # Locale data nests dicts to a varying depth; every leaf string is one entry.
    try:
        items = list(data.items())
    except Exception:  # noqa: BLE001 - babel aliases that do not resolve are not text
        return
    for key, value in items:
        if isinstance(value, str):
            yield (*path, key), value
        elif hasattr(value, "items"):
            yield from _strings(value, (*path, key))


def _locale_strings(identifier: str) -> dict[tuple, str]:
    from babel import Locale

    data = Locale.parse(identifier)._data
    found: dict[tuple, str] = {}
    for category in CATEGORIES:
        if category in data:
            found.update(_strings(data[category], (category,)))
    return found


def _read_locale(identifier: str, lang: str, english: dict[tuple, str]) -> Iterator[Row]:
    for key, text in _locale_strings(identifier).items():
        original = english.get(key)
        if original is not None:
            yield Row(lang, text, None if lang == "en" else original)


def cldr_source() -> Source:
    """Every babel locale without a territory, one unit per locale."""
    import babel
    from babel import localedata

    english = _locale_strings("en")
    units, seen = [], set()
    for identifier in sorted(localedata.locale_identifiers()):
        parts = identifier.split("_")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) != 4) or parts[0] == "root":
            continue  # territory variants (de_AT) mostly inherit their language's strings
        try:
            lang = normalize_lang(identifier)
        except InputError:
            continue  # CLDR's private and test locales (e.g. en_XA pseudo-locales)
        if lang in seen:
            continue
        seen.add(lang)
        units.append(Unit(f"cldr:{identifier}", partial(_read_locale, identifier, lang, english)))
    return Source("cldr", f"babel {babel.__version__}", units, "Unicode-3.0 (CLDR, via babel)")
