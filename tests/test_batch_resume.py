"""A sweep killed mid-run by a real signal resumes and ends with the uninterrupted rows."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_sweeps import tables, tiny_sweep

from simulator.batch import run_batch
from simulator.batch.store import MANIFEST, METADATA
from simulator.reports.schema import TABLES
from tests.cli_text import shows

RUNS = 3 * 4 * 2  # variants x points x seeds


def _workers(pid: int) -> list[int]:
    """The pool's worker processes: spawned children running multiprocessing's spawn_main."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = []
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            found.append(int(child))
    return found


def _finished(out: Path) -> int:
    try:
        return len(json.loads((out / MANIFEST).read_text())["runs"])
    except (FileNotFoundError, json.JSONDecodeError):
        return 0


@pytest.fixture(scope="module")
def sweep_and_reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    sweep = tiny_sweep(folder, design='{ kind = "latin", samples = 4 }', months=36,
                       markets=("eu", "US"))
    run_batch(sweep, folder / "reference", workers=1)
    return sweep, tables(folder / "reference")


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["worker", "everything"])
def test_killed_sweep_resumes_to_the_same_rows(sweep_and_reference, tmp_path, victim):
    sweep, reference = sweep_and_reference
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from simulator.cli import main; main()", "batch",
               str(sweep), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while _finished(out) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if victim == "worker":
        os.kill(_workers(process.pid)[0], signal.SIGKILL)
    else:  # the runner and its workers at once, like a machine losing power mid-write
        os.killpg(process.pid, signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    if victim == "worker":
        assert shows(stderr.decode(), "a worker process died") and b"Traceback" not in stderr
    done = _finished(out)
    assert 2 <= done < RUNS, "the kill came too late to interrupt the sweep"
    # Resumed with one worker: the rows do not depend on the workers either.
    resumed = subprocess.run([*command[:-1], "1"], capture_output=True, check=True)
    assert shows(resumed.stderr.decode(), f"{done} already done")
    again = tables(out)
    for name in TABLES:
        assert again[name].equals(reference[name]), name
    assert json.loads((out / METADATA).read_text())["resumed"]
    assert not list(out.rglob("*.tmp"))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def test_workers_do_not_outlive_a_killed_runner(sweep_and_reference, tmp_path):
    sweep, _ = sweep_and_reference
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from simulator.cli import main; main()", "batch",
               str(sweep), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while (len(_workers(process.pid)) < 2 or _finished(out) < 1) and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = _workers(process.pid)
    assert len(workers) == 2 and process.poll() is None
    os.kill(process.pid, signal.SIGKILL)  # the runner alone: its workers are not signalled
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, workers)), "a worker outlived the killed runner"
    finished = _finished(out)
    time.sleep(1.0)  # nothing is written into the folder any more
    assert _finished(out) == finished
