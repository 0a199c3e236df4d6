"""Localising with a vocabulary extension: the premium the hub measured after it, never more."""

import numpy as np
import pytest

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator.advice.drivers import _vocab_tokens
from simulator.advice.moves import Move
from simulator.firm_economics import localised_premiums
from simulator.model import StrategyModel
from simulator.scenario import load_scenario
from simulator.scenario.firm import Localisation
from simulator.tokenizers import firm_premiums
from simulator.vocab_extension import ExtensionRow, extensions

DEFAULT = shipped_path("scenarios", "stylised.toml")
FRONTIER = "Frontier US"


@pytest.fixture(scope="module")
def model():
    return StrategyModel(load_scenario(DEFAULT), months=1)


def test_localising_never_raises_a_firms_premium(model):
    geo, tech = model.geo, model.tech
    for tokenizer, region, tokens in extensions():
        premium = firm_premiums(model.profile, tokenizer, geo.lang_codes, geo.lang_weights,
                                None)[0]
        plan = Localisation(region=region, vocab_tokens=tokens)
        after = localised_premiums(model.profile, tokenizer, [plan], tech.regions, geo, 1.0,
                                   premium)
        assert (after <= premium * (1 + 1e-12)).all(), (tokenizer, region, tokens)
        members = geo.region_members[region] & geo.is_market
        assert (after[tech.regions.index(region), members] < premium[members]).any()
        outside = ~geo.region_members[region] & (geo.lang_weights[:, geo.lang_codes.index(
            "en")] > 0.99)  # English-only countries: nothing to gain
        assert np.allclose(after[tech.regions.index(region), outside], premium[outside],
                           rtol=0.05)


def test_a_vocabulary_extension_cuts_what_a_japanese_user_costs_once_it_is_live():
    # Localising apac from month 1: the model goes live after its build months; with 16k
    # tokens added to cl100k_base the Japanese premium falls from 2.25 to 1.35 (measured,
    # data/vocab_extension.csv), without them the tokenizer and its premium stay.
    plan = '{ region = "apac", start_month = 1%s }'
    runs = {}
    for name, extra in (("cpt", ""), ("vocab", ", vocab_tokens = 16000")):
        scenario = load_scenario(DEFAULT, [
            f"firms.{FRONTIER}.strategy.localise=[{plan % extra}]",
            f"firms.{FRONTIER}.model.tokenizer_changes=[]"])
        model = StrategyModel(scenario, months=12)
        for _ in range(12):
            model.step()
        runs[name] = model
    japan = runs["cpt"].geo.index("JP")
    assert runs["cpt"].region_of[0, japan] != runs["cpt"].global_index  # live by month 12
    tokens = {k: m.econ.tokens_per_char(m.region_of)[0, japan] for k, m in runs.items()}
    base = runs["cpt"].econ.firm_premium[0, japan] * runs["cpt"].econ.en_tokens_per_char[0]
    assert tokens["cpt"] == pytest.approx(base)
    assert tokens["vocab"] < 0.8 * tokens["cpt"]


def test_advice_reports_the_measured_premium_like_with_like(model):
    from simulator.advice.drivers import extended_premium

    # data/vocab_extension.csv's row: Japanese on cl100k_base, 2.2492 before, 16k apac
    # tokens cut its tokens to a ratio of 0.6094 on the same text: 2.2492 x 0.6094.
    row = extensions()[("cl100k_base", "apac", 16000)]["ja"]
    assert (row.premium_before, row.tokens_ratio) == pytest.approx((2.2492, 0.6094), abs=1e-4)
    assert extended_premium(model.profile, "cl100k_base", "apac", 16000, "ja",
                            1.0) == pytest.approx(2.2492 * 0.6094, rel=2e-4)
    assert extended_premium(model.profile, "tekken", "apac", 16000, "ja", 1.0) is None
    move = Move("localise-apac-now-vocab16k", "localise", "apac", "",
                {f"firms.{FRONTIER}.strategy.localise": [
                    {"region": "apac", "start_month": 0, "vocab_tokens": 16000}]})
    assert _vocab_tokens(move) == 16000  # the drivers read the plan the move sets


def test_a_bad_extension_row_is_named(tmp_path):
    from plumbing.tables import read_table

    header = ",".join(f.name for f in ExtensionRow.__dataclass_fields__.values())
    row = "cl100k_base,apac,16000,ja,2.2,2.1,2.3,1.5,1.4,1.6,1.2," + "0" * 64 + ",hub premium"
    path = tmp_path / "vocab_extension.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"vocab_extension.csv:2: column 'tokens_ratio'"):
        read_table(path, ExtensionRow)
