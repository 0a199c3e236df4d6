"""A firm's own launch calendar (`strategy.rollout`): it serves a place from that month, not before.

History's labs chose when to open a place apart from any regulator (claude.ai reached the EU
ten months after the US); the model must neither serve the place earlier nor hold it back
once the month has come and the usual compliance delay has passed.
"""

from __future__ import annotations

import pytest

from plumbing.errors import InputError
from simulator.model import StrategyModel
from simulator.run import load_scenario
from simulator.scenario.overrides import apply

FIRM = "US Second"


@pytest.fixture(scope="module")
def history():
    return load_scenario("data/scenarios/history.toml")


def _first_users(scenario, firm: str, countries: list[str], months: int) -> int | None:
    model = StrategyModel(scenario, months=months)
    f = [x.name for x in scenario.firms].index(firm)
    columns = model.geo.places(countries)
    for month in range(1, months + 1):
        model.step()
        if (model.users[f, columns] >= 1.0).any():
            return month
    return None


def test_no_user_in_the_place_before_its_rollout_month(history):
    """The shipped history: Claude has no EU user before May 2024 (month 19), some soon after."""
    start = history.month_of("2024-05")
    first = _first_users(history, FIRM, ["eu"], start + 8)
    assert first is not None and start <= first <= start + 6


def test_without_the_rollout_the_place_opens_earlier(history):
    """The calendar is what holds the firm back: dropping it lets the EU open before May 2024."""
    free = apply(history, {f"firms.{FIRM}.strategy.rollout": []})
    first = _first_users(free, FIRM, ["eu"], history.month_of("2024-05"))
    assert first is not None and first < history.month_of("2024-05")


def test_other_places_are_untouched(history):
    """A rollout for the EU leaves the UK's first user where it was."""
    free = apply(history, {f"firms.{FIRM}.strategy.rollout": []})
    months = 14
    assert _first_users(history, FIRM, ["GB"], months) == _first_users(free, FIRM, ["GB"], months)


@pytest.mark.parametrize("bad", [{"place": "XX", "start": "2024-05"},
                                 {"place": "eu", "start": "2024-13"}])
def test_a_bad_rollout_is_refused_with_the_field(history, bad):
    with pytest.raises(InputError) as error:
        apply(history, {f"firms.{FIRM}.strategy.rollout": [bad]})
    assert "strategy.rollout[0]" in str(error.value)
