"""The held-out adoption survey: the shipped file, refusals by name, and the comparison."""

import csv
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plumbing.errors import InputError
from simulator.calibration.survey import (
    COLUMNS,
    by_survey,
    compare,
    country_users,
    load_survey,
    parse_survey,
    population,
)

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = re.compile(r"^\S+: row \d+: [a-z_()]+: expected .+$")
GOOD = {"survey": "s1", "country": "JP", "date": "2023-11", "value": "6", "unit": "percent",
        "firm": "", "measure": "daily use", "population_base": "online adults",
        "source_publisher": "SRI", "source_title": "GPO-AI",
        "source_url": "https://example.org/s", "checked": "2026-12-07 search pages: x"}


def as_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def test_shipped_survey_covers_many_countries_with_sources_and_checks():
    survey = load_survey()
    for rows in by_survey(survey).values():
        assert len({r.country for r in rows}) >= 8
    for row in survey:
        assert row.share > 0 and row.checked and row.source_url.startswith("https://")
        assert row.unit == "index" or row.share < 1
    gpo = {r.country: r.share for r in by_survey(survey)["gpo-ai-2023"]}
    assert gpo["IN"] > gpo["US"] > gpo["JP"]  # as published: India 36%, US 18%, Japan 6%
    msft = {r.country: r.share for r in by_survey(survey)["msft-diffusion-2025h2"]}
    assert msft["AE"] > msft["US"] > msft["KH"]  # 64.0%, 28.3%, 5.1%
    aui = {r.country: r for r in by_survey(survey)["anthropic-aui-2025-08"]}
    assert aui["IL"].share > aui["US"].share > 1 > aui["IN"].share  # 7, 3.6, 0.27
    assert {r.firm for r in aui.values()} == {"US Second"}

