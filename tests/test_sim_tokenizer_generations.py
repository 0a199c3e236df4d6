"""A firm's tokenizer changes with a model generation (OpenAI: cl100k_base to o200k_base)."""

import numpy as np
import pytest

from plumbing.shipped import shipped_path
from simulator.model import StrategyModel
from simulator.scenario import load_scenario
from simulator.tokenizers import firm_premiums

DEFAULT = shipped_path("scenarios", "stylised.toml")
KEY = "firms.Frontier US.model"
MODEL = ('{ active_params = 2.8e11, tokenizer = "cl100k_base", family = "gpt", '
         'training_tokens = 1.3e13, generation_months = 12%s }')


def _model(changes: str) -> StrategyModel:
    return StrategyModel(load_scenario(DEFAULT, [f"{KEY}={MODEL % changes}"]), months=8)


def test_a_new_tokenizer_serves_from_its_month_and_cheaper_where_its_premium_is_lower():
    # Scenario from 2022-11: a change in 2023-03 serves from simulated month 5.
    switched = _model(', tokenizer_changes = [{ month = "2023-03", tokenizer = "o200k_base" }]')
    kept = _model("")
    geo, f = switched.geo, 0
    o200k = firm_premiums(switched.profile, "o200k_base", geo.lang_codes, geo.lang_weights,
                          None)[0]
    india = geo.index("IN")
    for month in range(1, 9):
        switched.step()
        kept.step()
        expected = o200k if month >= 5 else kept.econ.firm_premium[f]
        assert switched.econ.firm_premium[f] == pytest.approx(expected), month
    # o200k_base's Hindi premium is about half cl100k_base's (shipped profile: 1.59 vs 3.57),
    # so a user in India costs fewer tokens to serve.
    assert o200k[india] < 0.75 * kept.econ.firm_premium[f, india]
    per_user = [m.econ.tokens_per_user(m.region_of, m.paying)[f, india] for m in (switched, kept)]
    assert per_user[0] < per_user[1]
    assert np.array_equal(switched.econ.firm_premium[1:], kept.econ.firm_premium[1:])


def test_a_tokenizer_change_outside_the_calendar_is_refused():
    from plumbing.errors import InputError

    change = ', tokenizer_changes = [{ month = "May", tokenizer = "o200k_base" }]'
    with pytest.raises(InputError, match="YYYY-MM"):
        load_scenario(DEFAULT, [f"{KEY}={MODEL % change}"])
