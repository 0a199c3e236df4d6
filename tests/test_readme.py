"""Every command the README shows is run, so the README stays true.

The set-up and test commands are run by `.ci/run` (checked here to be the same text). The
others run here in order (each program's in a scratch folder of its own), as a user would
type them; the hub's run at the tiny model size on a CLDR-only corpus so the suite stays
fast (the full-size pipeline that made the shipped profile is recorded in data/SOURCES.md).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shlex
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# Commands that `.ci/run` runs itself.
CI_PREFIXES = ("pip install", "python -m pytest")
# The tiny-scale form of the README's expensive hub commands, appended options only.
FAST_OPTIONS = {
    "hub corpus build": ["--sources", "cldr"],
    "hub train --region eu": ["--size", "tiny"],
    "hub bench --bundle bundles/eu": [
        *("--prompt-tokens", "32", "--new-tokens", "16", "--batches", "1,2", "--repeats", "5")
    ],  # fewer and shorter runs than the defaults, for the suite's time
    "hub premium --tokenizer cl100k_base --extend apac:16000 --lang ja --lang hi --out "
    "runs/extension.parquet": ["--train-chars", "300000"],
    "simulator calibrate data/scenarios/history.toml --observations data/observations.csv "
    "--until 2024-12 --runs 2000 --waves 4 --out calibration/history": [
        "--runs", "24", "--waves", "2", "--replicates", "2"],
}


def readme_commands() -> list[str]:
    """Lines of the README's bash blocks, without comments, in order."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = (line.split(" #")[0].strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_ci_runs_the_readme_set_up_and_test_commands():
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_commands = [c for c in readme_commands() if c.startswith(CI_PREFIXES)]
    assert len(ci_commands) == 2
    for command in ci_commands:
        assert command in ci_script.splitlines(), f".ci/run does not run: {command}"


def run_in_terminal(argv: list[str], cwd: Path, env: dict, expect: str) -> int:
    """Start a full-screen app on a 100x30 pseudo-terminal, wait for `expect`, press ctrl+q."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 120
    try:
        while expect.encode() not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:  # the app exited and closed the terminal
                    break
        assert expect.encode() in seen, f"{argv}: never drew {expect!r}"
        os.write(leader, b"\x11")  # ctrl+q
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    os.read(leader, 65536)
                except OSError:
                    break
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


# The README's commands by the program they run. Each program's commands run in order in a
# scratch folder of their own: no program reads what another writes (the scenarios use the
# shipped profile, not `hub profile`'s), so the three chains run on separate test workers.
OUTPUTS = {
    "hub": ["runs/premium.parquet", "runs/extension.parquet"],
    "simulator": ["runs/default", "sweeps/localise-eu.html", "calibration/backtest.html",
                  "runs/advice/advice.parquet"],
    "intl-strategy": [],
}


def test_every_readme_command_is_run_by_one_of_the_chains():
    commands = [c for c in readme_commands() if not c.startswith(CI_PREFIXES)]
    assert any(c.startswith("simulator run data/scenarios/default.toml") for c in commands)
    assert {shlex.split(c)[0] for c in commands} == set(OUTPUTS), commands


@pytest.mark.slow
@pytest.mark.parametrize("program", [pytest.param(p, marks=pytest.mark.xdist_group(f"readme-{p}"))
                                     for p in OUTPUTS])
def test_every_readme_command_runs(program, tmp_path):
    (tmp_path / "data").symlink_to(ROOT / "data")
    env = {**os.environ, "HUB_HOME": str(tmp_path / "models"), "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    commands = [c for c in readme_commands()
                if not c.startswith(CI_PREFIXES) and shlex.split(c)[0] == program]
    for command in commands:
        argv = shlex.split(command) + FAST_OPTIONS.get(command, [])
        if argv[0] == "intl-strategy":
            expect = "情景" if "zh_Hans" in argv else "Scenarios"
            assert run_in_terminal(argv, tmp_path, env, expect) == 0, command
            continue
        done = subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    for output in OUTPUTS[program]:
        assert (tmp_path / output).exists(), output
