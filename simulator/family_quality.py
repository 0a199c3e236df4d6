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


def _released(family: str, month_dates: list[datetime.date]) -> list[datetime.date]:
    """The family's release dates after the run's first month, by its last."""
    return sorted({g.release_date for g in family_generations(_table(), family)
                   if month_dates[0] < g.release_date <= month_dates[-1]})


def release_months(family: str, month_dates: list[datetime.date]) -> np.ndarray:
    """Model months (1-based) each generation of the family serves from: 1, then its releases.

    A release in a month serves from the next month's first day.
    """
    return np.array([1] + [1 + sum(d < r for d in month_dates)
                           for r in _released(family, month_dates)])


@dataclass(frozen=True)
class FamilyQuality:
    """Per firm, the months its family's generations go live and their relative quality."""

    families: tuple[str | None, ...]
    start_months: tuple[np.ndarray, ...]  # per firm: ascending months each generation serves from
    plain: tuple[np.ndarray, ...]  # per firm: [generations, countries] language term
    localised: tuple[np.ndarray, ...]  # per firm: the same once localised
    notes: tuple[str, ...]  # fallbacks taken for the run's first generation of each family

    @classmethod
    def build(cls, families: list[str | None], lang_codes: tuple[str, ...],
              lang_weights: np.ndarray, month_dates: list[datetime.date],
              gain: float) -> FamilyQuality:
        """Generations of each firm's family released by the run's last month."""
        starts, plain, localised, notes = [], [], [], []
        for family in families:
            if family is None:
                starts.append(np.array([1]))
                plain.append(np.zeros((1, lang_weights.shape[0])))
                localised.append(plain[-1])
                continue
            released = _released(family, month_dates)
            dates = [month_dates[0], *released]
            starts.append(release_months(family, month_dates))
            rel = np.stack([_relative(family, lang_codes, d)[0] for d in dates])
            better = np.maximum(rel, np.minimum(1.0, rel + gain))
            plain.append(-np.log(rel) @ lang_weights.T)
            localised.append(-np.log(better) @ lang_weights.T)
            fallbacks = _relative(family, lang_codes, dates[0])[1]
            if fallbacks:
                notes.append(f"model family {family!r}: {fallbacks[0]}; {len(fallbacks) - 1} "
                             "more languages from the quality table's fallback rule")
        return cls(tuple(families), tuple(starts), tuple(plain), tuple(localised), tuple(notes))

    def gap(self, firm: int, month: int, localised: np.ndarray) -> np.ndarray:
        """Language term per country ([C]) in `month`, localised where `localised` ([C])."""
        generation = max(int(np.searchsorted(self.start_months[firm], month,
                                             side="right")) - 1, 0)
        return np.where(localised, self.localised[firm][generation],
                        self.plain[firm][generation])

    def has_family(self) -> np.ndarray:
        """[F] bool: firms whose quality comes from the published table."""
        return np.array([f is not None for f in self.families])
