"""Scenario files, profiles and the `simulator run` command: good input runs, bad input is told."""


import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sim_profiles import firm_toml, profile_rows, scenario_file, write_profile

from plumbing.errors import InputError
from plumbing.outputs import OWNER_MARKER
from simulator.cli import main
from simulator.reports.schema import TIMESERIES_SCHEMA
from simulator.run import load_scenario, run_scenario
from simulator.run.cli import run
from simulator.scenario import Scenario, parse_scenario
from simulator.scenario.toml_check import format_problems
from tests.cli_text import shows

BAD = """
name = "bad"
months = "ten"
markets = ["eu", "XX"]
colour = "blue"
[parameters]
bass_p_annual = -1
[[firms]]
name = "A"
home = "ZZ"
cash_usd = 1e9
talent = { researchers = 1 }
strategy = { entry_rule = "random" }
"""


def test_every_problem_is_listed_with_file_key_and_expectation():
    with pytest.raises(InputError) as caught:
        parse_scenario(BAD, "bad.toml")
    lines = caught.value.message.splitlines()[1:]
    keys = [line.split(": ")[1] for line in lines]
    assert all(line.startswith("bad.toml: ") for line in lines)
    assert sorted(keys) == sorted([
        "months", "markets", "colour", "parameters.bass_p_annual", "firms[0].home",
        "firms[0].talent.engineers", "firms[0].strategy.entry_rule"])
    said = dict(zip(keys, lines, strict=True))
    assert "expected a valid integer" in said["months"]
    assert "'XX'" in said["markets"] and "expected a region" in said["markets"]
    assert "unknown key; expected one of: name, description, seed" in said["colour"]
    assert "expected greater than 0" in said["parameters.bass_p_annual"]
    assert "missing" in said["firms[0].talent.engineers"]
    assert "'uppsala', 'gravity' or 'explicit'" in said["firms[0].strategy.entry_rule"]


def test_format_problems_is_reusable_on_a_validation_error():
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate({"name": "x", "markets": [], "firms": []})
    lines = format_problems("s.toml", caught.value, Scenario)
    assert [line.split(": ")[:2] for line in lines] == [["s.toml", "markets"], ["s.toml", "firms"]]
    assert all("at least 1 item" in line for line in lines)
    from simulator.parameters import Parameters

    with pytest.raises(ValidationError) as caught:
        Parameters.model_validate({"churn": 0.1})
    [line] = format_problems("p.toml", caught.value, Parameters)
    assert line.startswith("p.toml: churn: unknown key; expected one of: bass_p_annual")


def test_not_toml_and_missing_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not valid TOML"):
        parse_scenario("name = ", "broken.toml")
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario(tmp_path / "none.toml")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(
    st.sampled_from(["name", "months", "seed", "markets", "firms", "parameters", "extra"]),
    st.one_of(st.integers(-5, 5), st.text(max_size=5), st.lists(st.text(max_size=3), max_size=2),
              st.dictionaries(st.text(max_size=4), st.integers(), max_size=2)),
    max_size=7))
def test_any_document_is_either_valid_or_an_input_error(document):
    import tomlkit

    try:
        parse_scenario(tomlkit.dumps(document), "any.toml")
    except InputError as exc:
        assert all(line.startswith("any.toml: ") for line in exc.message.splitlines()[1:])


def test_profile_problems_are_named(tmp_path):
    firm = firm_toml("A", "DE", localise='[{ region = "cis", start_month = 1 }]')
    no_cis = [row for row in profile_rows() if row["region"] != "cis"]
    profile = write_profile(tmp_path / "p.parquet", no_cis)
    path = scenario_file(tmp_path, ["DE"], [firm], profile=profile)
    with pytest.raises(InputError, match="no model for region.*cis"):
        run_scenario(load_scenario(path), months=1)
    no_global = [row for row in profile_rows() if row["region"] != "global"]
    write_profile(profile, no_global)
    with pytest.raises(InputError, match="no 'global' model"):
        run_scenario(load_scenario(path), months=1)
    profile.unlink()
    with pytest.raises(InputError, match="technology profile not found"):
        run_scenario(load_scenario(path), months=1)
    unset = load_scenario(path).model_copy(update={"technology_profile": None})
    try:
        unset.profile_path()  # the shipped profile, once the hub has made it
    except InputError as exc:
        assert "technology_profile: not set and no shipped profile" in exc.message


