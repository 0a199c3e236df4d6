"""Damaged artefacts of the product's own are named, not tracebacks (plumbing.checked_files).

A real calibration and backtest are made once, then copies are damaged the ways a disk,
a kill or another program damage them: a zero-byte or foreign shard, a wave design that
is not Parquet, a non-implausible set that is a CSV or lacks a column, metadata.json of
the wrong types or without a key. Each read goes through one checked reader: exit 2, the
file named and what is wrong, no traceback.
"""

import json
import shutil

import pytest
from calibration_cases import HOLDOUT, UNTIL, twin_case
from click.testing import CliRunner

from simulator.calibration.calibrate import Settings, calibrate
from simulator.cli import main
from tests.cli_text import shows

SETTINGS = Settings(until=UNTIL, runs=16, waves=2, replicates=1, seed=5, discrepancy_scale=0.0)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """(calibration folder, its scenario, its observations, a backtest folder made from it)."""
    folder = tmp_path_factory.mktemp("artefacts")
    scenario, observations = twin_case(folder)
    calibrate(scenario, observations, folder / "cal", SETTINGS, workers=1)
    backtest = CliRunner().invoke(main, ["backtest", str(folder / "cal"), "--holdout", HOLDOUT,
                                         "--out", str(folder / "bt"), "-j", "1"])
    assert backtest.exit_code == 0, backtest.output
    return folder / "cal", scenario, observations, folder / "bt"


def copy(tree, tmp_path, name):
    return shutil.copytree(tree, tmp_path / name)


def refused(args, *messages):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    for message in messages:
        assert shows(result.output, message), result.output
    return result


def backtest_of(cal, out):
    return ["backtest", str(cal), "--holdout", HOLDOUT, "--out", str(out), "-j", "1"]


@pytest.mark.parametrize("damage, message", [
    (lambda m: m.update(parameters="bass_p_annual"),
     "calibration's metadata key 'parameters' is str ('bass_p_annual'), expected list"),
    (lambda m: m.pop("scenario"), "calibration's metadata without the key 'scenario'"),
    (lambda m: m["settings"].update(replicates="3"),
     "calibration's metadata key settings.replicates is '3', expected int"),
    (lambda m: m["parameters"].append(7),
     "calibration's metadata key parameters.2 is 7, expected dict with a name"),
])
def test_metadata_of_the_wrong_types_or_without_a_key_is_named(made, tmp_path, damage,
                                                                message):
    cal = copy(made[0], tmp_path, "cal")
    metadata = json.loads((cal / "metadata.json").read_text(encoding="utf-8"))
    damage(metadata)
    (cal / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    refused(backtest_of(cal, tmp_path / "bt"), f"{cal / 'metadata.json'}: ", message)
    (cal / "metadata.json").write_text('{"parameters": [', encoding="utf-8")
    refused(backtest_of(cal, tmp_path / "bt"), "not a readable JSON calibration's metadata")
    assert not (tmp_path / "bt").exists()


def test_a_non_implausible_set_that_is_not_parquet_or_lacks_a_column_is_named(made, tmp_path):
    cal = copy(made[0], tmp_path, "cal")
    kept = cal / "non_implausible.parquet"
    kept.write_text("wave,point,bass_p_annual\n1,0,0.03\n", encoding="utf-8")  # a CSV
    refused(backtest_of(cal, tmp_path / "bt"), f"{kept}: not a readable Parquet "
                                               "non-implausible set")
    kept.write_bytes(b"")
    refused(backtest_of(cal, tmp_path / "bt"), f"{kept}: is empty (0 bytes), not a "
                                               "non-implausible set")
    shutil.copy(cal / "observations.parquet", kept)  # Parquet, of something else
    refused(backtest_of(cal, tmp_path / "bt"), f"{kept}: non-implausible set without the "
                                               "column 'wave'")


@pytest.mark.parametrize("content", [b"", b"PAR1 not really parquet"])
def test_a_damaged_backtest_shard_is_named_on_resume(made, tmp_path, content):
    out = copy(made[3], tmp_path, "bt")
    shard = sorted((out / "runs" / "points").glob("*.parquet"))[0]
    shard.write_bytes(content)
    refused(backtest_of(made[0], out), f"{shard}: ", "point shard")


def test_a_damaged_wave_design_is_named_when_the_calibration_resumes(made, tmp_path):
    # Made here, not copied: a resume refuses a folder whose model source has changed since.
    _, scenario, observations, _ = made
    settings = ["--until", UNTIL, "--runs", "8", "--waves", "1", "--replicates", "1",
                "--seed", "5", "--out", str(tmp_path / "cal"), "-j", "1"]
    command = ["calibrate", str(scenario), "--observations", str(observations), *settings]
    done = CliRunner().invoke(main, command)
    assert done.exit_code == 0, done.output
    design = tmp_path / "cal" / "waves" / "wave-01" / "design.parquet"
    design.write_bytes(b"\x00" * 64)
    refused(command, f"{design}: not a readable Parquet wave design")


def test_a_backtest_into_a_folder_keeps_what_else_is_there(made, tmp_path):
    out = copy(made[3], tmp_path, "bt")
    (out / ".env").write_text("TOKEN=secret\n")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result = CliRunner().invoke(main, backtest_of(made[0], out))
    assert result.exit_code == 0, result.output
    assert (out / ".env").read_text() == "TOKEN=secret\n"
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (out / "predictions.parquet").is_file()
