"""Advice from a decision date: branching adds no drift, a move is the status quo until it acts.

A member is simulated to the decision date once and every move continues from a copy of
that state (`simulator.run.branching`, `simulator.advice.members`). What must hold, byte for
byte (`np.array_equal` on the float cash paths):

- an edit applied when a run starts gives the run a scenario with that edit gives (so
  `adopt` re-reads exactly what set-up reads), for every kind of generated move;
- the status quo branch is the straight run of the scenario, and adopting an unchanged
  scenario mid-run changes nothing;
- a move taking effect 6 months after the decision date leaves the firm's cash the status
  quo's for those 6 months and changes it after.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from advice_cases import four_labs
from cli_text import shows
from click.testing import CliRunner
from test_advise import case

from simulator.advice.advise import advise
from simulator.advice.decision import decide_from
from simulator.advice.ensemble import build_plan, sampled
from simulator.advice.members import plan_advice, simulate_member
from simulator.advice.moves import STATUS_QUO, Move
from simulator.advice.report import terminal_table
from simulator.advice.valuation import npv
from simulator.cli import main
from simulator.model import StrategyModel
from simulator.run import load_scenario, run_scenario
from simulator.run.branching import adopt, snapshot
from simulator.scenario.overrides import apply, uncertain_path
from simulator.technology import load_profile

FIRM = "Frontier US"
KEY = f"firms.{FIRM}"
EDITS = {  # one of each kind a generated move makes, at month 1
    "price": {f"{KEY}.strategy.pricing.usd_per_month": 9.0},
    "ppp": {f"{KEY}.strategy.pricing.ppp_adjusted": True},
    "tier": {f"{KEY}.strategy.pricing.tiers": {"IN": 5.0}},
    "hire": {f"{KEY}.strategy.hiring.countries": ["US", "GB"]},
    "skip": {f"{KEY}.strategy.exclude": ["apac"]},
    "localise": {f"{KEY}.strategy.localise": [{"region": "apac", "start_month": 1,
                                               "vocab_tokens": 16000}]},
    "office": {f"{KEY}.strategy.sites": [{"country": "DE", "kind": "office", "month": 1}]},
    "region": {f"{KEY}.strategy.data_regions": [{"country": "DE", "month": 1, "via": "cloud"}]},
    "channel": {f"{KEY}.channels": [{"name": "KakaoTalk", "start": "2022-11", "countries": ["KR"],
                                     "reach": 0.87, "conversion": 0.1}]},
    "tokenizer": {f"{KEY}.model.tokenizer_changes": [{"month": "2023-06",
                                                      "tokenizer": "o200k_base"}]},
}


@pytest.fixture(scope="module")
def world():
    scenario = apply(load_scenario(four_labs()), {"months": 24})
    return scenario, load_profile(scenario.profile_path(), scenario.profile_size)


def cash_path(model: StrategyModel) -> np.ndarray:
    """Every firm's cash after each month from where the model stands to its end."""
    path = []
    while model.steps < model.months:
        model.step()
        path.append(model.cash.copy())
    return np.array(path)


@pytest.mark.parametrize("kind", list(EDITS))
def test_an_edit_adopted_at_the_start_is_the_run_built_with_it(world, kind):
    scenario, profile = world
    edited = apply(scenario, EDITS[kind])
    built = cash_path(StrategyModel(edited, profile=profile))
    branched = StrategyModel(scenario, profile=profile)
    adopt(branched, edited)
    assert np.array_equal(cash_path(branched), built)
    # and the edit matters: the equality is not that of two status quos
    assert not np.array_equal(built, cash_path(StrategyModel(scenario, profile=profile)))


def test_adopting_the_same_scenario_mid_run_changes_nothing(world):
    scenario, profile = world
    model = StrategyModel(scenario, profile=profile)
    for _ in range(9):
        model.step()
    copy = snapshot(model)
    adopt(copy, apply(scenario, {}))
    assert np.array_equal(cash_path(copy), cash_path(model))


def test_a_price_edit_that_changes_no_price_changes_nothing_mid_run(world):
    # A tier at the list price of a firm that has since moved countries to its PPP price and
    # complied with the EU's rules: what its entries are judged by stays as set-up judged it.
    scenario, profile = world
    firm = next(f for f in scenario.firms if f.name == FIRM)
    model = StrategyModel(scenario, profile=profile)
    for _ in range(18):
        model.step()
    f = [x.name for x in scenario.firms].index(FIRM)
    assert model.price_choice[f].any() and model.footprint.bloc_compliant[f]
    copy = snapshot(model)
    adopt(copy, apply(scenario, {f"{KEY}.strategy.pricing.tiers": {
        "IN": firm.strategy.pricing.usd_per_month}}))
    assert np.array_equal(copy.potential, model.potential)
    assert np.array_equal(copy.experience_needed, model.experience_needed)
    assert np.array_equal(cash_path(copy), cash_path(model))


def test_a_tokenizer_already_served_cannot_be_changed_mid_run(world):
    scenario, profile = world
    model = StrategyModel(scenario, profile=profile)
    for _ in range(9):  # to July 2023: a change from June 2023 would have been served
        model.step()
    with pytest.raises(ValueError, match="tokenizer_changes 2023-06 is served already"):
        adopt(snapshot(model), apply(scenario, EDITS["tokenizer"]))
    later = {f"{KEY}.model.tokenizer_changes": [{"month": "2023-12", "tokenizer": "o200k_base"}]}
    branched = snapshot(model)
    adopt(branched, apply(scenario, later))
    built = StrategyModel(apply(scenario, later), profile=profile)
    for _ in range(9):
        built.step()
    assert np.array_equal(cash_path(branched), cash_path(built))


