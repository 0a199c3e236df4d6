"""Batch folders under faults: bad outputs, damaged files, two writers, a too large sweep.

Real files and real processes: a second `simulator batch` really runs while the first one
holds the folder, and damage is done to real shards on disk.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from batch_sweeps import tables, tiny_sweep
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.batch import run_batch
from simulator.batch.runs import MAX_RUNS
from simulator.batch.store import BOOKKEEPING, MANIFEST, METADATA, shard_path
from simulator.cli import main
from simulator.reports.schema import TABLES
from tests.cli_text import shows

BATCH = [sys.executable, "-c", "from simulator.cli import main; main()", "batch"]


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished tiny batch (sweep, folder); tests copy it before damaging anything."""
    folder = tmp_path_factory.mktemp("faults")
    sweep = tiny_sweep(folder, seeds=1, months=6, broken=False)
    run_batch(sweep, folder / "done", workers=1)
    return sweep, folder / "done"


@pytest.fixture()
def batch_copy(finished, tmp_path):
    import shutil

    sweep, done = finished
    shutil.copytree(done, tmp_path / "b")
    return sweep, tmp_path / "b"


@pytest.mark.parametrize("where", ["file", "under a file", "unwritable"])
def test_an_out_that_cannot_take_the_batch_is_refused_before_any_run(finished, tmp_path, where):
    sweep, _ = finished
    (tmp_path / "f").write_text("mine")
    out = {"file": tmp_path / "f", "under a file": tmp_path / "f" / "batch",
           "unwritable": "/proc/1/batch"}[where]
    result = invoke("batch", sweep, "--out", out, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"--out {out}")
    assert (tmp_path / "f").read_text() == "mine"


def test_report_html_is_checked_before_the_analysis(finished, tmp_path):
    _, done = finished
    (tmp_path / "f").write_text("mine")
    for html, expected in ((tmp_path, "is a folder"), (tmp_path / "f" / "x.html", "is a file")):
        result = invoke("report", done, "--html", html)
        assert result.exit_code == 2 and shows(result.output, expected), result.output
        assert "Final KPIs" not in result.output  # refused before anything was computed


def test_damaged_shards_are_named_and_a_resume_redoes_them(finished, batch_copy):
    sweep, folder = batch_copy
    reference = tables(finished[1])
    runs = sorted(shard_path(folder, "runs", 0).parent.glob("*.parquet"))
    runs[0].write_bytes(runs[0].read_bytes()[:-20])  # truncated
    series = sorted(shard_path(folder, "timeseries", 0).parent.glob("*.parquet"))[1]
    data = bytearray(series.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: still a file of the right size
    series.write_bytes(bytes(data))
    report = invoke("report", folder)
    assert report.exit_code == 2 and shows(report.output, str(runs[0])), report.output
    resumed = invoke("batch", sweep, "--out", folder, "--workers", "1")
    assert resumed.exit_code == 0, resumed.output
    assert shows(resumed.output, "2 finished runs had damaged or missing shards")
    again = tables(folder)
    for name in TABLES:
        assert again[name].equals(reference[name]), name


@pytest.mark.parametrize("name", [MANIFEST, METADATA])
def test_damaged_batch_files_are_named_never_a_traceback(batch_copy, name):
    sweep, folder = batch_copy
    (folder / name).write_text('{"runs": {"a": ', encoding="utf-8")
    report = invoke("report", folder)
    assert report.exit_code == 2 and shows(report.output, f"{folder / name}: not readable JSON")
    resumed = invoke("batch", sweep, "--out", folder, "--workers", "1")
    if name == METADATA:  # it says which sweep the folder is: nothing is guessed
        assert resumed.exit_code == 2 and shows(resumed.output, str(folder / name))
    else:  # the manifest only lists what is done: every run is done again
        assert resumed.exit_code == 0 and shows(resumed.output, "every run is run again")
        assert invoke("report", folder).exit_code == 0


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                               lambda inner: st.lists(inner, max_size=3)
                               | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                               max_leaves=8).map(lambda v: json.dumps(v).encode())),
       name=st.sampled_from([MANIFEST, METADATA]))
def test_any_bytes_in_a_batch_file_give_a_report_or_a_named_refusal(finished, tmp_path, data,
                                                                    name):
    import shutil

    folder = tmp_path / "h"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(finished[1], folder)
    (folder / name).write_bytes(data)
    result = invoke("report", folder)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert shows(result.output, str(folder))


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(batch_copy):
    sweep, folder = batch_copy
    left = [folder / BOOKKEEPING / ".manifest.json.k3j2.tmp",
            shard_path(folder, "runs", 1).with_name(".000001.parquet.x9.tmp")]
    for path in left:
        path.write_bytes(b"half")
    assert invoke("batch", sweep, "--out", folder, "--workers", "1").exit_code == 0
    assert not any(path.exists() for path in left)


def test_a_second_batch_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    # 200 runs: long enough that the second command starts while the first is running.
    sweep = tiny_sweep(tmp_path, design='{ kind = "latin", samples = 50 }', seeds=2,
                       months=36, markets=("DE", "US"), broken=False)
    out = tmp_path / "out"
    first = subprocess.Popen([*BATCH, str(sweep), "--out", str(out), "--workers", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
    deadline = time.monotonic() + 120
    while not (out / MANIFEST).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.poll() is None, "the first batch ended before the second could start"
    second = subprocess.run([*BATCH, str(sweep), "--out", str(out), "--workers", "1"],
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 2, second.stderr
    assert shows(second.stderr, f"another `simulator batch` (process {first.pid}) is writing")
    os.killpg(first.pid, signal.SIGKILL)  # its lock dies with it
    first.wait(timeout=30)
    third = subprocess.run([*BATCH, str(sweep), "--out", str(out), "--workers", "1"],
                           capture_output=True, text=True, timeout=300)
    assert third.returncode == 0, third.stderr
    assert shows(third.stderr, "already done")


def test_a_sweep_too_large_is_refused_before_its_design_is_drawn(tmp_path):
    # 40 levels over two parameters x 2 variants x 40 seeds = 128,000 runs.
    sweep = tiny_sweep(tmp_path, design='{ kind = "grid", levels = 40 }', seeds=40,
                       broken=False)
    result = invoke("batch", sweep, "--out", tmp_path / "o", "--workers", "1")
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"at most {MAX_RUNS:,} fit one batch folder")
    assert shows(result.output, "128,000 runs")
    assert not (tmp_path / "o").exists()
