"""The backtest's held-out survey check: members' users per country against a survey's order.

The survey is never a calibration target; the backtest sets the ensemble's users per person
beside it. A model whose users per person follow the survey ranks its countries exactly
(Spearman 1) and one that reverses them ranks them at -1, whatever the level.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.calibration.backtest import survey_checks
from simulator.calibration.survey import by_survey, load_survey, population
from simulator.geography import build_geography
from simulator.run import load_scenario

SURVEY = "msft-diffusion-2025h2"


@pytest.fixture(scope="module")
def world():
    scenario = load_scenario("data/scenarios/history.toml")
    return scenario, build_geography(scenario).iso2, by_survey(load_survey())[SURVEY]


def _members(iso2, rows, level: float, reverse: bool = False) -> pd.DataFrame:
    """Three members whose users per person are `level` x the survey's shares (or reversed)."""
    people = population()
    ranked = sorted(rows, key=lambda r: r.share)
    shares = [r.share for r in ranked]
    per_person = dict(zip((r.country for r in ranked), shares[::-1] if reverse else shares,
                          strict=True))
    users = [level * per_person.get(c, 0.0) * people.get(c, 0.0) for c in iso2]
    # [firm][country]: the users split between two firms, as the calibration runs record
    return pd.DataFrame({"country_users": [[[0.25 * u for u in users],
                                            [0.75 * u for u in users]]] * 3})


def test_users_that_follow_the_survey_rank_its_countries_exactly(world):
    scenario, iso2, rows = world
    year = rows[0].date.year
    checks = survey_checks(_members(iso2, rows, 0.5), scenario, f"{year}-01..{year}-12")
    check = next(c for c in checks if c["survey"] == SURVEY)
    assert check["spearman"] == pytest.approx(1.0)
    assert check["level_ratio"] == pytest.approx(0.5)
    assert set(check["countries"]) == {r.country for r in rows}


def test_users_in_the_reverse_order_rank_at_minus_one(world):
    scenario, iso2, rows = world
    year = rows[0].date.year
    checks = survey_checks(_members(iso2, rows, 2.0, reverse=True), scenario,
                           f"{year}-01..{year}-12")
    assert next(c for c in checks if c["survey"] == SURVEY)["spearman"] == pytest.approx(-1.0)


def test_a_window_that_ends_in_another_year_leaves_the_survey_out(world):
    scenario, iso2, rows = world
    year = rows[0].date.year
    checks = survey_checks(_members(iso2, rows, 1.0), scenario, f"{year - 1}-01..{year - 1}-12")
    assert SURVEY not in [c["survey"] for c in checks]


def test_a_survey_of_one_firm_compares_that_firms_users():
    scenario = load_scenario("data/scenarios/history.toml")
    iso2, firms = build_geography(scenario).iso2, [f.name for f in scenario.firms]
    rows = by_survey(load_survey())["anthropic-aui-2025-08"]
    people, index = population(), {r.country: r.share for r in rows}
    follows = [index.get(c, 0.0) * people.get(c, 0.0) for c in iso2]
    reverse = [(1.0 / index[c] if c in index else 0.0) * people.get(c, 0.0) for c in iso2]
    # The survey's firm follows the index; every other firm holds the reverse order, ten
    # times as many users: all firms' users together would rank near -1.
    users = [follows if f == rows[0].firm else [10 * u for u in reverse] for f in firms]
    checks = survey_checks(pd.DataFrame({"country_users": [users] * 2}), scenario,
                           "2025-01..2025-12")
    check = next(c for c in checks if c["survey"] == "anthropic-aui-2025-08")
    assert check["firm"] == "US Second" and check["spearman"] == pytest.approx(1.0)
