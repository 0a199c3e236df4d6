"""The shipped world: the calibrated history reproduces history, the default runs it on.

`simulator ship calibration/history --backtest calibration/history/backtest` wrote
data/calibration/history/, history_calibrated.toml and default.toml (data/SOURCES.md, "The
calibrated world"). What a user relies on:
- the calibrated history meets every row to today, calibration and held-out, within the
  calibration's own cut-off (implausibility over its replicate seeds, as `simulator
  calibrate` judged it);
- default.toml is that history run on, generated and not edited (ship's recipe remakes it);
- the shipped non-implausible set is what advice and backtest read.
"""

from __future__ import annotations

import numpy as np
import pytest

from plumbing.shipped import shipped_path
from simulator.calibration.ensemble import calibration_metadata, load_ensemble
from simulator.calibration.evaluate import EvaluationPlan, execute_point
from simulator.calibration.implausibility import ensemble_moments, implausibility
from simulator.calibration.observations import read_observations
from simulator.calibration.ship import TODAY, UNTIL, default_document
from simulator.calibration.targets import Targets, select
from simulator.run import load_scenario
from simulator.scenario.overrides import uncertain_path

CALIBRATION = shipped_path("calibration", "history")


@pytest.fixture(scope="module")
def metadata():
    return calibration_metadata(CALIBRATION)


def test_default_is_the_calibrated_history_run_on_as_ship_makes_it(metadata):
    text = shipped_path("scenarios", "history_calibrated.toml").read_text(encoding="utf-8")
    expected = default_document(text, "simulator ship calibration/history --backtest "
                                "calibration/history/backtest", TODAY, UNTIL)
    assert shipped_path("scenarios", "default.toml").read_text(encoding="utf-8") == expected
    default = load_scenario(shipped_path("scenarios", "default.toml"))
    assert default.today == TODAY


def test_the_shipped_set_covers_the_defaults_uncertain_box(metadata):
    members = load_ensemble(CALIBRATION)
    default = load_scenario(shipped_path("scenarios", "default.toml"))
    assert members
    for name, (low, high) in default.uncertain.items():
        values = [m[uncertain_path(name)] for m in members]
        slack = 1e-5 * max(abs(low), abs(high))  # the file keeps 6 significant digits
        assert low - slack <= min(values) and max(values) <= high + slack, name


def test_the_calibrated_history_meets_every_row_to_today(metadata):
    """Every row to today within the cut-off at the shipped point, over its replicate seeds.

    The calibration's rows and the held-out year's: the shipped member is the set's least
    implausible over both (`simulator ship --backtest`), so `simulator run` on it reproduces
    2023-2025 (the set itself is scored on the held-out year by the backtest).
    """
    scenario = load_scenario(shipped_path("scenarios", "history_calibrated.toml"))
    settings = metadata["settings"]
    until = np.datetime64(settings["until"], "M").astype(object)
    today = np.datetime64(TODAY, "M").astype(object)
    observations = read_observations(shipped_path("observations.csv"))
    rows = [o for o in select(observations, "calibrate", None, until)
            + select(observations, "holdout", None, today)
            if o.id not in settings["skip"] and o.metric not in settings["skip"]]
    start = tuple(int(x) for x in scenario.start_date.split("-"))
    months = max(int(np.ceil(1 + (o.date.year - start[0]) * 12 + o.date.month - start[1]))
                 for o in rows)
    plan = EvaluationPlan(scenario, (), np.zeros((1, 0)), tuple(rows), settings["replicates"],
                          settings["seed"], months, start)
    table = execute_point(plan, 0).table
    assert set(table["status"].to_pylist()) == {"ok"}
    targets = Targets.build(rows, start, settings["discrepancy_scale"])
    samples = np.array([[table[f"obs:{o.id}"].to_pylist() for o in rows]]).transpose(0, 2, 1)
    mean, v_ens = ensemble_moments(targets.transform(samples))
    values = implausibility(targets.observed, mean[0], targets.v_obs, targets.v_md, v_ens[0])
    misses = {o.id: round(float(v), 2) for o, v in zip(rows, values, strict=True)
              if v > settings["cutoff"]}
    assert not misses, f"rows beyond the cut-off {settings['cutoff']}: {misses}"
