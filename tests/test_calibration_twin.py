"""Twin experiment: the model's own history at known parameters is recovered."""

import tomllib

import numpy as np
import pandas as pd
import pytest
from calibration_cases import TRUE_POINT, UNTIL, twin_case

from simulator.calibration.calibrate import Settings, calibrate, score
from simulator.calibration.ensemble import load_ensemble
from simulator.calibration.evaluate import EvaluationPlan, execute_point
from simulator.calibration.observations import read_observations
from simulator.calibration.targets import Targets, select
from simulator.scenario import load_scenario

# The model made the observations: no model discrepancy to allow for (V_md = 0).
SETTINGS = Settings(until=UNTIL, runs=150, waves=2, replicates=3, seed=5, discrepancy_scale=0.0)


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("twin")
    scenario, observations = twin_case(folder)
    metadata = calibrate(scenario, observations, folder / "cal", SETTINGS, workers=2)
    return folder, scenario, observations, metadata


@pytest.mark.slow
def test_true_point_is_non_implausible_and_most_of_the_space_is_ruled_out(twin):
    folder, scenario_path, observations_path, metadata = twin
    scenario = load_scenario(scenario_path)
    chosen = select(read_observations(observations_path), "calibrate", None,
                    pd.Timestamp(f"{UNTIL}-01").date())
    targets = Targets.build(chosen, (2022, 11), SETTINGS.discrepancy_scale)
    plan = EvaluationPlan(scenario, tuple(TRUE_POINT), np.array([list(TRUE_POINT.values())]),
                          targets.observations, SETTINGS.replicates, SETTINGS.seed,
                          metadata["months"], (2022, 11))
    at_truth = score(plan, targets, execute_point(plan, 0).table, SETTINGS, wave=0)
    assert at_truth["non_implausible"].item(), at_truth.filter(like="I:")
    points = pd.read_parquet(folder / "cal" / "points.parquet")
    first_wave = points[points["wave"] == 1]  # a Latin hypercube of the whole box
    assert first_wave["non_implausible"].mean() < 0.35
    kept = pd.read_parquet(folder / "cal" / "non_implausible.parquet")
    assert len(kept) >= 3
    # what survives lies near the truth: closer (in the unit box) than the first wave's points
    span = {key: (low, high) for key, (low, high) in zip(
        TRUE_POINT, [(0.01, 0.6), (0.1, 3.0)], strict=True)}

    def distance(frame):
        return np.sqrt(sum(((frame[k] - v) / (span[k][1] - span[k][0])) ** 2
                           for k, v in TRUE_POINT.items()))

    assert distance(kept).mean() < 0.5 * distance(first_wave).mean()
    # the second wave searched where the first left survivors: more of it survives
    assert points[points["wave"] == 2]["non_implausible"].mean() > first_wave[
        "non_implausible"].mean()


def test_outputs_calibrated_file_and_ensemble_agree(twin):
    folder, scenario_path, _, _ = twin
    out = folder / "cal"
    kept = pd.read_parquet(out / "non_implausible.parquet")
    members = load_ensemble(out)
    assert len(members) == len(kept) and set(members[0]) == set(TRUE_POINT)
    calibrated = (out / "calibrated.toml").read_text(encoding="utf-8")
    assert calibrated.startswith("# Calibrated by `simulator calibrate`")
    document = tomllib.loads(calibrated)
    best = kept.loc[kept["implausibility"].idxmin()]
    assert document["parameters"]["bass_p_annual"] == pytest.approx(
        best["parameters.bass_p_annual"], rel=1e-5)
    low, high = document["uncertain"]["bass_q_annual"]
    assert low == pytest.approx(kept["parameters.bass_q_annual"].min(), rel=1e-5)
    assert high == pytest.approx(kept["parameters.bass_q_annual"].max(), rel=1e-5)
    assert load_scenario(out / "calibrated.toml").name == load_scenario(scenario_path).name
    fit = pd.read_parquet(out / "observations.parquet")
    assert fit["within_cutoff"].all()  # in-sample: every observation met by the ensemble
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == len(pd.read_parquet(out / "points.parquet")) * SETTINGS.replicates


