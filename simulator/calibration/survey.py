"""Held-out per-country adoption surveys and how a run or an ensemble compares with them.

`data/adoption_survey.csv` holds public per-country shares of people using generative AI,
one survey per `survey` id (`COLUMNS`), of one firm's users (`firm`) or all firms'. Shipped:
`gpo-ai-2023`, the GPO-AI survey's share of respondents using ChatGPT daily (21 countries,
late 2023: the US Frontier's users); `msft-diffusion-2025h2`, Microsoft's share of the
working-age population using any generative AI product (8 countries, second half of 2025:
all firms' users); and `anthropic-aui-2025-08`, Anthropic's AI Usage Index, a country's
share of Claude.ai use over its share of working-age people (16 countries, August 2025: the
US Second's users; unit `index`, so the model's side is over its own world average). None
is a calibration target: calibration reads `observations.csv` only. They check what
calibration did not see, the order of countries.

The comparison (`compare`) sets the model's users per person in each surveyed country (a
firm's users there over the country's population, simulator.world) beside the survey's
share, and reports Spearman's rank correlation and the level ratio (median over countries
of model / observed, both as fractions). The survey's base (respondents of an online sample,
asked how often they use a tool) is not the model's (monthly users over the whole
population), so the ratio says how far apart the levels are, not an error to fit: the rank
correlation is the test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from plumbing.checked import parse_number
from plumbing.shipped import shipped_path
from plumbing.tables import csv_rows
from simulator.scenario.toml_check import problems_error, read_user_file
from simulator.world.countries import load_countries

UNITS = {"percent": 100.0, "fraction": 1.0}  # unit -> the value of "everyone"
# Users per person over the world's average (1 = as many as the country's share of people):
# the model's side is then divided by its own world average too.
INDEX, INDEX_MAX = "index", 1000.0
COLUMNS = {
    "survey": "the survey's identifier: letters, digits, '_', '-' or '.'",
    "country": "an ISO 3166 alpha-2 code of a country in the world data",
    "date": "a date as YYYY-MM-DD or YYYY-MM (the survey's fieldwork)",
    "value": "a number from 0 to the unit's whole (100 percent, 1 fraction, 1000 index)",
    "unit": "one of " + ", ".join([*UNITS, INDEX]),
    "firm": "the scenario firm whose users compare (e.g. US Second), or empty for all firms'",
    "measure": "what respondents answered (non-empty)",
    "population_base": "who the value is a share of (non-empty)",
    "source_publisher": "who published the survey (non-empty)",
    "source_title": "the survey's title (non-empty)",
    "source_url": "an https URL, or empty when none is known",
    "checked": "how and when the row was checked against a stored public page (non-empty)",
}
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?$")
_TEXT = ("measure", "population_base", "source_publisher", "source_title", "checked")


@dataclass(frozen=True)
class SurveyRow:
    """One country's surveyed share."""

    row: int  # the file's row (header = 1), for messages
    survey: str
    country: str
    date: date
    value: float
    unit: str
    firm: str  # whose users compare; "" for every firm's
    measure: str
    population_base: str
    source_publisher: str
    source_title: str
    source_url: str
    checked: str

    @property
    def share(self) -> float:
        """The value as a fraction of the base (0..1), or the index as published."""
        return self.value / UNITS[self.unit] if self.unit in UNITS else self.value


@dataclass(frozen=True)
class SurveyComparison:
    """How a model's users per person order and scale against the survey's countries."""

    countries: tuple[str, ...]  # compared, in the survey's order
    observed: tuple[float, ...]  # the survey's shares (fractions), or its index
    model: tuple[float, ...]  # the model's users per person (index: over its world average)
    spearman: float  # rank correlation; nan with fewer than 3 countries or no spread
    level_ratio: float  # median of model / observed over the countries
    absent: tuple[str, ...]  # surveyed countries the run does not have


def _parse_date(text: str) -> date:
    match = _DATE.match(text)
    if not match:
        raise ValueError
    return date(int(match[1]), int(match[2]), int(match[3] or 1))


def _known_countries() -> frozenset[str]:
    return frozenset(c.iso2 for c in load_countries())


def _parse_row(cells: dict[str, str], known: frozenset[str]) -> tuple[dict, list[tuple[str, str]]]:
    text = {column: (cells.get(column) or "").strip() for column in COLUMNS}
    fields: dict = dict(text)
    problems: list[tuple[str, str]] = []

    def bad(column: str) -> None:
        shown = f", got {text[column]!r}" if text[column] else ", got an empty cell"
        problems.append((column, COLUMNS[column] + shown))

    if not re.match(r"^[A-Za-z0-9_.-]+$", text["survey"]):
        bad("survey")
    if text["country"] not in known:
        bad("country")
    try:
        fields["date"] = _parse_date(text["date"])
    except ValueError:
        bad("date")
    if text["unit"] not in (*UNITS, INDEX):
        bad("unit")
    else:
        try:
            fields["value"] = parse_number(text["value"], low=0,
                                           high=UNITS.get(text["unit"], INDEX_MAX))
        except ValueError:
            bad("value")
    for column in _TEXT:
        if not text[column]:
            bad(column)
    if text["source_url"] and not re.match(r"^https://\S+$", text["source_url"]):
        bad("source_url")
    return fields, problems


