"""The adoption ceiling rises with capability: theory checks and the twin with it unknown.

ceiling_c(t) = min(1, adoption_ceiling x (C_c(t) / C0)^e), C_c the best 1 + knowledge a
country has been served (never below C0, the start's frontier); users follow the Bass
ODE on a growing pool, dN/dt = (p + q N / M(t)) (M(t) - N) (Mahajan and Peterson 1978).
"""

import numpy as np
import pandas as pd
import pytest
from calibration_cases import UNTIL, twin_case
from sim_profiles import firm_toml, scenario_file

from simulator import market
from simulator.calibration.calibrate import Settings, calibrate, score
from simulator.calibration.evaluate import EvaluationPlan, execute_point
from simulator.calibration.observations import read_observations
from simulator.calibration.targets import Targets, select
from simulator.model import StrategyModel
from simulator.run import load_scenario

# A fast category: a plain Bass curve is 99% adopted after three years.
P_YEAR, Q_YEAR = 0.3, 2.0
P, Q = market.monthly_rate(P_YEAR), market.monthly_rate(Q_YEAR)


def _solo(tmp_path, months: int, extra: str = "", capability: str = ""):
    firm = firm_toml("Solo", "DE")
    if capability:
        firm = firm.replace("cash_usd = 5e9", f"cash_usd = 5e9\ncapability = {capability}")
    parameters = f"bass_p_annual = {P_YEAR}\nbass_q_annual = {Q_YEAR}\nchurn_monthly = 0.0\n"
    return load_scenario(scenario_file(tmp_path, ["DE"], [firm], months=months,
                                       parameters=parameters + extra))


def _history(scenario):
    """Each month's users in DE and the released knowledge the month's market step saw."""
    model = StrategyModel(scenario)
    column = model.geo.index("DE")
    users, knowledge = [], []
    for _ in range(scenario.months):
        model.step()
        knowledge.append(model.released[0])  # set at the month's start (simulator.releases)
        users.append(model.users[:, column].sum())
    return model, column, np.array(users), np.array(knowledge)


@pytest.mark.parametrize("extra", ["", "ceiling_capability_elasticity = 0.0\n"])
def test_without_elasticity_users_are_the_closed_form_bass_curve(tmp_path, extra):
    model, column, users, knowledge = _history(_solo(tmp_path, 60, extra))
    assert knowledge[-1] > 5 * knowledge[0]  # capability rose, and changed nothing
    ceiling = model.params.adoption_ceiling
    pool = model.geo.population[column] * model.geo.online[column] * ceiling
    expected = pool * market.bass_adoption(np.arange(1, 61), P, Q)
    np.testing.assert_allclose(users, expected, rtol=1e-9)


def test_rising_capability_keeps_users_growing_within_the_population(tmp_path):
    extra = "adoption_ceiling = 0.2\nceiling_capability_elasticity = 0.3\n"
    model, column, users, knowledge = _history(_solo(tmp_path, 60, extra))
    plain = market.bass_adoption(np.array([36, 60]), P, Q)
    assert plain[1] / plain[0] < 1.01  # the plain curve is flat after month 36
    assert users[59] > 1.05 * users[35]  # this one keeps growing with capability
    assert np.all(np.diff(users[35:]) > 0)
    # The pool of the ODD's equation, from the knowledge each month saw.
    start = 1.0 + knowledge[0]
    best = np.maximum.accumulate(np.maximum(1.0 + knowledge, start))
    reachable = model.geo.population[column] * model.geo.online[column]
    pool = reachable * np.minimum(1.0, 0.2 * (best / start) ** 0.3)
    assert np.all(users <= pool * (1 + 1e-9))
    # Capability reaches users in releases: the pool steps up at each, and adoption comes
    # in waves, faster in a release's month than in the month before it.
    steps = np.flatnonzero(np.diff(pool) > 0) + 1
    assert steps.size >= 3
    for month in steps[steps >= 2]:
        assert users[month] - users[month - 1] > users[month - 1] - users[month - 2]
    assert users[-1] > 0.99 * pool[-1]  # between releases users close on the pool
    assert np.all(users <= model.geo.population[column])


def test_the_ceiling_stops_at_everyone_online(tmp_path):
    model, column, users, _ = _history(_solo(tmp_path, 60, "ceiling_capability_elasticity = 3\n"))
    reachable = model.reachable[column]
    assert model.addressable[column] == reachable  # min(1, ...) binds
    assert users[-1] > 0.99 * reachable
    assert np.all(users <= reachable * (1 + 1e-9))
    assert reachable < model.geo.population[column]  # not everyone is online


