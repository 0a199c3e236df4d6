"""The scenario form's model: any typing keeps a valid TOML file and never raises."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tui_support import SCENARIO

from tui.data.scenario_form import DraftError, ScenarioDraft


@pytest.fixture(scope="module")
def draft_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("form") / "tiny.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_fields_follow_the_file(draft_file):
    draft = ScenarioDraft.open(draft_file)
    dotted = [f.dotted for f in draft.fields()]
    assert dotted[:5] == ["name", "seed", "months", "markets", "technology_profile"]
    assert "firms[1].strategy.localise[0].region" in dotted
    assert draft.problems == [] and draft.scenario is not None


def test_problems_name_the_file_and_key_like_the_cli(draft_file):
    draft = ScenarioDraft.open(draft_file)
    markets = next(f for f in draft.fields() if f.dotted == "markets")
    assert draft.set_text(markets, "DE, Atlantis") == [
        "expected a region (eu, na, latam, apac, mena, ssa, cis, global) or an ISO 3166 "
        "alpha-2 country code such as 'DE', got 'Atlantis'"]
    assert draft.problems[0].startswith("tiny.toml: markets")
    assert draft.scenario is None


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), text=st.text(max_size=30))
def test_any_typing_keeps_valid_toml_and_undo_restores_the_file(draft_file, data, text):
    draft = ScenarioDraft.open(draft_file)
    fields = draft.fields()
    field = data.draw(st.sampled_from(fields))
    original = draft.text_of(field)
    problems = draft.set_text(field, text)
    assert all(isinstance(p, str) for p in problems)
    tomllib.loads(tomlkit.dumps(draft.doc))  # still a TOML file
    assert all(p.startswith("tiny.toml: ") for p in draft.problems)
    draft.set_text(field, original)
    assert draft.problems == []
    assert tomllib.loads(tomlkit.dumps(draft.doc)) == tomllib.loads(SCENARIO)


def test_unreadable_files_are_refused_clearly(tmp_path):
    with pytest.raises(DraftError, match="not valid TOML"):
        ScenarioDraft(tmp_path / "x.toml", "a = [")
    with pytest.raises(DraftError, match="cannot read"):
        ScenarioDraft.open(tmp_path / "missing.toml")


def test_fields_are_grouped_by_section_and_firm_with_labels_for_people(draft_file):
    draft = ScenarioDraft.open(draft_file)
    groups = draft.groups()
    assert [g.key for g in groups] == [(), ("firms", 0), ("firms", 1)]
    assert [draft.firm_name(1), draft.firm_name(5)] == ["Challenger", ""]
    assert sum(len(g.fields) for g in groups) == len(draft.fields())
    labels = {f.dotted: f.label for g in groups for f in g.fields}
    assert labels["technology_profile"] == "technology profile"
    assert labels["firms[1].talent.researchers"] == "talent · researchers"
    assert (labels["firms[1].strategy.localise[0].start_month"]
            == "strategy · localise 1 · start month")


def test_shipped_scenarios_group_their_sections():
    from tui.data.workspace import shipped_scenarios

    draft = ScenarioDraft.open(next(p for p in shipped_scenarios() if p.name == "stylised.toml"))
    keys = [g.key for g in draft.groups()]
    assert keys[0] == () and ("parameters",) in keys and ("firms", 0) in keys
    parameters = next(g for g in draft.groups() if g.key == ("parameters",))
    assert all(not f.label.startswith("parameters") for f in parameters.fields)
