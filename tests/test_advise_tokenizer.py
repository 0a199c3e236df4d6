"""A tokenizer comes with a model: serving with a cheaper one from the firm's next release.

Theory: a request costs a lab its tokens, and a language's tokens per character are its
tokenizer's (`hub premium`). A tokenizer that takes fewer tokens in the firm's markets
lowers what each user there costs it, from the release that brings the tokenizer and not
before; a firm already on the profile's best tokenizer has no such move. The hindcast
scores OpenAI's own (GPT-4o's o200k_base, May 2024) and, deciding from January 2024, keeps
it, and the firm's other later choices, out of the status quo.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from plumbing.shipped import shipped_path
from simulator.advice.decision import decide_from
from simulator.advice.hindcast import express, later_choices
from simulator.advice.moves import _blocked, find_firm
from simulator.advice.real_moves import load_real_moves
from simulator.advice.tokenizer_moves import next_release, tokenizer_moves
from simulator.geography import build_geography
from simulator.run import load_scenario, run_scenario
from simulator.scenario.overrides import apply
from simulator.technology import load_profile

FIRM = "US Frontier"


@pytest.fixture(scope="module")
def world():
    """The history deciding from 2024-01 over 24 months, the firm's later choices left out."""
    path = shipped_path("scenarios", "history.toml")
    history = load_scenario(path)
    decision = decide_from(history, "2024-01", 24)
    extra, left_out = later_choices(history, find_firm(history, FIRM), decision)
    scenario = apply(load_scenario(path, extra), {"months": decision.months})
    profile = load_profile(scenario.profile_path(), scenario.profile_size)
    return scenario, decision, profile, build_geography(scenario), extra, left_out


def _moves(world, firm_name: str):
    scenario, decision, profile, geo, *_ = world
    firm = find_firm(scenario, firm_name)
    return tokenizer_moves(scenario, firm, profile, decision, geo,
                           _blocked(scenario, firm, decision, geo))


def test_the_status_quo_leaves_out_the_firms_own_later_choices(world):
    scenario, decision, *_, extra, left_out = world
    assert left_out == ["office JP from 2024-04", "office SG from 2024-10",
                        "tokenizer o200k_base from 2024-05"]
    firm = find_firm(scenario, FIRM)
    assert [s.country for s in firm.strategy.sites] == ["GB", "IE"]  # chosen by 2023-12
    assert firm.model.tokenizer_changes == [] and firm.model.tokenizer == "cl100k_base"
    assert len(extra) == 2 and decision.date == "2024-01"


def test_a_tokenizer_with_fewer_tokens_cuts_a_users_tokens_from_the_release_on(world):
    scenario, decision, *_ = world
    (move,) = _moves(world, FIRM)
    change = move.overrides[f"firms.{FIRM}.model.tokenizer_changes"][-1]
    release = next_release(scenario, find_firm(scenario, FIRM), decision)
    assert move.kind == "tokenizer" and change["tokenizer"] != "cl100k_base"
    assert scenario.month_of(change["month"]) == release >= decision.month
    runs = [run_scenario(apply(scenario, overrides), seed=3).timeseries.to_pandas()
            for overrides in ({}, move.overrides)]
    per_user = []
    for frame in runs:
        rows = frame[(frame.firm == FIRM) & (frame.country == "IN")].set_index("month")
        per_user.append(rows.tokens / rows.users)
    before = per_user[0].index < release
    np.testing.assert_array_equal(per_user[1][before], per_user[0][before])
    after = (per_user[1][~before] / per_user[0][~before]).to_numpy()
    assert (after < 0.95).all()  # Hindi: the measured premiums of the two tokenizers


def test_a_firm_on_the_profiles_best_tokenizer_has_no_tokenizer_move(world):
    assert _moves(world, "China Lab") == []  # DeepSeek's own, the fewest tokens here


def test_the_hindcast_expresses_gpt_4os_tokenizer_from_the_next_release(world):
    scenario, decision, profile, geo, *_ = world
    (gpt4o,) = [m for m in load_real_moves() if m.kind == "tokenizer"]
    assert gpt4o.date == date(2024, 5, 13)
    move, why = express(gpt4o, scenario, find_firm(scenario, FIRM), decision, profile, geo)
    assert why == "" and move.name == "tokenizer-o200k_base"
    change = move.overrides[f"firms.{FIRM}.model.tokenizer_changes"]
    assert change == [{"month": "2024-09", "tokenizer": "o200k_base"}]  # the family's next
