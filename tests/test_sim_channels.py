"""Distribution channels: reach through a partner's installed base (Meta AI, Gemini)."""

import numpy as np
import pytest

from plumbing.shipped import shipped_path
from simulator.channels import with_channel_users
from simulator.run import run_scenario
from simulator.scenario import load_scenario

DEFAULT = shipped_path("scenarios", "stylised.toml")
FIRM = "Open Weights"
MONTHS = 24
CHANNEL = (f'firms.{FIRM}.channels=[{{ name = "messaging app", start = "2023-03", '
           'countries = ["IN", "BR"], reach = 0.8, conversion = 0.3 }]')


def _users(*assignments: str):
    table = run_scenario(load_scenario(DEFAULT, list(assignments)),
                         months=MONTHS).timeseries.to_pandas()
    last = table[table.month == MONTHS]
    own = last[last.firm == FIRM].set_index("country").users
    return own, last[last.firm != FIRM].groupby("country").users.sum()


def test_a_partner_channel_raises_reach_where_its_base_is_and_nowhere_else():
    (plain, plain_rivals), (reached, reached_rivals) = _users(), _users(CHANNEL)
    for country in ("IN", "BR"):
        assert reached[country] > 1.5 * plain[country]
        # People meet the assistant inside the partner's app on top of the one they chose:
        # the rivals' users there stay (within the money effects measured below).
        assert reached_rivals[country] == pytest.approx(plain_rivals[country], rel=0.05)
    # Elsewhere only the money it brings moves anything (offices, prices): measured at most
    # +2.2% (Canada) against x4-x6 in India and Brazil.
    elsewhere = plain.index.difference(["IN", "BR"])
    assert np.allclose(reached[elsewhere], plain[elsewhere], rtol=0.05, atol=1.0)


def test_channel_users_are_the_chosen_ones_and_the_channels_independent_draw():
    chosen = np.array([[50.0, 10.0], [30.0, 0.0]])
    floor = np.array([[80.0, 5.0], [30.0, 5.0]])
    present = np.array([[True, True], [True, False]])
    users = with_channel_users(chosen, floor, present, np.array([100.0, 100.0]))
    # Half of the first country chose the firm: half its channel's reach is new people.
    assert users[0] == pytest.approx([50.0 + 80.0 * 0.5, 10.0 + 5.0 * 0.9])
    assert users[1] == pytest.approx([30.0 + 30.0 * 0.7, 0.0])  # none where it may not serve
    assert np.all(users <= chosen + floor) and np.all(users >= np.maximum(chosen, floor * present))


def test_before_its_own_app_a_firm_has_only_its_channel_users():
    app = f'firms.{FIRM}.own_app="2024-06"'  # month 20; it launches in 10, the channel in 14
    table = run_scenario(load_scenario(DEFAULT, [CHANNEL, app]), months=MONTHS).timeseries
    frame = table.to_pandas()
    own = frame[frame.firm == FIRM].groupby("month").users.sum()
    reach = frame[(frame.firm == FIRM) & ~frame.country.isin(["IN", "BR"])].groupby(
        "month").users.sum()
    # Nobody chooses it before its app opens: outside the channel's countries it has nobody.
    assert (reach.loc[:19] == 0).all() and own.loc[19] > 0
    assert reach.loc[MONTHS] > 0  # once the app is open people choose it there too
