import os
import subprocess
import sys
from pathlib import Path

from plumbing.staging import remove_abandoned, staging_folder

STAGE_AND_WAIT = """
import sys, time
from pathlib import Path
from plumbing.staging import staging_folder
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


REPLACE_AND_WAIT = """
import os, sys, time
from pathlib import Path
import plumbing.staging as staging

final = Path(sys.argv[1])
real_rename = os.rename
def rename_then_wait(source, target):
    real_rename(source, target)
    if Path(target).name == final.name and Path(target).parent != final.parent:
        print("aside", flush=True)  # the old folder is set aside, the new one not yet in
        time.sleep(60)
staging.os.rename = rename_then_wait
with staging.staging_folder(final.parent) as new:
    (new / "file").write_text("new")
    staging.publish(new, final, owner="test")
"""


def test_replacing_a_folder_leaves_old_or_new_and_a_kill_is_rolled_back(tmp_path):
    from plumbing.staging import publish

    final = tmp_path / "bundle"
    for text in ("old", "new"):  # made, then replaced: the folder is the test's own
        with staging_folder(tmp_path) as new:
            (new / "file").write_text(text)
            publish(new, final, owner="test")
    assert (final / "file").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]
    # Killed between the two renames (the moment is made to last; the kill is real).
    child = subprocess.Popen([sys.executable, "-c", REPLACE_AND_WAIT, str(final)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "aside"
    child.kill()
    child.wait()
    assert not final.exists()  # the old one is aside, the new one never placed
    with staging_folder(tmp_path):
        pass  # the next staging there puts the old one back and removes the rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]
    assert (final / "file").read_text() == "new"  # the one the killed process set aside