def test_a_model_that_gets_no_better_leaves_the_pool_where_it_started(tmp_path):
    # No research output: knowledge only decays, and the ceiling neither rises nor falls.
    scenario = _solo(tmp_path, 48, "rd_productivity = 0.0\nceiling_capability_elasticity = 1\n",
                     capability="30.0")
    model, column, users, knowledge = _history(scenario)
    assert knowledge[-1] < 0.5 * knowledge[0]
    expected = model.start_addressable[column] * market.bass_adoption(np.arange(1, 49), P, Q)
    np.testing.assert_allclose(users, expected, rtol=1e-9)


def _dynamic_bass(adopters: float, pools: np.ndarray, substeps: int = 400) -> np.ndarray:
    """RK4 on dN/dt = (p + q N / M)(M - N), M held within each month (Mahajan-Peterson)."""
    path, h = [], 1.0 / substeps
    for pool in pools:
        def slope(n, m=pool):
            return (P + Q * n / m) * (m - n)
        for _ in range(substeps):
            k1 = slope(adopters)
            k2 = slope(adopters + h * k1 / 2)
            k3 = slope(adopters + h * k2 / 2)
            k4 = slope(adopters + h * k3)
            adopters += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        path.append(adopters)
    return np.array(path)


def test_a_growing_pool_is_adopted_as_the_ode_on_a_dynamic_potential():
    pools = 1e6 * np.r_[np.ones(30), 2.0 * 1.03 ** np.arange(30)]  # doubles, then grows 3%
    users, path = np.zeros((1, 1)), []
    for pool in pools:
        users = market.market_step(users, np.array([pool]), np.ones((1, 1), dtype=bool),
                                   np.zeros((1, 1)), P, Q, 0.0, 0.0)
        path.append(users[0, 0])
    path = np.array(path)
    np.testing.assert_allclose(path, _dynamic_bass(0.0, pools), rtol=1e-8)
    # The new people enter as non-adopters: users do not jump when the pool doubles.
    assert path[30] - path[29] < 0.5 * path[29]
    assert path[30] / pools[30] < path[29] / pools[29]


TRUTH = {"parameters.bass_p_annual": 0.15, "parameters.bass_q_annual": 1.2,
         "parameters.ceiling_capability_elasticity": 0.3}
SPAN = [(0.01, 0.6), (0.1, 3.0), (0.0, 1.0)]
UNCERTAIN = "[uncertain]\n" + "".join(
    f"{key.split('.')[1]} = [{low}, {high}]\n" for key, (low, high) in zip(TRUTH, SPAN,
                                                                           strict=True))
# Three unknowns need more points than the two-parameter twin: 67 a wave, three waves.
SETTINGS = Settings(until=UNTIL, runs=600, waves=3, replicates=3, seed=5, discrepancy_scale=0.0)


@pytest.mark.slow
def test_the_twin_with_the_elasticity_unknown_recovers_the_truth(tmp_path):
    scenario_path, observations = twin_case(tmp_path, TRUTH, UNCERTAIN)
    metadata = calibrate(scenario_path, observations, tmp_path / "cal", SETTINGS, workers=2)
    chosen = select(read_observations(observations), "calibrate", None,
                    pd.Timestamp(f"{UNTIL}-01").date())
    targets = Targets.build(chosen, (2022, 11), SETTINGS.discrepancy_scale)
    plan = EvaluationPlan(load_scenario(scenario_path), tuple(TRUTH),
                          np.array([list(TRUTH.values())]), targets.observations,
                          SETTINGS.replicates, SETTINGS.seed, metadata["months"], (2022, 11))
    at_truth = score(plan, targets, execute_point(plan, 0).table, SETTINGS, wave=0)
    assert at_truth["non_implausible"].item(), at_truth.filter(like="I:")
    points = pd.read_parquet(tmp_path / "cal" / "points.parquet")
    first_wave = points[points["wave"] == 1]
    assert first_wave["non_implausible"].mean() < 0.35
    kept = pd.read_parquet(tmp_path / "cal" / "non_implausible.parquet")
    assert len(kept) >= 5

    def distance(frame, keys):
        return np.sqrt(sum(((frame[k] - TRUTH[k]) / (high - low)) ** 2
                           for k, (low, high) in zip(TRUTH, SPAN, strict=True) if k in keys))

    p, q, e = TRUTH
    assert distance(kept, (p, q)).mean() < 0.5 * distance(first_wave, (p, q)).mean()
    assert kept[e].min() <= TRUTH[e] <= kept[e].max()