def test_leaving_a_region_mid_run_ends_the_firm_there(world):
    scenario, profile = world
    model = StrategyModel(scenario, profile=profile)
    for _ in range(12):
        model.step()
    apac = model.geo.region_members["apac"]
    f = [firm.name for firm in scenario.firms].index(FIRM)
    assert model.footprint.served()[f, apac].any()
    adopt(model, apply(scenario, EDITS["skip"]))
    assert not model.footprint.served()[f, apac].any() and model.users[f, apac].sum() == 0
    cash_path(model)
    assert not model.footprint.served()[f, apac].any()  # and never enters again


@pytest.fixture(scope="module")
def member(world):
    """One member decided at month 13 (2023-11): the status quo and a price cut in 6 months."""
    scenario, _ = world
    decision = decide_from(scenario, "2023-11")
    base = apply(scenario, {"months": decision.months})
    moves = [Move(STATUS_QUO, "status_quo", None, "as written"),
             Move("price-9usd-6m", "price", None, "cut to $9 in 6 months",
                  {f"{KEY}.strategy.pricing.usd_per_month": 9.0}, delay=6),
             Move("price-9usd", "price", None, "cut to $9 now",
                  {f"{KEY}.strategy.pricing.usd_per_month": 9.0})]
    plan = plan_advice(build_plan(base, moves, sampled(base, 1, 5), FIRM, 5), decision,
                       [m.delay for m in moves])
    start_cash, models = simulate_member(plan, 0)
    return base, plan, start_cash, [m.recorder.cash for m in models]


def test_the_status_quo_branch_is_the_straight_run(member):
    base, plan, start_cash, paths = member
    spec = plan.runs.spec(0)  # the member: its sampled parameters and its seed
    scenario = apply(base, {uncertain_path(k): v for k, v in spec.values.items()})
    assert spec.values and scenario != base
    straight = run_scenario(scenario, seed=spec.seed).firm_months.to_pandas()
    own = straight[straight["firm"] == FIRM].sort_values("month")["cash"].to_numpy()
    assert plan.decision.month == 13 and paths[0].size == base.months - 12
    assert np.array_equal(paths[0], own[12:]) and start_cash == own[11]


def test_a_move_is_the_status_quo_until_its_month_and_differs_after(member):
    _, _, _, (status_quo, later, now) = member
    assert np.array_equal(later[:6], status_quo[:6])
    assert not np.array_equal(later[6:], status_quo[6:])
    assert not np.array_equal(now[:6], status_quo[:6])
    assert not np.isnan(np.concatenate([status_quo, later, now])).any()  # every month kept


@pytest.mark.parametrize(("when", "expected"), [
    ("2022-10", "--from: expected a month from 2022-11 (the scenario's start_date) to 2025-10 "
                "(its last month), got 2022-10"),
    ("2025-11", "--from: expected a month from 2022-11 (the scenario's start_date) to 2025-10 "
                "(its last month), got 2025-11"),
    ("2025-13", "--from: expected a calendar month YYYY-MM"),
])
def test_a_decision_date_outside_the_scenario_exits_2_naming_the_limits(tmp_path, when,
                                                                         expected):
    scenario = case(tmp_path, "IS")  # 36 months from 2022-11
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--from",
                                       when, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, expected)
    assert not (tmp_path / "o").exists()


def test_advice_from_a_date_values_cash_from_it_and_records_it(tmp_path):
    scenario = case(tmp_path, "IS")
    moves = tmp_path / "moves.toml"
    moves.write_text('[[moves]]\nname = "cheaper"\n'
                     'overrides = { "firms.Solo.strategy.pricing.usd_per_month" = 5.0 }\n',
                     encoding="utf-8")
    result = advise(scenario, "Solo", tmp_path / "advice", moves_file=moves, samples=2,
                    workers=1, decide="2023-11", horizon=12)
    summary = json.loads((tmp_path / "advice" / "advice.json").read_text())
    assert (summary["decision_date"], summary["decision_month"], summary["horizon_months"]) == (
        "2023-11", 13, 12)
    assert result.cash.shape == (2, 2, 12) and result.scenario.months == 24
    assert np.array_equal(result.values, npv(result.cash, result.start_cash, 0.10))
    assert (result.start_cash != result.scenario.firms[0].cash_usd).all()  # a year has passed
    # The terminal table names the months the NPVs count: from the decision, not the start.
    assert "NPV over 12 months (2023-11 to 2024-10)" in str(terminal_table(result).title)


def test_a_set_up_edit_cannot_start_from_a_later_date(tmp_path):
    scenario = case(tmp_path, "IS")
    moves = tmp_path / "moves.toml"
    moves.write_text('[[moves]]\nname = "slower"\n'
                     'overrides = { "parameters.bass_q_annual" = 0.2 }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                       str(moves), "--from", "2023-11", "--samples", "1",
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, "slower: parameters")


def test_the_decision_defaults_to_the_scenario_today_else_its_start(world):
    scenario, _ = world
    assert scenario.today is None
    start = decide_from(scenario)
    assert (start.date, start.month, start.horizon) == ("2022-11", 1, 24)
    today = decide_from(apply(scenario, {"today": "2024-01"}))
    assert (today.date, today.month, today.horizon, today.months) == ("2024-01", 15, 10, 24)
    assert decide_from(scenario, "2024-01", horizon=36).months == 14 + 36  # past the end
