"""Strict readers of the two curated language tables in `data/` (origins in data/SOURCES.md).

- `language_quality.csv`: one row per (family, model version, benchmark, language): the
  published score and the same model's English score. `lang` is the canonical BCP 47 code
  (`hub.languages.normalize_lang`); `mul` is a benchmark's average over its non-English
  languages.
- `localisation_results.csv`: published continued pre-training results (tokens, the
  target-language gain and the English change in points, vocabulary added, token-count
  change as a fraction, -0.5 for halved), empty where the source states nothing;
  `target_langs` separated by ';'.

Unknown or missing columns, non-finite numbers, numbers out of range, bad dates and codes are
refused with one InputError listing every problem as `file:line: column 'x': expected ...`.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Sequence
from pathlib import Path

from hub.languages import normalize_lang
from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from plumbing.tables import read_table

# A language more than 20% above the model's English score on a translated test means a
# unit mix-up (a fraction against a percentage), not a real score.
MAX_RELATIVE = 1.2
# Earliest plausible release: MMLU itself is from 2020; older dates are typos.
FIRST_RELEASE = datetime.date(2018, 1, 1)
AGGREGATE_LANG = "mul"


def _date(text: str) -> datetime.date:
    # fromisoformat alone also takes '20240101' and week dates; the table writes YYYY-MM-DD.
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return datetime.date.fromisoformat(text)


def _lang_problem(code: str) -> str | None:
    if code == AGGREGATE_LANG:
        return None
    try:
        canonical = normalize_lang(code)
    except InputError as exc:
        return str(exc.message)
    return None if canonical == code else f"expected the canonical BCP 47 code {canonical!r}"


def _https(row: dict, column: str) -> list[tuple[str, str]]:
    ok = str(row[column]).startswith("https://")
    return [] if ok else [(column, f"expected an https:// address, got {row[column]!r}")]


@dataclasses.dataclass(frozen=True)
class QualityRow:
    """One published per-language score of one model version (data/language_quality.csv)."""

    family: str
    model: str
    version: str
    release_date: str
    benchmark: str
    lang: str
    score: float
    english_score: float | None
    publisher: str
    title: str
    url: str
    checked: str

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems of one converted row as (column, what was expected)."""
        problems = _https(row, "url")
        try:
            released = _date(row["release_date"])
            if not FIRST_RELEASE <= released <= datetime.date.today():
                problems.append(("release_date", f"expected a date from {FIRST_RELEASE} to today"))
        except ValueError:
            problems.append(("release_date", f"expected YYYY-MM-DD, got {row['release_date']!r}"))
        if (why := _lang_problem(row["lang"])) is not None:
            problems.append(("lang", why))
        if not 0 < row["score"] <= 100:
            problems.append(("score", f"expected a score in (0, 100], got {row['score']}"))
        english = row["english_score"]
        if english is not None:
            if not 0 < english <= 100:
                problems.append(("english_score", f"expected a score in (0, 100], got {english}"))
            elif row["score"] / english > MAX_RELATIVE:
                problems.append(("score", f"expected at most {MAX_RELATIVE} x english_score"))
        return problems

    @property
    def released(self) -> datetime.date:
        """The release date as a date."""
        return _date(self.release_date)

    @property
    def relative(self) -> float:
        """Score over the same model's English score."""
        assert self.english_score is not None
        return self.score / self.english_score


@dataclasses.dataclass(frozen=True)
class LocalisationRow:
    """One published continued pre-training result (data/localisation_results.csv)."""

    project: str
    base_model: str
    target_langs: str
    continued_pretraining_tokens: float | None
    target_gain_points: float | None
    target_benchmark: str | None
    english_change_points: float | None
    vocab_added_tokens: int | None
    token_count_change: float | None
    url: str
    title: str
    checked: str

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems of one converted row as (column, what was expected)."""
        problems = _https(row, "url")
        for code in row["target_langs"].split(";"):
            if (why := _lang_problem(code)) is not None:
                problems.append(("target_langs", f"{code!r}: {why} (codes separated by ';')"))
        ranges = {
            "continued_pretraining_tokens": (0, 1e14),
            "target_gain_points": (-100, 100),
            "english_change_points": (-100, 100),
            "vocab_added_tokens": (0, 1_000_000),
            "token_count_change": (-0.99, 1),
        }
        for column, (low, high) in ranges.items():
            value = row[column]
            if value is not None and not low <= value <= high:
                problems.append((column, f"expected a number in [{low:g}, {high:g}], got {value}"))
        if row["target_gain_points"] is not None and not row["target_benchmark"]:
            problems.append(("target_benchmark", "expected the benchmark the gain is measured on"))
        return problems

    @property
    def langs(self) -> tuple[str, ...]:
        """The target languages as BCP 47 codes."""
        return tuple(self.target_langs.split(";"))


def _unique(rows: Sequence, key, path: Path, what: str) -> None:
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=1):
        if (k := key(row)) in seen:
            raise InputError(f"{path}: rows {seen[k]} and {number} repeat the same {what} {k}")
        seen[k] = number


def read_language_quality(path: Path | str | None = None) -> list[QualityRow]:
    """Rows of the per-language quality table; InputError names file, row, column, expected."""
    path = Path(path) if path is not None else shipped_path("language_quality.csv")
    rows = read_table(path, QualityRow)
    _unique(
        rows,
        lambda r: (r.family, r.version, r.benchmark, r.lang),
        path,
        "(family, version, benchmark, lang)",
    )
    return rows


def read_localisation_results(path: Path | str | None = None) -> list[LocalisationRow]:
    """Rows of the localisation results table; InputError names file, row, column, expected."""
    path = Path(path) if path is not None else shipped_path("localisation_results.csv")
    rows = read_table(path, LocalisationRow)
    _unique(rows, lambda r: (r.project,), path, "project")
    return rows
