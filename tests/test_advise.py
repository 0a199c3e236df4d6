"""`simulator advise`: constructed cases with a known answer, determinism, clear refusals.

One firm alone in one market (no rivals), on the tests' realistic profile (Hindi costs 3.4x
English in tokens on the global model, 2.0x on the Asia-Pacific one; tests/sim_profiles.py):

- India: ~250M addressable people whose serving cost localising cuts by a third or more,
  for a training run costing about $0.4M: localising pays, and the sooner the better;
- Iceland: ~300k addressable people; localising for the EU costs about $420M (in three
  months), more than every dollar the market could ever pay in the horizon (people x price
  x months, ~$10M): it cannot pay, and later is less bad (the same cost discounted further).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from cli_text import shows
from click.testing import CliRunner
from sim_profiles import write_profile

from simulator.advice.advise import advise
from simulator.cli import main

SCENARIO = """\
name = "{name}"
seed = 3
months = 36
markets = ["{home}"]
technology_profile = "profile.parquet"
uncertain = {{ bass_q_annual = [0.4, 0.9], serving_cost_multiplier = [60.0, 140.0] }}

[compute]
gpus = 100_000  # every training run takes the minimum three months

[parameters]
bass_p_annual = 0.08
localisation_compute_multiplier = {multiplier}

[[firms]]
name = "Solo"
home = "{home}"
cash_usd = 5e9
talent = {{ researchers = 50, engineers = 200 }}
strategy = {{ hiring = {{ target_researchers = 50, target_engineers = 200 }} }}
"""
LOCALISE = """\
[[moves]]
name = "localise-{region}-now"
overrides = {{ "firms.Solo.strategy.localise" = [{{ region = "{region}", start_month = 0 }}] }}

[[moves]]
name = "localise-{region}-12m"
overrides = {{ "firms.Solo.strategy.localise" = [{{ region = "{region}", start_month = 12 }}] }}
"""


def case(folder, home: str, multiplier: float):
    """A one-firm, one-country scenario file next to the tests' profile."""
    folder.mkdir(parents=True, exist_ok=True)
    write_profile(folder / "profile.parquet")
    path = folder / f"{home}.toml"
    path.write_text(SCENARIO.format(name=f"alone in {home}", home=home, multiplier=multiplier),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def india(tmp_path_factory):
    folder = tmp_path_factory.mktemp("india")
    return advise(case(folder, "IN", 1e7), "Solo", folder / "advice", samples=4, workers=2)


def test_localising_a_large_market_pays_and_sooner_is_better(india):
    table = india.table.set_index("move")
    now, later = table.loc["localise-apac-now"], table.loc["localise-apac-12m"]
    status_quo = table.loc["status-quo"]
    assert now["p_beats_status_quo"] == 1.0 and later["p_beats_status_quo"] == 1.0
    assert now["npv_p50"] > later["npv_p50"] > status_quo["npv_p50"]
    # The measured premium behind it, in the user's terms.
    assert "Hindi costs 3.4x English in tokens on your tokenizer" in now["drivers"]
    assert "localising apac brings it to 2.0x" in now["drivers"]
    assert now["d_serving_cost"] < 0 and now["rivals"] == 0
    # Regret is measured against the best move of each member, so the best has little.
    assert table["max_regret"].min() >= 0
    assert table["best_expected"].sum() == 1 and table["robust"].sum() == 1


def test_localising_a_tiny_market_cannot_pay(tmp_path):
    scenario = case(tmp_path, "IS", 1e10)
    moves = tmp_path / "moves.toml"
    moves.write_text(LOCALISE.format(region="eu"), encoding="utf-8")
    result = advise(scenario, "Solo", tmp_path / "advice", moves_file=moves, samples=4,
                    workers=2)
    table = result.table.set_index("move")
    assert list(result.table["move"]) == ["status-quo", "localise-eu-12m", "localise-eu-now"]
    assert table.loc["localise-eu-now", "p_beats_status_quo"] == 0.0
    assert table.loc["status-quo", "robust"] and table.loc["status-quo", "best_expected"]
    # Every dollar Iceland could pay in 36 months is less than what the localised model costs.
    assert -table.loc["localise-eu-now", "gain_p50"] > 3e8


def test_outputs_agree_and_the_same_seed_gives_the_same_table(india, tmp_path):
    folder = tmp_path / "again"
    scenario = case(folder, "IN", 1e7)
    again = advise(scenario, "Solo", folder / "advice", samples=4, workers=1)
    pd.testing.assert_frame_equal(india.table, again.table)
    written = pd.read_parquet(folder / "advice" / "advice.parquet")
    assert list(written.columns[:1]) == ["move"]
    for column in ("npv_p10", "npv_p50", "npv_p90", "p_beats_status_quo", "max_regret",
                   "drivers", "overrides"):
        assert column in written.columns
    members = pd.read_parquet(folder / "advice" / "members.parquet")
    assert len(members) == len(written) * 4
    assert members.groupby("member")["seed"].nunique().eq(1).all()  # common random numbers
    summary = json.loads((folder / "advice" / "advice.json").read_text())
    assert summary["discount_rate_annual"] == 0.10 and "Damodaran" in summary[
        "discount_rate_source"]
    assert summary["discovery"]["move"] == written["move"].iloc[0]


def test_a_firm_not_in_the_scenario_exits_2_naming_the_firms(tmp_path):
    scenario = case(tmp_path, "IN", 1e7)
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Nobody"])
    assert result.exit_code == 2
    assert shows(result.output, "--firm: expected one of the scenario's firms (Solo), "
                                "got 'Nobody'")


def test_a_bad_moves_file_exits_2_naming_file_key_and_expectation(tmp_path):
    scenario = case(tmp_path, "IN", 1e7)
    moves = tmp_path / "moves.toml"
    moves.write_text('[[moves]]\nname = "x"\noverrides = { "firms.Solo.strategy.bogus" = 1 }\n'
                     '[[moves]]\nname = "y"\noverrides = { "firms.Nobody.cash_usd" = 1e9 }\n'
                     '[[moves]]\nname = "z"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                       str(moves), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"{moves}: moves[2].overrides: missing")
    moves.write_text('[[moves]]\nname = "x"\noverrides = { "firms.Solo.strategy.bogus" = 1 }\n'
                     '[[moves]]\nname = "y"\noverrides = { "firms.Nobody.cash_usd" = 1e9 }\n',
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                       str(moves), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"{moves}: moves[0].overrides.firms.Solo.strategy.bogus: "
                                "unknown key")
    assert shows(result.output, f"{moves}: moves[1].overrides.firms.Nobody.cash_usd: no list "
                                "item named 'Nobody'")
    assert not (tmp_path / "o").exists()  # nothing run, nothing written
