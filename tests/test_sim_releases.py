"""Capability reaches users in releases (simulator.releases): published dates, then cadence."""

import numpy as np

from plumbing.shipped import shipped_path
from simulator.model import StrategyModel
from simulator.releases import release_schedule
from simulator.run import load_scenario

HISTORY = shipped_path("scenarios", "history.toml")


def test_published_releases_first_then_the_training_cadence():
    schedule = release_schedule([np.array([1, 5, 9]), None], np.array([0, 4]),
                                np.array([12, 6]), 30)
    assert np.flatnonzero(schedule[:, 0]).tolist() == [5, 9, 21]
    assert np.flatnonzero(schedule[:, 1]).tolist() == [10, 16, 22, 28]


def test_users_meet_a_family_model_from_its_release_month_and_not_before():
    model = StrategyModel(load_scenario(HISTORY))
    f = next(i for i, firm in enumerate(model.scenario.firms) if firm.model.family == "gpt")
    published = set(model.family_quality.start_months[f].tolist()) - {1}
    scheduled = set(np.flatnonzero(model.releases[:, f]).tolist())
    assert published and published <= scheduled  # GPT-4o (2024-08) and later generations
    released = []
    while model.running:
        model.step()
        released.append(model.released[f])
    changed = set((np.flatnonzero(np.diff(released) != 0) + 2).tolist())
    assert changed and changed <= scheduled
    # Research goes on between releases; the market sees none of it until the next one.
    assert model.knowledge[f] > released[-1]
