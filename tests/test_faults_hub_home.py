"""The registry on a full or read-only disk, and a hub home that is a file.

Real small file systems (tests.tmpfs): a registration whose weights do not fit
(safetensors' own error), an attach that does not fit, and a read-only home, each end in
exit 1 with the place and the system's reason, nothing half-written and no temporary
file left; a home that is a file is bad input (exit 2). No traceback anywhere.
"""

import subprocess

import pytest
from click.testing import CliRunner

from hub import registry
from hub.cli import main as hub_main
from plumbing.errors import WriteFailure
from tests.cli_text import shows
from tests.tiny_hub import register_tiny
from tests.tmpfs import mounted_tmpfs


def leftovers(root):
    """Temporary or staging files and folders anywhere under `root`."""
    return [p for p in root.rglob("*") if p.name.startswith(".staging-")
            or (p.name.startswith(".") and p.name.endswith(".tmp"))]


def fill(disk, leave: int = 4096):
    """Fill the file system at `disk` up to `leave` free bytes with one file."""
    import os

    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave))


def test_weights_that_do_not_fit_end_in_exit_1_and_leave_nothing(tmp_path):
    with mounted_tmpfs(tmp_path / "disk", "256k") as disk:  # the weights: 0.5 MB
        with pytest.raises(WriteFailure) as failed:
            register_tiny(disk / "home")
        assert failed.value.exit_code == 1
        assert shows(failed.value.message, f"{disk / 'home' / 'eu'}: could not be written "
                                           "(No space left on device)")
        assert registry.all_versions(disk / "home") == []
        assert not (disk / "home" / "eu").exists() and leftovers(disk) == []


def test_an_attach_that_does_not_fit_keeps_the_version_whole(tmp_path):
    with mounted_tmpfs(tmp_path / "disk", "8m") as disk:
        version = register_tiny(disk / "home")
        manifest = version.file("manifest.json").read_bytes()
        fill(disk)
        with pytest.raises(WriteFailure) as failed:
            registry.attach(version, "genai-fp32/model.onnx",
                            lambda tmp: tmp.write_bytes(b"\1" * 2**20))
        assert shows(failed.value.message, "genai-fp32/model.onnx: could not be written (No "
                                           "space left on device)")
        assert version.file("manifest.json").read_bytes() == manifest
        assert not version.file("genai-fp32/model.onnx").exists() and leftovers(disk) == []
        assert registry.verify(version) == []


def test_a_read_only_home_ends_in_exit_1_naming_it(tmp_path):
    with mounted_tmpfs(tmp_path / "disk", "8m") as disk:
        version = register_tiny(disk / "home")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = CliRunner().invoke(hub_main, ["rm", "eu@v1", "--yes", "--home",
                                               str(disk / "home")])
        assert result.exit_code == 1, result.output
        assert shows(result.output, f"{disk / 'home'}: could not be written (Read-only file "
                                    "system)"), result.output
        assert "Traceback" not in result.output and registry.verify(version) == []


def test_a_hub_home_that_is_a_file_is_bad_input(tmp_path, monkeypatch):
    home = tmp_path / "models"
    home.write_text("not a folder\n")
    monkeypatch.setenv("HUB_HOME", str(home))
    for command in (["list"], ["rm", "eu@v1", "--yes"], ["verify"]):
        result = CliRunner().invoke(hub_main, command)
        assert result.exit_code == 2, result.output
        assert shows(result.output, f"$HUB_HOME {home}: is a file, not a folder"), result.output
        assert "Traceback" not in result.output
    assert home.read_text() == "not a folder\n"
