"""The experiment runner under real faults: a worker SIGKILLed mid-sweep, a wrong Ray address.

A fault must be reported as what it is: the runs that really finished are counted, the lost
ones named, the command exits 1 and the same command runs only the lost ones again. A Ray
address where nothing answers is refused in seconds (not after Ray's minutes of retries),
exit 2, with nothing written.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_sweeps import tables, tiny_sweep
from click.testing import CliRunner

from plumbing.errors import InputError
from simulator.batch import run_batch
from simulator.batch.store import MANIFEST
from simulator.cli import main
from tests.cli_text import flat, shows
from tests.test_batch_resume import _workers

BATCH = [sys.executable, "-c", "from simulator.cli import main; main()", "batch"]


def _finished(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST).read_text())["runs"]
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


@pytest.fixture(scope="module")
def sweep_and_reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("experiments")
    sweep = tiny_sweep(folder, design='{ kind = "latin", samples = 4 }', months=36,
                       markets=("eu", "US"), broken=False)
    counts = run_batch(sweep, folder / "reference", workers=1)
    return sweep, tables(folder / "reference"), counts["ok"]


def test_a_killed_worker_is_reported_its_run_named_and_the_rerun_runs_only_it(
        sweep_and_reference, tmp_path):
    sweep, reference, runs = sweep_and_reference
    out = tmp_path / "out"
    process = subprocess.Popen([*BATCH, str(sweep), "--out", str(out), "--workers", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while len(_finished(out)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    victim = _workers(process.pid)[0]
    os.kill(victim, signal.SIGKILL)  # a real worker, busy with a real run
    _, stderr = process.communicate(timeout=300)
    text = stderr.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text
    finished = _finished(out)
    # The other worker and the one started in place of the dead went on: one run is lost.
    lost = sorted({spec for spec in reference["runs"]["run_id"].to_pylist()} - set(finished))
    assert len(lost) == 1 and len(finished) == runs - 1
    assert shows(text, f"1 runs did not finish: {lost[0]} (a worker process died of SIGKILL "
                       "(killed, or out of memory))")
    assert shows(text, f"{runs - 1} runs finished ("), text  # what really finished
    # The same command runs the lost run alone; the tables are the uninterrupted ones.
    again = subprocess.run([*BATCH, str(sweep), "--out", str(out), "--workers", "2"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert shows(again.stderr, f"1 runs ok, 0 failed, {runs - 1} already done")
    resumed = tables(out)
    for name, table in reference.items():
        assert resumed[name].equals(table), name


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


COMMANDS = {
    "batch": ["batch", "sweep.toml", "--out", "{out}"],
    "calibrate": ["calibrate", "scenario.toml", "--observations", "obs.csv", "--until",
                  "2024-12", "--out", "{out}"],
    "backtest": ["backtest", "calibration", "--holdout", "2025-01..2025-06", "--out", "{out}"],
    "advise": ["advise", "scenario.toml", "--firm", "Euro", "--out", "{out}"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_wrong_ray_address_fails_at_once_with_exit_2_and_writes_nothing(
        sweep_and_reference, tmp_path, command):
    out, address = tmp_path / "out", f"127.0.0.1:{_closed_port()}"
    args = [a.format(out=out) for a in COMMANDS[command]]
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    for how, extra, named in (("option", ["--address", address], "--address"),
                              ("environment", [], "RAY_ADDRESS")):
        # Ray itself retries an address for minutes: the timeout catches that hang.
        result = subprocess.run([*BATCH[:-1], *args, "--backend", "ray", *extra],
                                cwd=sweep_and_reference[0].parent, capture_output=True,
                                text=True, timeout=60,
                                env=env | ({"RAY_ADDRESS": address} if not extra else {}))
        assert result.returncode == 2, (how, result.stderr)
        assert shows(result.stderr, f"{named}: {address}: no Ray cluster answers"), how
        assert "refused" in result.stderr and "Traceback" not in result.stderr
        assert not out.exists(), how


def test_the_library_call_refuses_a_wrong_address_before_creating_the_folder(
        sweep_and_reference, tmp_path):
    pytest.importorskip("ray")
    out, address = tmp_path / "out", f"127.0.0.1:{_closed_port()}"
    with pytest.raises(InputError, match=re.escape(f"--address {address}: no Ray cluster")):
        run_batch(sweep_and_reference[0], out, workers=1, backend="ray", address=address)
    assert not out.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_the_same_backend_options(command, tmp_path):
    args = [a.format(out=tmp_path / "out") for a in COMMANDS[command]]
    result = CliRunner().invoke(main, [*args, "--address", "10.0.0.5:6379"])
    assert result.exit_code == 2, result.output
    assert shows(result.output, "--address needs --backend ray")
    assert not (tmp_path / "out").exists()
    help_text = flat(CliRunner().invoke(main, [command, "--help"]).output)
    for option in ("--workers", "-j", "--backend", "--address", "HOST:PORT"):
        assert option in help_text, (command, option)
