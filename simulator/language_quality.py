"""Published per-language quality of production model families, and what localising buys.

Reads the curated tables of `simulator.language_tables` (data/language_quality.csv: OpenAI's
MMMLU, Anthropic's % of English, the Llama 3.1 and Mistral Large 2 cards, DeepSeek's table;
data/localisation_results.csv: published continued pre-training results).

A firm's relative quality in a language is score / english_score of its family's latest
model released on or before `as_of` (same-day releases: the one with the higher English
score, the family's flagship; before the family's first release: its earliest model, with
a note). Per language the most preferred benchmark wins: MMMLU first (human translations of
one test, so languages compare), then the others in name order. Languages are matched
exactly, then by language and script (`pt` and `pt-BR`; `zh` is `zh-Hans`), then by language
alone (`zh-Hant` takes `zh-Hans`, with a note). English is 1 by definition.

Fallback for a language the chosen model does not list (always with a note):
1. transfer from the other models in the table that list it (released by `as_of` where any
   is): each one's score there times the ratio of the chosen model's median to that model's
   median over the languages both list (or, where the chosen model publishes only a `mul`
   average, that average over the other model's mean), then the median of these estimates.
   Languages keep their order of difficulty across models (Yoruba and Swahili trail
   everywhere), so a high-resource median would overrate a low-resource language;
2. a language no model lists: the median of the chosen model's languages in the same
   script (CLDR's likely script: Vietnamese takes the Latin-script median);
3. else the model's `mul` average; else the median of all its listed languages.
Estimates are capped at 1.2 like the table's rows.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from hub.languages import base_language, default_script, normalize_lang
from plumbing.errors import InputError
from simulator.language_tables import (
    AGGREGATE_LANG,
    MAX_RELATIVE,
    LocalisationRow,
    QualityRow,
    read_language_quality,
    read_localisation_results,
)

__all__ = [
    "Generation",
    "LocalisationRow",
    "QualityRow",
    "Spread",
    "family_generations",
    "localisation_gain",
    "read_language_quality",
    "read_localisation_results",
    "relative_quality",
]


class Generation(NamedTuple):
    """A dated model version of a family."""

    model: str
    version: str
    release_date: datetime.date
    english_score: float | None


def _family_rows(table: Sequence[QualityRow], family: str) -> list[QualityRow]:
    rows = [r for r in table if r.family == family]
    if not rows:
        known = sorted({r.family for r in table})
        raise InputError(
            f"model family {family!r} is not in the quality table; known families: {known}"
        )
    return rows


def family_generations(table: Sequence[QualityRow], family: str) -> list[Generation]:
    """The family's dated model versions, oldest first (same day: lower English score first)."""
    by_version: dict[str, list[QualityRow]] = {}
    for row in _family_rows(table, family):
        by_version.setdefault(row.version, []).append(row)
    generations = []
    for version, rows in by_version.items():
        english = [r.english_score for r in rows if r.english_score is not None]
        first = rows[0]
        generations.append(
            Generation(first.model, version, first.released, max(english, default=None))
        )
    return sorted(generations, key=lambda g: (g.release_date, g.english_score or 0.0, g.version))


def _key(code: str) -> tuple[str, str | None]:
    """(language, script): `pt` and `pt-BR` share one, `zh-Hans` and `zh-Hant` do not."""
    parts = code.split("-")
    scripts = [p for p in parts[1:] if len(p) == 4 and p.isalpha()]
    return base_language(code), scripts[0] if scripts else default_script(parts[0])


@dataclasses.dataclass(frozen=True)
class _Listed:
    """One model version's relative scores by (language, script), preferred benchmark first."""

    version: str
    langs: dict[tuple[str, str | None], float]
    aggregate: float | None

    @classmethod
    def of(cls, version: str, rows: list[QualityRow]) -> _Listed:
        ranked = sorted(rows, key=lambda r: (not r.benchmark.startswith("MMMLU"), r.benchmark))
        langs: dict[tuple[str, str | None], float] = {}
        aggregate = None
        for row in ranked:
            if row.lang == AGGREGATE_LANG:
                aggregate = row.relative if aggregate is None else aggregate
            else:
                langs.setdefault(_key(row.lang), row.relative)
        return cls(version, langs, aggregate)


