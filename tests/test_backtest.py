"""Backtest on the twin case: held-out months of the model's own history are covered."""

import json

import numpy as np
import pandas as pd
import pytest
from calibration_cases import HOLDOUT, UNTIL, twin_case
from cli_text import shows
from click.testing import CliRunner

from simulator.calibration.backtest import backtest, predict, rank_correlations
from simulator.calibration.calibrate import Settings, calibrate
from simulator.calibration.targets import Targets
from simulator.cli import main

SETTINGS = Settings(until=UNTIL, runs=96, waves=2, replicates=3, seed=5, discrepancy_scale=0.0)


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backtest")
    scenario, observations = twin_case(folder)
    calibrate(scenario, observations, folder / "cal", SETTINGS, workers=2)
    return folder / "cal"


@pytest.mark.slow
def test_backtest_covers_the_twins_held_out_months_and_writes_its_report(calibrated, tmp_path):
    html = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["backtest", str(calibrated), "--holdout", HOLDOUT,
                                       "--out", str(tmp_path / "bt"), "--html", str(html),
                                       "-j", "2"])
    assert result.exit_code == 0, result.output
    predictions = pd.read_parquet(tmp_path / "bt" / "predictions.parquet")
    assert list(predictions["id"]) == ["f-users-15", "f-users-18", "e-users-18", "f-share-DE",
                                       "f-share-FR", "f-share-US"]
    assert (predictions["predictive_p05"] <= predictions["ensemble_p05"]).all()
    assert predictions["inside"].mean() >= 0.8  # the model's own future, in its intervals
    summary = json.loads((tmp_path / "bt" / "summary.json").read_text(encoding="utf-8"))
    assert summary["coverage_90"] == pytest.approx(predictions["inside"].mean())
    [rank] = summary["spearman"]
    assert rank["countries"] == 3 and rank["spearman"] == 1.0  # the order of shares holds
    assert shows(result.output, "coverage of the predictive 90% intervals")
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") >= 3 and "f-share-US" in page


def test_an_observation_far_from_the_ensemble_falls_outside_and_ranks_can_be_wrong():
    from simulator.calibration.observations import Observation

    def obs(ident, geography, value):
        return Observation(2, ident, pd.Timestamp("2024-04-01").date(), "traffic_share", "F",
                           "c", geography, value, "fraction", "rel_sd", 0.05, "r", "holdout",
                           "p", "t", "", 2024)

    observations = [obs("a", "DE", 0.6), obs("b", "FR", 0.3), obs("c", "US", 0.1)]
    targets = Targets.build(observations, (2022, 11), 0.0)
    samples = np.random.default_rng(0).normal([0.1, 0.3, 0.6], 0.01, (40, 3))
    predictions = predict(targets, samples, seed=1)
    assert list(predictions["inside"]) == [False, True, False]
    assert rank_correlations(predictions)["spearman"].item() == pytest.approx(-1.0)


def test_backtest_refuses_an_unfinished_folder_and_an_empty_window(calibrated, tmp_path):
    from plumbing.errors import InputError

    with pytest.raises(InputError, match="expected a calibration folder"):
        backtest(tmp_path, HOLDOUT)
    with pytest.raises(InputError, match="expected held-out rows"):
        backtest(calibrated, "2030-01..2030-12", out=tmp_path / "bt")
    with pytest.raises(InputError, match="--holdout: expected FIRST..LAST"):
        backtest(calibrated, "2025-01", out=tmp_path / "bt")


def test_with_nothing_non_implausible_the_least_implausible_stand_in_and_say_so(tmp_path):
    from plumbing.errors import InputError
    from simulator.calibration.ensemble import load_ensemble

    scenario, observations = twin_case(tmp_path)
    strict = Settings(until=UNTIL, runs=12, waves=1, replicates=2, cutoff=1e-6,
                      discrepancy_scale=0.0)
    calibrate(scenario, observations, tmp_path / "cal", strict, workers=1)
    with pytest.raises(InputError, match="no point is non-implausible"):
        load_ensemble(tmp_path / "cal")
    result = backtest(tmp_path / "cal", HOLDOUT, out=tmp_path / "bt", workers=1)
    assert result.summary["ensemble"] == "least implausible (no point is non-implausible)"
    assert result.summary["members"] == 6  # every evaluated point, fewer than the 20 asked