def test_uncovered_languages_are_reported(tmp_path):
    only_english = [row for row in profile_rows() if row["lang"] == "en"]
    profile = write_profile(tmp_path / "en.parquet", only_english)
    path = scenario_file(tmp_path, ["JP", "US"], [firm_toml("A", "US")], profile=profile)
    result = run_scenario(load_scenario(path), months=2)
    assert any("JP (0% measured)" in note for note in result.notes)


def test_run_command_writes_parquet_and_prints_the_summary(tmp_path):
    path = scenario_file(tmp_path, ["DE", "FR"], [firm_toml("Solo", "DE")])
    out = tmp_path / "out"
    other = write_profile(tmp_path / "other.parquet")
    (tmp_path / "profile.parquet").unlink()  # only the --profile one exists now
    args = [str(path), "--seed", "2", "--months", "6", "--out", str(out), "--profile", str(other)]
    result = CliRunner().invoke(run, args)
    assert result.exit_code == 0, result.output
    assert "Solo" in result.output and shows(result.output, "by region")
    table = pq.read_table(out / "timeseries.parquet")
    assert table.schema.equals(TIMESERIES_SCHEMA)
    assert table["month"].to_numpy().max() == 6
    assert pq.read_table(out / "runs.parquet")["seed"].to_pylist() == [2]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [OWNER_MARKER]  # no temps


def test_bad_scenario_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    done = CliRunner().invoke(main, ["run", str(bad)])
    # A refusal, not an uncaught exception (which would leave exit code 1 and a traceback).
    assert done.exit_code == 2 and isinstance(done.exception, SystemExit), done.output
    assert shows(done.output, f"{bad}: firms[0].home: expected an ISO 3166")


def test_profile_keeps_the_largest_newest_model_per_region(tmp_path):
    from simulator.technology import load_profile

    rows = profile_rows()
    newer = [dict(r, model_id="eu@v10", bits_per_byte=0.5) for r in rows if r["region"] == "eu"]
    older = [dict(r, model_id="eu@v9") for r in rows if r["region"] == "eu"]
    tiny = [dict(r, model_id=f"{r['region']}@v11", size="tiny", params=1_000_000,
                 bits_per_byte=3.0) for r in rows if r["region"] in ("eu", "global")]
    others = [r for r in rows if r["region"] != "eu"]
    path = write_profile(tmp_path / "p.parquet", others + older + newer + tiny)
    profile = load_profile(path)
    assert profile.model_ids["eu"] == "eu@v10"
    assert profile.figures["eu"]["de"].bits_per_byte == 0.5
    assert load_profile(path, size="tiny").model_ids["eu"] == "eu@v11"
    with pytest.raises(InputError, match="no model of size 'base'"):
        load_profile(path, size="base")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["global", "eu", "apac"]),
                          st.sampled_from(["en", "de", "pt-BR", "pt", "zh-Hans", "sw"]),
                          st.one_of(st.none(), st.floats(-1.0, 5.0)),
                          st.one_of(st.none(), st.floats(-1.0, 10.0))), max_size=12))
def test_any_profile_loads_or_is_refused_clearly(tmp_path, rows):
    import numpy as np

    from simulator.technology import country_technology, load_profile

    base = profile_rows()[0]
    table = [dict(base, region=r, model_id=f"{r}@v1", lang=lang, bits_per_byte=bpb,
                  usd_per_1m_chars=cost) for r, lang, bpb, cost in rows]
    path = write_profile(tmp_path / "any.parquet", table)
    try:
        profile = load_profile(path)
    except InputError as exc:
        assert str(path) in exc.message
        return
    weights = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    tech = country_technology(profile, ("de", "pt", "ja"), weights)
    measured = [f.bits_per_byte for langs in profile.figures.values() for f in langs.values()]
    assert np.all(tech.bits_per_byte >= min(measured) - 1e-12)
    assert np.all(tech.bits_per_byte <= max(measured) + 1e-12)
    assert tech.measured_share[1] == 0.0  # nobody measured Japanese


def test_repeated_firm_names_are_refused_by_name(tmp_path):
    twins = [firm_toml("Acme", "DE"), firm_toml("Acme", "FR"), firm_toml("Solo", "US")]
    with pytest.raises(InputError, match="expected unique firm names, repeated: Acme"):
        load_scenario(scenario_file(tmp_path, ["eu"], twins))
