"""Language codes (BCP 47), region membership and temperature sampling over languages.

Canonical form of a language code, as every part of the hub writes it:

- subtags joined by '-', language lower case, script title case, region upper case
  (`pt_BR` -> `pt-BR`, `de_DE.UTF-8` -> `de-DE`); region subtags are kept (`en_US` -> `en-US`);
- a script subtag is dropped where it is the language's default script in CLDR's likely
  subtags (`sr_Cyrl` -> `sr`, `az_Latn` -> `az`) and kept otherwise (`sr@latin` -> `sr-Latn`);
- Chinese always carries its script, and a region that only implies the script is dropped:
  `zh`, `zh_CN` -> `zh-Hans`, `zh_TW` -> `zh-Hant`, `zh_HK` -> `zh-Hant-HK`;
- deprecated ISO 639 codes become their replacements (`iw` -> `he`).

A code whose language is not an ISO 639 language is refused with an InputError naming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from plumbing.errors import InputError

# Gettext locale modifiers (`sr@latin`) that name a script or a BCP 47 variant.
_MODIFIER_SCRIPTS = {
    "latin": "Latn",
    "cyrillic": "Cyrl",
    "devanagari": "Deva",
    "shaw": "Shaw",
    "iqtelif": "Latn",  # the Latin alphabet of Tatar
}
_MODIFIER_VARIANTS = {"valencia": "valencia", "ije": "ijekavsk"}
# Deprecated ISO 639-1 codes still seen in old catalogs.
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
# Chinese regions whose script is implied: the region is dropped for the first set only.
_HANS_REGIONS = {"CN": True, "SG": False, "MY": False}
_HANT_REGIONS = {"TW": True, "HK": False, "MO": False}

_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SCRIPT = re.compile(r"[A-Z][a-z]{3}")
_REGION = re.compile(r"[A-Z]{2}|\d{3}")
_VARIANT = re.compile(r"[a-z0-9]{5,8}|\d[a-z0-9]{3}")

# Pseudo-regions: `global` is every corpus language, `english` the English-centric baseline.
GLOBAL_REGION = "global"
ENGLISH_REGION = "english"


@cache
def _iso639_codes() -> frozenset[str]:
    import pycountry

    codes = set()
    for language in pycountry.languages:
        codes.add(language.alpha_3)
        if hasattr(language, "alpha_2"):
            codes.add(language.alpha_2)
    # Language collections (ISO 639-5, e.g. `ber`) and CLDR's own codes are fine too.
    codes.update(group.alpha_3 for group in pycountry.language_families)
    from babel import Locale

    codes.update(code for code in Locale("en").languages if _LANGUAGE.fullmatch(code))
    return frozenset(codes)


@cache
def default_script(language: str) -> str | None:
    """The ISO 15924 script CLDR's likely subtags give a bare language (`ja` -> `Jpan`)."""
    from babel.core import get_global

    likely = get_global("likely_subtags").get(language)
    if not likely:
        return None
    parts = likely.split("_")
    return parts[1] if len(parts) > 1 and _SCRIPT.fullmatch(parts[1]) else None


