"""Distribution channels: reach through a partner's installed base (Meta AI, Gemini)."""

import numpy as np
import pytest

from plumbing.shipped import shipped_path
from simulator.channels import lift_to_floor
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
    return last[last.firm == FIRM].set_index("country").users, last.groupby("country").users.sum()


def test_a_partner_channel_raises_reach_where_its_base_is_and_nowhere_else():
    (plain, plain_total), (reached, reached_total) = _users(), _users(CHANNEL)
    for country in ("IN", "BR"):
        assert reached[country] > 1.5 * plain[country]
        # Its users come from people who had not adopted, within the market's ceiling.
        assert reached_total[country] >= plain_total[country]
    # Elsewhere only the money it brings moves anything (offices, prices): measured at most
    # +2.2% (Canada) against x4-x6 in India and Brazil.
    elsewhere = plain.index.difference(["IN", "BR"])
    assert np.allclose(reached[elsewhere], plain[elsewhere], rtol=0.05, atol=1.0)


def test_channel_users_come_from_non_adopters_within_the_ceiling():
    users = np.array([[50.0, 10.0], [30.0, 0.0]])
    floor = np.array([[80.0, 10.0], [30.0, 5.0]])
    present = np.ones((2, 2), dtype=bool)
    addressable = np.array([100.0, 100.0])
    lifted = lift_to_floor(users, floor, present, addressable)
    assert lifted[:, 0] == pytest.approx([70.0, 30.0])  # only 20 people had not adopted
    assert lifted[:, 1] == pytest.approx([10.0, 5.0])
    absent = lift_to_floor(users, floor, np.zeros((2, 2), dtype=bool), addressable)
    assert np.array_equal(absent, users)  # no channel where the firm may not serve
