"""Each firm's language quality from its model family's published per-language scores.

A firm that names its model family (`[firms.model] family`, a family of
data/language_quality.csv: `gpt`, `claude-sonnet`, `llama`, `mistral`, `deepseek`, ...)
serves, from each of the family's release dates on, that generation's relative quality per
language (score / the same model's English score, `simulator.language_quality`, with its
documented fallback for languages the family does not list). Its language term in a
country is the speakers' average of -log(relative quality): 0 where the family is as good
as in English, 0.105 where it reaches 90% of it.

Localising a region is continued pre-training in its languages: relative quality there
rises by `Parameters.localisation_quality_gain` (the median target-language gain of the
published localisation results, data/localisation_results.csv), up to the family's
English level. A language the family already serves near its English score gains little.

A firm without a family serves the hub's own model (`simulator.technology`'s quality gap
of the global or regional model): the role the hub's models keep for a model a user trains.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

import numpy as np

from simulator.language_quality import family_generations, read_language_quality, relative_quality


@cache
def _table():
    return tuple(read_language_quality())


@cache
def _relative(family: str, lang_codes: tuple[str, ...],
              as_of: datetime.date) -> tuple[np.ndarray, tuple[str, ...]]:
    values, notes = relative_quality(_table(), family, lang_codes, as_of)
    return values, tuple(notes)


@dataclass(frozen=True)
class FamilyQuality:
    """Per firm, the months its family's generations go live and their relative quality."""

    families: tuple[str | None, ...]
    start_months: tuple[np.ndarray, ...]  # per firm: ascending months each generation serves from
    relative: tuple[np.ndarray, ...]  # per firm: [generations, languages] relative quality
    lang_weights: np.ndarray  # [countries, languages] speakers' shares
    gain: float  # relative quality a localised model adds, up to English
    notes: tuple[str, ...]  # fallbacks taken for the run's first generation of each family

    @classmethod
    def build(cls, families: list[str | None], lang_codes: tuple[str, ...],
              lang_weights: np.ndarray, month_dates: list[datetime.date],
              gain: float) -> FamilyQuality:
        """Generations of each firm's family released by the run's last month."""
        starts, relative, notes = [], [], []
        for family in families:
            if family is None:
                starts.append(np.array([1]))
                relative.append(np.ones((1, len(lang_codes))))
                continue
            released = sorted({g.release_date for g in family_generations(_table(), family)
                               if month_dates[0] < g.release_date <= month_dates[-1]})
            dates = [month_dates[0], *released]
            # A release in a month serves from the next month's first day.
            months = [1] + [1 + sum(d < r for d in month_dates) for r in released]
            starts.append(np.array(months))
            relative.append(np.stack([_relative(family, lang_codes, d)[0] for d in dates]))
            fallbacks = _relative(family, lang_codes, dates[0])[1]
            if fallbacks:
                notes.append(f"model family {family!r}: {fallbacks[0]}; {len(fallbacks) - 1} "
                             "more languages from the quality table's fallback rule")
        return cls(tuple(families), tuple(starts), tuple(relative), lang_weights, gain,
                   tuple(notes))

    def gap(self, firm: int, month: int, localised: np.ndarray) -> np.ndarray:
        """Language term per country ([C]) in `month`, localised where `localised` ([C])."""
        generation = int(np.searchsorted(self.start_months[firm], month, side="right")) - 1
        rel = self.relative[firm][max(generation, 0)]
        better = np.maximum(rel, np.minimum(1.0, rel + self.gain))
        plain, local = self.lang_weights @ -np.log(rel), self.lang_weights @ -np.log(better)
        return np.where(localised, local, plain)

    def has_family(self) -> np.ndarray:
        """[F] bool: firms whose quality comes from the published table."""
        return np.array([f is not None for f in self.families])
