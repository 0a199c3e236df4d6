"""The people-online table (data/internet_use.csv) and its loader (simulator.world.internet_use)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator.geography import build_geography
from simulator.scenario import load_scenario
from simulator.world.countries import load_countries
from simulator.world.internet_use import (
    IncomeCurve,
    fit_income_curve,
    load_internet_use,
    online_share,
    read_internet_use,
    usable,
)

SHIPPED = shipped_path("internet_use.csv")
HEADER = SHIPPED.read_text(encoding="utf-8").splitlines()[0].split(",")
GOOD = {"country": "FR", "data_year": "2023", "share_percent": "86.8364",
        "source_publisher": "ITU", "source_title": "t", "source_url": "https://example.org",
        "year": "2025", "checked": "test row"}
# Countries the ITU series does not cover at all (the World Bank lists no Taiwan).
UNMEASURED_LARGE = {"TW"}


def _history_iso2() -> tuple[str, ...]:
    return build_geography(load_scenario(shipped_path("scenarios", "history.toml"))).iso2


def _write(tmp_path, rows: list[dict]) -> object:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "internet_use.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_shipped_table_covers_the_history_world():
    rows = load_internet_use()
    iso2 = _history_iso2()
    shares = online_share(iso2)
    population = {c.iso2: c.population for c in load_countries()}
    assert np.all((shares.share >= 0) & (shares.share <= 1))
    large_estimated = {c for c in shares.estimated if population[c] > 10_000_000}
    assert large_estimated == UNMEASURED_LARGE
    measured_people = sum(population[c] for c in iso2 if c not in shares.estimated)
    assert measured_people / sum(population[c] for c in iso2) > 0.99
    # A measured country gets exactly its published figure and year.
    i = iso2.index("US")
    assert shares.share[i] == rows["US"].share_percent / 100
    assert shares.year[i] == rows["US"].data_year
    assert shares.year[iso2.index("TW")] is None


def test_survey_countries_are_measured_recently():
    with open(shipped_path("adoption_survey.csv"), newline="", encoding="utf-8") as handle:
        surveyed = {row["country"] for row in csv.DictReader(handle)}
    rows = load_internet_use()
    assert surveyed <= set(usable(rows))
    assert all(rows[c].data_year >= 2020 for c in surveyed)


def test_rich_survey_countries_are_more_online_than_cambodia():
    # Theory: people online rise with income; every rich country of the Microsoft survey
    # must stand above Cambodia, its one low-income country.
    shares = usable(load_internet_use())
    for code in ("AE", "SG", "NO", "IE", "FR", "KR", "US"):
        assert shares[code] > shares["KH"] + 0.2, code


def test_income_curve_rises_with_income_and_stays_in_the_measured_range():
    curve = online_share(("US",)).curve
    assert curve.slope > 0
    gdp = np.geomspace(100, 1_000_000, 60)  # beyond the poorest and richest countries
    estimate = curve(gdp)
    assert np.all(np.diff(estimate) >= 0)
    assert np.all((estimate >= curve.low) & (estimate <= curve.high))
    measured = [s for s in usable(load_internet_use()).values() if 0 < s < 1]
    assert curve.low == min(measured) and curve.high == max(measured)


def test_income_curve_recovers_an_exact_logistic():
    gdp = {f"C{i}": float(g) for i, g in enumerate(np.geomspace(1_000, 100_000, 9))}
    shares = {c: float(1 / (1 + np.exp(-(-8.0 + 0.9 * np.log(g))))) for c, g in gdp.items()}
    shares["TOP"], gdp["TOP"] = 1.0, 200_000.0  # no finite logit: left out of the fit
    curve = fit_income_curve(shares, gdp)
    assert curve.n == 9
    assert curve.intercept == pytest.approx(-8.0) and curve.slope == pytest.approx(0.9)
    assert curve(np.array([10_000.0]))[0] == pytest.approx(shares["C4"])


def test_estimates_do_not_depend_on_the_run():
    alone, together = online_share(("TW",)), online_share(("TW", "US", "KH"))
    assert alone.share[0] == together.share[0]
    assert alone.estimated == ("TW",) and together.estimated == ("TW",)
    assert isinstance(alone.curve, IncomeCurve)


def test_unknown_country_for_a_run_is_refused():
    with pytest.raises(InputError, match="ZZ"):
        online_share(("US", "ZZ"))


BAD_CELLS = st.one_of(
    st.tuples(st.just("share_percent"),
              st.sampled_from(["abc", "", "nan", "inf", "-inf", "1e999", "12%", "٣٤"])),
    st.tuples(st.just("share_percent"),
              st.floats(min_value=100.0001, max_value=1e9).map(repr)),
    st.tuples(st.just("share_percent"),
              st.floats(min_value=-1e9, max_value=-1e-6).map(repr)),
    st.tuples(st.just("country"), st.sampled_from(["ZZ", "USA", "us", "", "XX"])),
    st.tuples(st.just("data_year"), st.sampled_from(["2023.5", "1900", "2030", "year"])),
)


@given(bad=BAD_CELLS, position=st.integers(min_value=0, max_value=2))
def test_a_bad_cell_names_file_line_and_column(tmp_path_factory, bad, position):
    column, text = bad
    rows = [dict(GOOD, country=c) for c in ("FR", "DE", "US")]
    rows[position][column] = text
    path = _write(tmp_path_factory.mktemp("bad"), rows)
    with pytest.raises(InputError) as caught:
        read_internet_use(path)
    message = caught.value.message
    assert f"{path}:{position + 2}:" in message and repr(column) in message


@given(codes=st.lists(st.sampled_from(["FR", "DE", "US", "KH"]), min_size=2, max_size=6))
def test_a_duplicate_country_is_refused_naming_both_lines(tmp_path_factory, codes):
    rows = [dict(GOOD, country=c) for c in codes]
    path = _write(tmp_path_factory.mktemp("dup"), rows)
    if len(set(codes)) == len(codes):
        assert set(read_internet_use(path)) == set(codes)
        return
    with pytest.raises(InputError) as caught:
        read_internet_use(path)
    second = next(i for i, c in enumerate(codes) if c in codes[:i])
    first = codes.index(codes[second])
    assert f"{path}:{second + 2}: column 'country'" in caught.value.message
    assert f"line {first + 2}" in caught.value.message


def test_a_bad_header_is_refused(tmp_path):
    path = tmp_path / "internet_use.csv"
    path.write_text("country,share\nFR,86\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad header"):
        read_internet_use(path)