@cache
def normalize_lang(code: str) -> str:
    """Return the canonical BCP 47 form of a POSIX, gettext or BCP 47 language code.

    Raises:
        InputError: when the code is malformed or its language is not a known language.
    """
    if not isinstance(code, str) or not code.strip():
        raise InputError(f"language code {code!r} is empty: expected e.g. 'de' or 'pt-BR'")
    raw = code.strip()
    body, _, modifier = raw.partition("@")
    body = body.split(".", 1)[0]  # gettext encodings: de_DE.UTF-8
    parts = [p for p in re.split(r"[-_]", body)]
    if not parts or not all(parts):
        raise InputError(f"language code {code!r} is malformed: expected e.g. 'de' or 'pt-BR'")
    language = _ALIASES.get(parts[0].lower(), parts[0].lower())
    if not _LANGUAGE.fullmatch(language) or language not in _iso639_codes():
        raise InputError(
            f"language code {code!r}: {parts[0]!r} is not an ISO 639 language (expected e.g. 'de')"
        )
    script = region = None
    variants: list[str] = []
    for part in parts[1:]:
        if script is None and region is None and not variants and _SCRIPT.fullmatch(part.title()):
            script = part.title()
        elif region is None and not variants and _REGION.fullmatch(part.upper()):
            region = part.upper()
        elif _VARIANT.fullmatch(part.lower()):
            variants.append(part.lower())
        else:
            raise InputError(f"language code {code!r}: subtag {part!r} is not valid BCP 47")
    if modifier:
        mod = modifier.lower()
        if script is None and (mod in _MODIFIER_SCRIPTS or _SCRIPT.fullmatch(modifier)):
            script = _MODIFIER_SCRIPTS.get(mod, modifier.title())
        elif mod in _MODIFIER_VARIANTS:
            variants.append(_MODIFIER_VARIANTS[mod])
        else:
            raise InputError(f"language code {code!r}: modifier @{modifier} names no script")
    if language == "zh":
        script, region = _chinese_script(script, region)
    elif script is not None and script == default_script(language):
        script = None
    return "-".join(p for p in (language, script, region, *variants) if p)


def _chinese_script(script: str | None, region: str | None) -> tuple[str, str | None]:
    for name, regions in (("Hans", _HANS_REGIONS), ("Hant", _HANT_REGIONS)):
        if region in regions:
            return script or name, None if regions[region] and script in (None, name) else region
    return script or "Hans", region


def base_language(code: str) -> str:
    """The language subtag of a code (`pt-BR` -> `pt`, `zh_Hant` -> `zh`)."""
    return normalize_lang(code).split("-", 1)[0]


def _region_codes(region: str) -> list[str]:
    from hub.regions import get_region

    return [normalize_lang(code) for code, _speakers in get_region(region).languages]


def region_corpus_langs(corpus_langs: Iterable[str], region: str) -> list[str]:
    """The corpus languages a region's tokenizer and model use, English always included.

    A corpus language belongs to a region when its code, or its base language, is one of
    the region's languages or their base languages (`pt-BR` belongs where `pt` is spoken).
    `global` takes every corpus language; `english` only `en`.

    Raises:
        InputError: when the region has no language in the corpus.
    """
    langs = sorted(set(corpus_langs))
    if region == ENGLISH_REGION:
        chosen = [lang for lang in langs if lang == "en"]
    elif region == GLOBAL_REGION:
        chosen = langs
    else:
        wanted = set()
        for code in _region_codes(region):
            wanted.update((code, code.split("-", 1)[0]))
        chosen = [
            lang
            for lang in langs
            if lang == "en" or lang in wanted or lang.split("-", 1)[0] in wanted
        ]
    if not [lang for lang in chosen if lang != "en" or region == ENGLISH_REGION]:
        raise InputError(
            f"region {region!r} has no language in the corpus "
            f"(corpus languages: {', '.join(langs[:20]) or 'none'}); run `hub corpus build`"
        )
    return chosen


def language_weights(counts: Mapping[str, int], alpha: float = 0.3) -> dict[str, float]:
    """Temperature sampling: language i is drawn with p_i = n_i^alpha / sum_j n_j^alpha.

    alpha=1 samples in proportion to size, alpha=0 uniformly; 0.3 (as in XLM-R and mT5)
    lifts small languages without drowning large ones. Languages with no data get 0.

    Raises:
        InputError: when alpha is outside [0, 1] or a count is negative.
    """
    if not 0.0 <= alpha <= 1.0:
        raise InputError(f"alpha {alpha} is out of range: expected 0 <= alpha <= 1")
    if any(n < 0 for n in counts.values()):
        raise InputError(f"language counts must not be negative: {dict(counts)}")
    scores = {lang: float(n) ** alpha if n > 0 else 0.0 for lang, n in counts.items()}
    total = sum(scores.values())
    if total == 0:
        return {lang: 0.0 for lang in counts}
    return {lang: score / total for lang, score in scores.items()}
