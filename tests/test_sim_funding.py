"""Money in besides revenue: a parent covering its unit's loss (Meta AI, Gemini), equity rounds.

Theory: a unit whose parent covers its losses keeps serving where a standalone firm with the
same books runs out of cash; the parent pays only the month's loss and never more than its
cap, so a unit that earns gets nothing and a cap below the loss delays the exit, not
prevents it.
"""

from __future__ import annotations

import numpy as np
import pytest

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator.advice.decision import decide_from
from simulator.advice.members import FocusRecorder
from simulator.model import StrategyModel
from simulator.run import run_scenario
from simulator.scenario import load_scenario

STYLISED = shipped_path("scenarios", "stylised.toml")
FIRM = "Open Weights"
MONTHS = 48


def _run(cap: float):
    scenario = load_scenario(STYLISED, [f"firms.{FIRM}.cash_usd=2e8",
                                        f"firms.{FIRM}.parent_funding_usd_monthly={cap}"])
    result = run_scenario(scenario, months=MONTHS)
    fm = result.firm_months.to_pandas()
    return fm[fm.firm == FIRM].set_index("month"), result.firms.to_pandas().set_index("firm")


def _costs(fm):
    return (fm.serving_cost + fm.salaries + fm.localisation_spend + fm.compliance_spend
            + fm.commitment_spend + fm.training_spend)


def test_a_parent_keeps_a_loss_making_unit_serving():
    alone, alone_firms = _run(0.0)
    backed, backed_firms = _run(1e11)
    # Alone, the free assistant's serving costs exhaust its cash and it leaves every market.
    assert alone.parent_funding.eq(0).all()
    assert alone_firms.loc[FIRM, "exit_month"] > 0
    # Backed, it never runs out: the parent pays exactly each month's loss, nothing in a
    # month that earns.
    assert np.isnan(backed_firms.loc[FIRM, "exit_month"])
    loss = np.maximum(_costs(backed) - backed.revenue, 0.0)
    np.testing.assert_allclose(backed.parent_funding, loss, rtol=1e-9, atol=1.0)
    assert (backed.parent_funding > 0).any() and (backed.cash > 0).all()
    assert backed.users.iloc[-1] > 0


def test_the_parent_pays_no_more_than_its_cap():
    capped, firms = _run(1e6)
    assert capped.parent_funding.max() <= 1e6 * (1 + 1e-12)
    assert firms.loc[FIRM, "exit_month"] > 0  # the cap is far below the unit's losses


def test_a_round_adds_its_cash_in_its_month_and_keeps_a_lab_alive():
    # The same near-broke firm (out of cash in month 3 alone), without and with a round of
    # $5B in month 2 (December 2022: the stylised world starts in November 2022).
    def run(*extra: str):
        scenario = load_scenario(STYLISED, [f"firms.{FIRM}.cash_usd=2e8", *extra])
        result = run_scenario(scenario, months=MONTHS)
        fm = result.firm_months.to_pandas()
        return fm[fm.firm == FIRM].set_index("month"), result.firms.to_pandas().set_index("firm")

    alone, alone_firms = run()
    raised, raised_firms = run(f'firms.{FIRM}.funding=[{{ month = "2022-12", usd = 5e9 }}]')
    assert raised.equity_raised[2] == 5e9
    assert raised.equity_raised.drop(2).eq(0).all() and alone.equity_raised.eq(0).all()
    assert raised.cash[2] - alone.cash[2] == 5e9  # the same month's books otherwise
    exited = raised_firms.loc[FIRM, "exit_month"]
    assert alone_firms.loc[FIRM, "exit_month"] == 3 and (np.isnan(exited) or exited > 12)


def test_a_bad_round_or_cap_is_refused_naming_the_field():
    with pytest.raises(InputError) as error:
        load_scenario(STYLISED, [f'firms.{FIRM}.funding=[{{ month = "2024-13", usd = -1 }}]',
                                 f"firms.{FIRM}.parent_funding_usd_monthly=-5"])
    message = " ".join(str(error.value).split())  # independent of line breaks
    for field in ("funding[0].month", "funding[0].usd", "parent_funding_usd_monthly"):
        assert f"firms.{FIRM}.{field}" in message


def test_advice_values_the_firms_own_cash_not_its_financing():
    """A parent's cover keeps a unit's cash flat, but its losses are still the group's: the
    cash advice values (`own_cash`) falls by them, and a round is no operating gain."""
    scenario = load_scenario(STYLISED, [f"firms.{FIRM}.cash_usd=2e8",
                                        f"firms.{FIRM}.parent_funding_usd_monthly=1e11",
                                        f'firms.{FIRM}.funding=[{{ month = "2023-01", '
                                        f'usd = 1e9 }}]'])
    firm = [f.name for f in scenario.firms].index(FIRM)
    decision = decide_from(scenario, "2022-12", 12)
    model = StrategyModel(scenario, months=decision.months)
    model.recorder = FocusRecorder(firm, decision)
    money_in = 0.0
    while model.steps < decision.months:
        model.step()
        flows = model.ledger.flows
        money_in += flows["equity_raised"][firm].sum() + flows["parent_funding"][firm].sum()
    assert money_in > 1e9  # the round and the parent's cover both came in
    np.testing.assert_allclose(model.own_cash()[firm], model.cash[firm] - money_in, rtol=1e-12)
    assert model.recorder.cash[-1] == model.own_cash()[firm] < 2e8  # losses, as advice sees