def _transfer(mine: _Listed, others: list[_Listed], key: tuple) -> list[float]:
    """Estimates of a language `mine` lacks from each other model that lists it.

    The other model's score is scaled by how `mine` compares with it on the languages both
    list, or on `mine`'s non-English average where it publishes one.
    """
    estimates = []
    for other in others:
        if key not in other.langs:
            continue
        if mine.aggregate is not None:
            ratio = mine.aggregate / float(np.mean(list(other.langs.values())))
        else:
            shared = [k for k in mine.langs if k in other.langs]
            if not shared:
                continue
            ratio = float(np.median([mine.langs[k] for k in shared])) / float(
                np.median([other.langs[k] for k in shared])
            )
        estimates.append(other.langs[key] * ratio)
    return estimates


def _one_language(code: str, mine: _Listed, others: list[_Listed]) -> tuple[float, str | None]:
    if code == "en" or code.startswith("en-"):
        return 1.0, None
    key = _key(code)
    if key in mine.langs:
        return mine.langs[key], None
    same = [(k, v) for k, v in mine.langs.items() if k[0] == key[0]]
    if same:
        (language, script), value = same[0]
        return value, f"{code}: {mine.version} lists {language} in {script} script only; used it"
    # The language as others list it in another script (zh-Hant where they list zh-Hans).
    alternates = sorted({k for o in others for k in o.langs if k[0] == key[0] and k != key})
    for listed in [key, *alternates]:
        if estimates := _transfer(mine, others, listed):
            value = min(float(np.median(estimates)), MAX_RELATIVE)
            return value, (
                f"{code}: not listed for {mine.version}; median of {len(estimates)} models "
                f"that list {listed[0]} ({listed[1]}), scaled to {mine.version}"
            )
    by_script = [v for k, v in mine.langs.items() if k[1] == key[1]]
    if by_script:
        value = float(np.median(by_script))
        return (
            value,
            f"{code}: listed by no model; median of {mine.version}'s {key[1]}-script languages",
        )
    if mine.aggregate is not None:
        return mine.aggregate, f"{code}: listed by no model; {mine.version}'s non-English average"
    value = float(np.median(list(mine.langs.values())))
    return value, f"{code}: listed by no model; median of {mine.version}'s languages"


def relative_quality(
    table: Sequence[QualityRow],
    family: str,
    lang_codes: Sequence[str],
    as_of: datetime.date | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Quality per language relative to English for the family's model current at `as_of`.

    Returns ([len(lang_codes)] relative scores in (0, 1.2], notes on every fallback).
    """
    rows = [r for r in _family_rows(table, family) if r.english_score is not None]
    if not rows:
        raise InputError(f"model family {family!r} has no row with an English score")
    notes: list[str] = []
    dated = family_generations(rows, family)
    generations = [g for g in dated if as_of is None or g.release_date <= as_of]
    if generations:
        current = generations[-1]
    else:
        current = dated[0]
        notes.append(
            f"{family}: no model released by {as_of}; "
            f"used the earliest, {current.version} ({current.release_date})"
        )
    by_version: dict[str, list[QualityRow]] = {}
    released: dict[str, datetime.date] = {}
    for row in table:
        if row.english_score is not None:
            by_version.setdefault(row.version, []).append(row)
            released[row.version] = row.released
    mine = _Listed.of(current.version, by_version.pop(current.version))
    # Other models known by `as_of` lend their language gaps; all of them if none was.
    known = [v for v in by_version if as_of is None or released[v] <= as_of] or list(by_version)
    others = [_Listed.of(v, by_version[v]) for v in sorted(known)]
    values = []
    for code in lang_codes:
        value, note = _one_language(normalize_lang(code), mine, others)
        values.append(value)
        if note:
            notes.append(note)
    return np.array(values, dtype=float), notes


class Spread(NamedTuple):
    """Median and 10th/90th percentiles of a published effect, in points."""

    median: float
    p10: float
    p90: float
    n: int


def _spread(values: list[float], what: str) -> Spread:
    if not values:
        raise InputError(f"the localisation results table has no row with {what}")
    p10, median, p90 = np.percentile(values, [10, 50, 90])
    return Spread(float(median), float(p10), float(p90), len(values))


def localisation_gain(results: Sequence[LocalisationRow]) -> tuple[Spread, Spread]:
    """(target-language gain, English change) in points over the rows that state them."""
    gains = [r.target_gain_points for r in results if r.target_gain_points is not None]
    changes = [r.english_change_points for r in results if r.english_change_points is not None]
    return _spread(gains, "a target-language gain"), _spread(changes, "an English change")
