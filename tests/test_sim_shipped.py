"""Every shipped scenario loads and runs a few seeded months (like Mesa's test_examples)."""

import pytest
from sim_profiles import write_profile

from plumbing.shipped import shipped_path
from simulator.agents import FirmAgent
from simulator.model import StrategyModel
from simulator.run import load_scenario, run_scenario

SCENARIOS = sorted(shipped_path("scenarios").glob("*.toml"))


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return write_profile(tmp_path_factory.mktemp("profile") / "profile.parquet")


def test_the_questions_come_in_pairs():
    names = {path.stem for path in SCENARIOS}
    assert {"default", "stylised", "eu_localise_early", "eu_localise_late", "hire_home",
            "hire_europe", "entry_uppsala", "entry_gravity"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_runs_seeded(path, profile):
    scenario = load_scenario(path)
    first = run_scenario(scenario, seed=1, months=4, profile=profile)
    again = run_scenario(scenario, seed=1, months=4, profile=profile)
    assert first.timeseries.equals(again.timeseries)
    assert first.months == 4 and first.timeseries.num_rows > 0
    assert first.firms.num_rows == len(scenario.firms)


def test_the_stylised_scenario_has_the_four_archetypes_and_every_country(profile):
    scenario = load_scenario(shipped_path("scenarios", "stylised.toml"))
    model = StrategyModel(scenario, profile=profile)
    assert len(model.agents_by_type[FirmAgent]) == len(model.agents) == 4  # firms decide
    assert model.geo.size > 200 and model.geo.is_market.all()
    assert {firm.spec.home for firm in model.firms} >= {"US", "CN", "FR"}
