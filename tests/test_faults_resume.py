"""A resume never mixes outputs made from other inputs; one writer per folder.

Every resuming command records what its results depend on (`plumbing.fingerprint`, parts
from `simulator.scenario.inputs`) and compares it when it starts again: a folder made from other
inputs is refused before any work, with exit 2 and the part that changed named; an
unfinished backtest (every run failed) is redone, never trusted. Real commands on real
files; the concurrent writer is a real second process holding the folder's lock.
"""

import json
import shutil
import subprocess
import sys
import time

import pandas as pd
import pytest
from batch_sweeps import tiny_sweep
from calibration_cases import HOLDOUT, UNTIL, twin_case
from click.testing import CliRunner
from sim_profiles import profile_rows, write_profile

from plumbing.fingerprint import FINGERPRINT, changes
from simulator.calibration.calibrate import Settings, calibrate
from simulator.cli import main
from tests.cli_text import shows

SETTINGS = Settings(until=UNTIL, runs=16, waves=2, replicates=1, seed=5, discrepancy_scale=0.0)


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """(calibration folder, the scenario's profile, a finished backtest folder)."""
    folder = tmp_path_factory.mktemp("resume")
    scenario, observations = twin_case(folder)
    calibrate(scenario, observations, folder / "cal", SETTINGS, workers=1)
    done = invoke("backtest", str(folder / "cal"), "--holdout", HOLDOUT, "--out",
                  str(folder / "bt"), "-j", "1")
    assert done.exit_code == 0, done.output
    return folder / "cal", folder / "profile.parquet", folder / "bt"


def backtest(cal, out, holdout=HOLDOUT):
    return invoke("backtest", str(cal), "--holdout", holdout, "--out", str(out), "-j", "1")


def test_a_backtest_with_another_holdout_is_refused_naming_it(made, tmp_path):
    out = shutil.copytree(made[2], tmp_path / "bt")
    before = snapshot(out)
    result = backtest(made[0], out, "2023-11..2024-01")
    assert result.exit_code == 2, result.output
    assert shows(result.output, "made from other inputs (--holdout '2023-11..2024-04' -> "
                                "'2023-11..2024-01')"), result.output
    assert snapshot(out) == before  # nothing of the finished backtest touched
    assert backtest(made[0], out).exit_code == 0  # the same inputs still resume


@pytest.mark.parametrize("holdout", ["2023-11..2024-06", "2023-11..2090-12"])
def test_a_holdout_past_the_scenarios_months_is_bad_input_with_the_limit(made, tmp_path,
                                                                          holdout):
    result = backtest(made[0], tmp_path / "bt", holdout)
    assert result.exit_code == 2, result.output
    assert shows(result.output, "which runs 18 months (to 2024-04); expected a window that "
                                "ends by 2024-04"), result.output
    assert not (tmp_path / "bt").exists()


def test_a_second_backtest_into_a_folder_being_written_is_refused_at_once(made, tmp_path):
    out = shutil.copytree(made[2], tmp_path / "bt")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time\n"
         "f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX)\n"
         "f.seek(0); f.truncate(); f.write('4242'); f.flush(); print('held', flush=True)\n"
         "time.sleep(120)", str(out / ".lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = backtest(made[0], out)
        assert result.exit_code == 2, result.output
        assert shows(result.output, "another `simulator backtest` (process 4242) is writing")
        assert time.monotonic() - started < 30  # refused, not queued behind the holder
    finally:
        holder.kill()
        holder.wait()


def test_a_failed_backtest_does_not_poison_its_folder(made, tmp_path):
    cal, profile, fresh = made
    out = tmp_path / "bt"
    kept = profile.read_bytes()
    try:
        profile.write_bytes(b"PAR1 damaged in transit")  # every run fails on it
        failed = backtest(cal, out)
        assert failed.exit_code == 1 and shows(failed.output, "every backtest run failed")
    finally:
        profile.write_bytes(kept)
    assert json.loads((out / FINGERPRINT).read_text())["finished"] is False
    again = backtest(cal, out)  # the profile mended: the failed runs are made again
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(pd.read_parquet(out / "predictions.parquet"),
                                  pd.read_parquet(fresh / "predictions.parquet"))
    assert json.loads((out / FINGERPRINT).read_text())["finished"] is True


def test_a_batch_resumed_after_its_profile_changed_is_refused_naming_it(tmp_path):
    sweep = tiny_sweep(tmp_path / "s", design='{ kind = "latin", samples = 2 }', seeds=1,
                       months=3, broken=False)
    out = tmp_path / "out"
    assert invoke("batch", str(sweep), "--out", str(out), "-j", "1").exit_code == 0
    before = snapshot(out)
    profile = tmp_path / "s" / "profile.parquet"
    kept = profile.read_bytes()
    write_profile(profile, profile_rows({"de": 2.5}))  # same name, other figures
    result = invoke("batch", str(sweep), "--out", str(out), "-j", "1")
    assert result.exit_code == 2, result.output
    assert shows(result.output, "made from other inputs (technology profile "), result.output
    assert snapshot(out) == before
    profile.write_bytes(kept)
    resumed = invoke("batch", str(sweep), "--out", str(out), "-j", "1")
    assert resumed.exit_code == 0 and shows(resumed.output, "4 already done"), resumed.output


def test_changes_name_each_part_with_old_and_new_values():
    digest_a, digest_b = "a" * 64, "b" * 64
    assert changes({"seed": "1", "profile": digest_a}, {"seed": "1", "profile": digest_b}) \
        == ["profile aaaaaaaaaaaa -> bbbbbbbbbbbb"]
    assert changes({"runs": "4"}, {"runs": "4", "holdout": "2025-01..2025-12"}) \
        == ["holdout (not recorded) -> '2025-01..2025-12'"]
    assert changes({"x": "1"}, {"x": "1"}) == []


def test_hub_eval_refuses_a_bundle_whose_tokenizer_is_not_its_versions(tmp_path):
    from hub import manifest
    from hub.measurement.measure_target import open_target
    from plumbing.errors import InputError
    from tests.tiny_bundle import export_tiny

    version, folder = export_tiny(tmp_path)
    assert open_target(tmp_path / "home", None, None, str(folder), tmp_path).version == version
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    tokenizer["normalizer"] = None  # the same graph served with another tokenizer
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    manifest.write_manifest(folder)  # a consistent bundle, only not the version's
    # `hub eval --bundle` opens its target before measuring or writing anything
    with pytest.raises(InputError) as refused:
        open_target(tmp_path / "home", None, None, str(folder), tmp_path)
    assert shows(str(refused.value.message), f"its genai-fp32/model.onnx is "
                 f"{version.model_id}'s but its tokenizer is not (tokenizer.json ")
