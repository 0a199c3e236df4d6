import os
import subprocess
import sys
from pathlib import Path

from hub.staging import remove_abandoned, staging_folder

STAGE_AND_WAIT = """
import sys, time
from pathlib import Path
from hub.staging import staging_folder
with staging_folder(Path(sys.argv[1])) as staging:
    (staging / "model.safetensors").write_bytes(b"half-written")
    print(staging, flush=True)
    time.sleep(60)
"""


def test_a_killed_process_leftover_goes_and_live_ones_stay(tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-c", STAGE_AND_WAIT, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    left = Path(child.stdout.readline().strip())
    child.kill()  # SIGKILL: no finally block runs, the folder stays behind
    child.wait()
    assert (left / "model.safetensors").is_file()
    live = tmp_path / f".staging-{os.getpid()}-elsewhere"  # another staging still at work
    unknown = tmp_path / ".staging-abc"  # no owner to ask: left alone
    live.mkdir()
    unknown.mkdir()
    with staging_folder(tmp_path) as mine:
        assert not left.exists()
        assert live.is_dir() and unknown.is_dir() and mine.is_dir()
    assert not mine.exists()
    assert remove_abandoned(tmp_path) == []
