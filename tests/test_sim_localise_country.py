"""Localising for one country's languages (a Japanese model) rather than a whole region.

Theory (simulator/ODD.md, "Localisation"): continued pre-training costs in proportion to the
languages trained for (tokens per language x the effective number of languages), so a
model for Japan alone costs Japan's share of Asia-Pacific's languages; and a localised model
sells where it is served: Japan's users gain, Korea's are untouched.
"""

import numpy as np
import pytest

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator.firm_economics import languages_of
from simulator.model import StrategyModel
from simulator.scenario import load_scenario

DEFAULT = shipped_path("scenarios", "default.toml")
FIRM = "US Frontier"
LOCALISE = f"firms.{FIRM}.strategy.localise"
START = 40


def _run(*assignments: str) -> StrategyModel:
    model = StrategyModel(load_scenario(DEFAULT, assignments), seed=5)
    for _ in range(model.months):
        model.step()
    return model


@pytest.fixture(scope="module")
def runs():
    return {"none": _run(),
            "apac": _run(f'{LOCALISE}=[{{ region = "apac", start_month = {START} }}]'),
            "japan": _run(f'{LOCALISE}=[{{ region = "apac", countries = ["JP"], '
                          f'start_month = {START} }}]')}


def test_a_japanese_model_costs_japans_share_of_the_regions_languages(runs):
    region, japan = runs["apac"].firms[0].plans[0], runs["japan"].firms[0].plans[0]
    geo, econ = runs["japan"].geo, runs["japan"].econ
    share = languages_of(japan.members, geo) / econ.languages[region.region_index]
    assert japan.share == pytest.approx(share) and 0 < share < 0.2  # Japan is ~1 language
    assert japan.cost_usd == pytest.approx(region.cost_usd * share)
    assert japan.months <= region.months
    assert (region.label, japan.label) == ("apac", "apac: JP")  # as the run's summary says


def test_a_japanese_model_sells_in_japan_and_nowhere_else(runs):
    geo = runs["none"].geo
    jp, kr = geo.index("JP"), geo.index("KR")
    region_of = {name: run.region_of[0] for name, run in runs.items()}
    served = np.flatnonzero(region_of["japan"] != region_of["none"])
    assert served.tolist() == [jp]  # only Japan is served the localised model
    assert (region_of["apac"] != region_of["none"]).sum() > 10  # the region's markets
    users = {name: run.users[0] for name, run in runs.items()}
    assert users["japan"][jp] > 1.01 * users["none"][jp]
    assert users["japan"][kr] == pytest.approx(users["none"][kr], rel=0.01)
    assert users["apac"][kr] > 1.01 * users["none"][kr]


def test_a_country_outside_the_region_is_refused_naming_the_field():
    with pytest.raises(InputError) as error:
        StrategyModel(load_scenario(
            DEFAULT, [f'{LOCALISE}=[{{ region = "apac", countries = ["FR"] }}]']))
    message = " ".join(str(error.value).split())
    assert f"{LOCALISE}" in message and "region apac" in message and "FR" in message


def test_advice_offers_models_for_the_largest_markets_a_regional_model_serves_better():
    from simulator.advice.moves import generate_moves
    from simulator.technology import load_profile

    scenario = load_scenario(DEFAULT)
    profile = load_profile(scenario.profile_path(), scenario.profile_size)
    moves = {m.name: m for m in generate_moves(scenario, FIRM, profile)}
    japan = moves["localise-JP-now"]
    assert japan.kind == "localise" and japan.place == "JP"
    plan = japan.overrides[LOCALISE][-1]
    assert (plan["region"], plan["countries"]) == ("apac", ["JP"])
    # once the firm localises the region, no model for one of its countries is offered
    planned = load_scenario(DEFAULT, [f'{LOCALISE}=[{{ region = "apac" }}]'])
    names = {m.name for m in generate_moves(planned, FIRM, profile)}
    assert not {"localise-JP-now", "localise-IN-now"} & names