def test_the_survey_is_held_out_of_calibration():
    """Calibration never loads the survey: only the backtest's held-out check reads it."""
    code = ("import sys, simulator.calibration.calibrate, simulator.calibration.evaluate; "
            "print('simulator.calibration.survey' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "False"
    fitting = ROOT / "simulator" / "calibration"
    for module in fitting.glob("*.py"):
        if module.name not in ("survey.py", "backtest.py"):
            assert "adoption_survey" not in module.read_text(), module.name


BAD = {
    "survey": st.sampled_from(["", "a b", "x/y"]),
    "country": st.sampled_from(["XX", "jp", "JPN", ""]),
    "date": st.sampled_from(["2023", "2023-13", "Nov 2023", ""]),
    "value": st.sampled_from(["-1", "101", "nan", "six", ""]),
    "unit": st.sampled_from(["%", "percentage", ""]),
    "measure": st.just(""),
    "population_base": st.just("  "),
    "source_url": st.sampled_from(["http://x.org", "x.org"]),
    "checked": st.just(""),
}


@settings(max_examples=50, deadline=None)
@given(column=st.sampled_from(sorted(BAD)), data=st.data())
def test_a_bad_cell_is_named_by_row_and_column(column, data):
    bad = {**GOOD, "country": "US", column: data.draw(BAD[column])}
    with pytest.raises(InputError) as caught:
        parse_survey(as_csv([GOOD, bad]), "survey.csv")
    problems = caught.value.message.splitlines()[1:]
    assert problems and all(PROBLEM.match(p) for p in problems)
    assert any(p.startswith(f"survey.csv: row 3: {column}: expected") for p in problems)


def test_a_country_twice_at_one_date_and_mixed_measures_are_refused():
    with pytest.raises(InputError, match="row 3: country: expected one row per survey"):
        parse_survey(as_csv([GOOD, GOOD]), "survey.csv")
    with pytest.raises(InputError, match="one measure, unit and firm per survey"):
        parse_survey(as_csv([GOOD, {**GOOD, "country": "US", "measure": "weekly"}]), "s.csv")
    # Two surveys may ask different questions; compare takes one of them.
    two = parse_survey(as_csv([GOOD, {**GOOD, "survey": "s2", "measure": "weekly"}]))
    assert set(by_survey(two)) == {"s1", "s2"}
    with pytest.raises(ValueError, match="one survey"):
        compare({"JP": 1.0}, two, {"JP": 10.0})


SURVEY = parse_survey(as_csv([{**GOOD, "country": c, "value": v}
                              for c, v in [("IN", "36"), ("US", "18"), ("DE", "9"),
                                           ("JP", "6")]]))
PEOPLE = {"IN": 1400e6, "US": 340e6, "DE": 84e6, "JP": 124e6}


def perfect(scale: float = 1.0) -> dict[str, float]:
    return {r.country: scale * r.share * PEOPLE[r.country] for r in SURVEY}


def test_a_perfect_model_has_rank_correlation_one_and_level_one():
    result = compare(perfect(), SURVEY, PEOPLE)
    assert result.spearman == pytest.approx(1.0) and result.level_ratio == pytest.approx(1.0)
    assert result.countries == ("IN", "US", "DE", "JP") and result.absent == ()


@given(scale=st.floats(0.01, 100))
def test_the_order_is_blind_to_the_level_and_the_ratio_measures_it(scale):
    result = compare(perfect(scale), SURVEY, PEOPLE)
    assert result.spearman == pytest.approx(1.0)
    assert result.level_ratio == pytest.approx(scale)


def test_a_reversed_order_is_minus_one_and_an_ensemble_takes_the_median():
    shares = {"IN": 0.01, "US": 0.02, "DE": 0.03, "JP": 0.04}
    reversed_model = {c: s * PEOPLE[c] for c, s in shares.items()}
    assert compare(reversed_model, SURVEY, PEOPLE).spearman == pytest.approx(-1.0)
    # Two members right, one reversed: the median member order is the survey's.
    members = [perfect(), perfect(2.0), reversed_model]
    assert compare(members, SURVEY, PEOPLE).spearman == pytest.approx(1.0)


def test_absent_countries_are_named_and_a_filter_limits_the_comparison():
    result = compare(perfect(), SURVEY, {k: v for k, v in PEOPLE.items() if k != "JP"})
    assert result.absent == ("JP",) and "JP" not in result.countries
    two = compare(perfect(), SURVEY, PEOPLE, countries=["IN", "US"])
    assert two.countries == ("IN", "US") and math.isnan(two.spearman)


def test_country_users_reads_a_firm_or_all_firms_at_a_month():
    table = pa.table({"month": pa.array([1, 2, 2, 2], pa.int32()),
                      "firm": ["A", "A", "A", "B"], "country": ["US", "US", "JP", "US"],
                      "users": [1.0, 2.0, 3.0, 4.0]})
    assert country_users(table, 2, "A") == {"US": 2.0, "JP": 3.0}
    assert country_users(table, 2) == {"US": 6.0, "JP": 3.0}


def test_world_population_is_the_denominator():
    people = population()
    assert people["IN"] > people["US"] > people["JP"] > 0


def test_an_index_compares_users_per_person_over_the_world_average():
    """An index (1 = the country's share of people) needs no level: the model's side is
    divided by its own world average, so a model with the survey's relative order and
    ratios matches it at level 1 whatever its absolute users."""
    index = parse_survey(as_csv([{**GOOD, "country": c, "value": v, "unit": "index",
                                  "firm": "US Second"}
                                 for c, v in [("IN", "0.27"), ("US", "3.6"), ("DE", "1.5"),
                                              ("JP", "1.2")]]))
    for scale in (1e-3, 1.0):
        world = sum(PEOPLE.values())
        # users per person proportional to the index, then the world average rescales it
        users = {r.country: scale * r.value * PEOPLE[r.country] for r in index}
        average = sum(users.values()) / world
        result = compare(users, index, PEOPLE)
        assert result.spearman == pytest.approx(1.0)
        assert result.model == pytest.approx(tuple(scale * r.value / average for r in index))
    assert {r.firm for r in index} == {"US Second"}
    with pytest.raises(InputError, match="row 2: measure: expected one measure, unit and firm"):
        parse_survey(as_csv([GOOD, {**GOOD, "country": "US", "firm": "US Second"}]), "s.csv")
