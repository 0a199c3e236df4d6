"""Outputs checked before work (plumbing.outputs) and one writer per folder (plumbing.locks)."""

import os
import subprocess
import sys
import threading
import time

import pytest

from plumbing.errors import InputError
from plumbing.locks import exclusive
from plumbing.outputs import check_output_file, check_output_folder


def test_outputs_that_cannot_be_written_are_refused_with_the_reason(tmp_path):
    (tmp_path / "f").write_text("mine")
    refusals = [
        (check_output_folder, tmp_path / "f", "is a file, not a folder"),
        (check_output_folder, tmp_path / "f" / "deeper" / "out", "f is a file, so nothing"),
        (check_output_folder, "/proc/1/out", "cannot create files in /proc/1"),
        (check_output_file, tmp_path, "is a folder; name a file"),
        (check_output_file, tmp_path / "f" / "x.html", "f is a file, so nothing"),
        (check_output_file, "/proc/1/x.parquet", "cannot create files in /proc/1"),
    ]
    for check, path, reason in refusals:
        with pytest.raises(InputError, match=reason) as refused:
            check(path, "--out")
        assert refused.value.message.startswith(f"--out {path}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]  # the probes left nothing
    assert check_output_folder(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # checked, not made


HOLD = """
import sys, time
from pathlib import Path
from plumbing.locks import exclusive
with exclusive(Path(sys.argv[1]), "`test`"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_held_folder_is_refused_with_the_holder_and_a_dead_holder_lets_go(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(InputError, match=f"another `test` \\(process {holder.pid}\\)"):
        with exclusive(tmp_path, "`test`"):
            pass
    holder.kill()  # SIGKILL: its lock goes with it, the lock file stays
    holder.wait()
    with exclusive(tmp_path, "`test`"):
        assert (tmp_path / ".lock").read_text().strip().isdigit()


def test_a_waiting_writer_takes_the_lock_once_the_holder_ends(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    killer = threading.Timer(0.5, holder.kill)
    killer.start()
    began = time.monotonic()
    with exclusive(tmp_path, "`test`", wait=True):  # blocks until the holder is gone
        assert time.monotonic() - began >= 0.4  # it waited for the kill
        assert (tmp_path / ".lock").read_text().strip() == str(os.getpid())
    holder.wait()