def parse_survey(text: str, path: str | Path = "<survey>") -> list[SurveyRow]:
    """Validate survey CSV text; InputError lists every problem as file: row: column."""
    _, rows = csv_rows(text, path, COLUMNS)
    known = _known_countries()
    survey, problems, seen = [], [], {}
    for number, cells in rows:
        if None in cells or None in cells.values():
            problems.append(f"{path}: row {number}: (end): expected {len(COLUMNS)} cells")
            continue
        fields, row_problems = _parse_row(cells, known)
        problems += [f"{path}: row {number}: {c}: expected {what}" for c, what in row_problems]
        key = (fields["survey"], fields["country"], fields["date"])
        if not row_problems and key in seen:
            problems.append(f"{path}: row {number}: country: expected one row per survey, "
                            f"country and date, {fields['country']} is also on row {seen[key]}")
            continue
        seen.setdefault(key, number)
        if not row_problems:
            survey.append(SurveyRow(row=number, **fields))
    if not survey and not problems:
        problems.append(f"{path}: row 2: country: expected at least one country")
    for name, rows_of in by_survey(survey).items():
        if len({(r.measure, r.unit, r.firm) for r in rows_of}) > 1:
            problems.append(f"{path}: row {rows_of[0].row}: measure: expected one measure, "
                            f"unit and firm per survey, {name!r} has more (a question is "
                            "compared at a time)")
    if problems:
        raise problems_error("adoption survey", problems)
    return survey


def by_survey(rows: Sequence[SurveyRow]) -> dict[str, list[SurveyRow]]:
    """Rows grouped by survey id, in file order."""
    groups: dict[str, list[SurveyRow]] = {}
    for row in rows:
        groups.setdefault(row.survey, []).append(row)
    return groups


def read_survey(path: str | Path) -> list[SurveyRow]:
    """Read and validate an adoption-survey file."""
    path = Path(path)
    return parse_survey(read_user_file(path, "adoption survey"), path)


def load_survey() -> list[SurveyRow]:
    """The shipped `data/adoption_survey.csv`."""
    return read_survey(shipped_path("adoption_survey.csv"))


def population() -> dict[str, float]:
    """Each country's population (simulator.world), the denominator of users per person."""
    return {c.iso2: float(c.population) for c in load_countries()}


def _world_per_person(users: Mapping[str, float], people: Mapping[str, float]) -> float:
    """A run's users over the population of the countries it has (its world average)."""
    total = sum(users.values())
    base = sum(people.get(c, 0.0) for c in users)
    return total / base if total > 0 and base > 0 else 1.0


def country_users(timeseries, month: int, firm: str | None = None) -> dict[str, float]:
    """A run's users per country at model month `month`: of `firm`, or of all firms (None)."""
    import pyarrow.compute as pc

    rows = timeseries.filter(pc.equal(timeseries["month"], month))
    if firm is not None:
        rows = rows.filter(pc.equal(rows["firm"], firm))
    users: dict[str, float] = {}
    for country, value in zip(rows["country"].to_pylist(), rows["users"].to_pylist(),
                              strict=True):
        users[country] = users.get(country, 0.0) + value
    return users


def compare(users: Mapping[str, float] | Sequence[Mapping[str, float]],
            survey: Sequence[SurveyRow], people: Mapping[str, float],
            countries: Sequence[str] | None = None) -> SurveyComparison:
    """The model's users per person against the survey's shares.

    `users`: one run's users per country, or one mapping per ensemble member (the median of
    the members' users per person is compared). A country the model has but the run left
    untouched counts as no users; `countries` limits the comparison (default: every surveyed
    country in `people`). Surveyed countries without a population are `absent`.
    """
    from scipy.stats import spearmanr

    members = [users] if isinstance(users, Mapping) else list(users)
    if survey and survey[0].unit == INDEX:  # each member's users per person over its average
        members = [{c: u / _world_per_person(m, people) for c, u in m.items()} for m in members]
    if not members:
        raise ValueError("compare needs at least one run's users")
    if len(by_survey(survey)) > 1:
        raise ValueError("compare takes one survey's rows (simulator.calibration.survey."
                         "by_survey splits a file)")
    wanted = None if countries is None else set(countries)
    rows = [r for r in survey if wanted is None or r.country in wanted]
    absent = tuple(r.country for r in rows if r.country not in people or people[r.country] <= 0)
    rows = [r for r in rows if r.country not in absent]
    observed = np.array([r.share for r in rows])
    per_person = np.array([[m.get(r.country, 0.0) / people[r.country] for r in rows]
                           for m in members])
    model = np.median(per_person, axis=0) if rows else np.array([])
    spread = len(rows) >= 3 and np.ptp(observed) > 0 and np.ptp(model) > 0
    rho = float(spearmanr(observed, model).statistic) if spread else float("nan")
    positive = observed > 0
    ratio = (float(np.median(model[positive] / observed[positive])) if positive.any()
             else float("nan"))
    return SurveyComparison(tuple(r.country for r in rows), tuple(observed.tolist()),
                            tuple(model.tolist()), rho, ratio, absent)