def test_a_killed_calibration_resumes_to_the_same_folder(twin, tmp_path):
    folder, scenario, observations, _ = twin
    out = tmp_path / "cal"
    import shutil

    shutil.copytree(folder / "cal", out)
    for shard in sorted((out / "waves" / "wave-02" / "points").glob("*.parquet"))[::3]:
        shard.unlink()  # as if killed in the middle of wave 2
    (out / "points.parquet").unlink()
    again = calibrate(scenario, observations, out, SETTINGS, workers=2)
    assert again["resumed"]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points.parquet"),
                                  pd.read_parquet(folder / "cal" / "points.parquet"))


def test_a_folder_of_another_calibration_is_refused(twin):
    from plumbing.errors import InputError

    folder, scenario, observations, _ = twin
    other = Settings(until=UNTIL, runs=96, waves=2, replicates=3, seed=6, discrepancy_scale=0.0)
    changed = r"made from other inputs \(--runs '150' -> '96'; --seed '5' -> '6'\)"
    with pytest.raises(InputError, match=changed):
        calibrate(scenario, observations, folder / "cal", other, workers=2)


def test_skipped_observations_are_left_out_and_recorded_and_unknown_ones_refused(twin, tmp_path):
    from plumbing.errors import InputError

    _, scenario, observations, _ = twin
    settings = Settings(until=UNTIL, runs=8, waves=1, replicates=2, skip=("e-users-12",))
    metadata = calibrate(scenario, observations, tmp_path / "skip", settings, workers=1)
    assert "e-users-12" not in metadata["observations_used"]
    assert metadata["settings"]["skip"] == ["e-users-12"]
    fit = pd.read_parquet(tmp_path / "skip" / "observations.parquet")
    assert list(fit["id"]) == ["f-users-3", "f-users-6", "f-users-9", "f-users-12"]
    with pytest.raises(InputError, match="--skip: expected observation ids .* got nope"):
        calibrate(scenario, observations, tmp_path / "other",
                  Settings(until=UNTIL, runs=8, waves=1, replicates=2, skip=("nope",)))


def test_a_calibration_killed_mid_wave_resumes_to_the_same_points(twin, tmp_path):
    import os
    import shutil
    import signal
    import subprocess
    import time

    folder, scenario, observations, _ = twin
    out = tmp_path / "cal"
    argv = [shutil.which("simulator"), "calibrate", str(scenario), "--observations",
            str(observations), "--until", UNTIL, "--runs", "150", "--waves", "2",
            "--replicates", "3", "--seed", "5", "--discrepancy-scale", "0", "-j", "2",
            "--out", str(out)]
    process = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(out.glob("waves/wave-01/points/*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the command and its worker processes
    process.wait()
    assert not (out / "points.parquet").exists()
    again = calibrate(scenario, observations, out, SETTINGS, workers=2)
    assert again["resumed"]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points.parquet"),
                                  pd.read_parquet(folder / "cal" / "points.parquet"))


def test_a_folder_calibrated_with_other_model_code_is_not_resumed(twin, tmp_path):
    import json
    import shutil

    from plumbing.errors import InputError

    folder, scenario, observations, _ = twin
    out = tmp_path / "cal"
    shutil.copytree(folder / "cal", out)
    inputs = json.loads((out / ".inputs.json").read_text(encoding="utf-8"))
    inputs["parts"]["model code"] = "0" * 64  # as if the simulator's source had changed
    (out / ".inputs.json").write_text(json.dumps(inputs), encoding="utf-8")
    with pytest.raises(InputError, match="model code 000000000000 -> "):
        calibrate(scenario, observations, out, SETTINGS, workers=2)


def test_a_second_calibration_into_a_folder_being_written_is_refused(twin, tmp_path):
    import shutil

    from plumbing.errors import InputError
    from plumbing.locks import exclusive

    folder, scenario, observations, _ = twin
    out = tmp_path / "cal"
    shutil.copytree(folder / "cal", out)
    before = (out / "metadata.json").read_bytes()
    with exclusive(out, "calibration"), pytest.raises(InputError, match="is writing here"):
        calibrate(scenario, observations, out, SETTINGS, workers=2)
    assert (out / "metadata.json").read_bytes() == before  # the holder's, untouched
    # Once the writer is gone, the folder (lock file and all) resumes as usual.
    assert calibrate(scenario, observations, out, SETTINGS, workers=2)["resumed"]
