"""Order of entry in the consumer logit (Urban, Carter, Gaskin and Mucha 1986).

Theory: a brand's share is log-linear in its order of entry, so a later entrant with the
same offer holds less than the pioneer; with no order effect it holds as much.
"""

from __future__ import annotations

import numpy as np

from plumbing.shipped import shipped_path
from simulator import market
from simulator.run import run_scenario
from simulator.scenario import load_scenario

STYLISED = shipped_path("scenarios", "stylised.toml")


def test_order_counts_the_firms_there_strictly_earlier():
    entered = np.array([[1.0, np.inf], [5.0, 3.0], [5.0, np.inf], [9.0, 3.0]])
    order = market.entry_order(entered)
    # Firms entering in the same month share a rank; one not yet there comes after all.
    assert order[:, 0].tolist() == [1, 2, 2, 4]
    assert order[:, 1].tolist() == [3, 1, 3, 1]


def _entrant_share(beta: float) -> float:
    # The China lab enters two years after the others, cheap; installed base and switching
    # costs are off so that only the order of entry holds it back.
    scenario = load_scenario(STYLISED, [
        "firms.China Lab.launch_month=24", "parameters.switching_cost=0",
        "parameters.beta_installed=0", f"parameters.beta_entry_order={beta}"])
    df = run_scenario(scenario, months=36).timeseries.to_pandas()
    last = df[(df.month == 36) & (df.country == "DE")].set_index("firm")
    return float(last.share.get("China Lab", 0.0))


def test_a_late_entrant_holds_less_than_it_would_without_an_order_effect():
    unordered, ordered = _entrant_share(0.0), _entrant_share(1.0)
    assert unordered > 0
    # Fourth (or later) into Germany, b = 1 gives it at most a quarter of its unordered
    # logit weight against the pioneer; the share falls, though not by the full factor,
    # because it takes from firms that are themselves penalised.
    assert ordered < 0.8 * unordered
