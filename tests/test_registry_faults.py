"""The registry and the commands that replace user state, under damage and interruption."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from hub import registry, registry_catalog
from hub.cli import main
from tests.cli_text import shows
from tests.tiny_hub import register_tiny


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    register_tiny(home, "eu")
    register_tiny(home, "eu", seed=1)
    register_tiny(home, "global")
    return home


def test_verify_lists_damaged_files_and_rebuilds_a_damaged_catalog(home):
    (home / "eu" / "v1" / "manifest.json").write_text("{half", encoding="utf-8")
    (home / "catalog.parquet").write_bytes(b"PAR1 not really")
    listing = invoke("list", "--home", home)
    assert listing.exit_code == 2 and shows(listing.output, "catalog.parquet: damaged catalog")
    result = invoke("verify", "--home", home)
    assert result.exit_code == 1
    damaged = home / "eu" / "v1" / "manifest.json"
    assert shows(result.output, f"{damaged}: not a readable JSON manifest")
    assert shows(result.output, "catalog.parquet: damaged catalog")
    assert shows(result.output, "rebuilt from the versions on disk")
    assert shows(result.output, "ok global/v1")
    assert sorted(registry_catalog.catalog(home).column("model_id").to_pylist()) == [
        "eu/v1", "eu/v2", "global/v1"]
    assert invoke("list", "--home", home).exit_code == 0  # goes on past the damaged version


def test_manifest_entries_outside_the_version_are_named_and_never_read(home, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "pipe")  # reading it would block the test
    (outside / "secret").write_text("not yours")
    version = registry.resolve(home, "global")
    (version.path / "genai-x").symlink_to(outside, target_is_directory=True)
    manifest = version.manifest()
    manifest["files"] |= {"../../outside/secret": "0" * 64, "genai-x/pipe": "0" * 64,
                          "/etc/passwd": "0" * 64}
    version.file("manifest.json").write_text(json.dumps(manifest))
    problems = "\n".join(registry.verify(version))
    for name in ("../../outside/secret", "genai-x/pipe", "/etc/passwd"):
        assert f"entry {name!r} is not a plain name inside the version" in problems
    with pytest.raises(Exception, match="failed its hash check"):
        registry.load_model(version)


def test_removing_a_version_that_is_not_there_touches_nothing(home, tmp_path):
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = invoke("rm", "eu@v7", "--yes", "--home", home)
    assert result.exit_code == 2 and shows(result.output, "has no version 'v7'")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_removal_killed_half_way_is_completed_by_the_next_command(home):
    # Enough files that deleting them takes a while: the kill lands inside the removal.
    doomed = registry.resolve(home, "eu", 1)
    extra = doomed.path / "extra"
    extra.mkdir()
    for i in range(30_000):
        (extra / f"{i}").write_bytes(b"x")
    command = [sys.executable, "-c", "from hub.cli import main; main()", "rm", "eu@v1",
               "--yes", "--home", str(home)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    aside = home / "eu" / ".removing-v1"
    deadline = time.monotonic() + 60
    while not aside.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert aside.exists(), "the kill came after the removal finished"
    assert not (home / "eu" / "v1").exists()
    assert [v.model_id for v in registry.versions(home, "eu")] == ["eu/v2"]
    result = invoke("verify", "--home", home)
    assert shows(result.output, "completed the interrupted removal of eu/v1")
    assert result.exit_code == 0, result.output
    assert not aside.exists()
    assert "eu/v1" not in registry_catalog.catalog(home).column("model_id").to_pylist()


def test_tokenizer_training_checks_every_region_before_replacing_any(tmp_path):
    from train_home import build_template

    home = build_template(tmp_path / "h")
    trained = home / "_tokenizers" / "eu" / "tokenizer.json"
    before = trained.read_bytes()
    for args, message in (
        (["--region", "eu", "--region", "atlantis"], "atlantis"),
        (["--region", "eu", "--region", "../x"], "not allowed"),
        (["--region", "eu", "--alpha", "nan"], "--alpha nan"),
        (["--region", "eu", "--vocab-size", "0"], "--vocab-size"),
    ):
        result = invoke("tokenizer", "train", *args, "--home", home)
        assert result.exit_code == 2 and shows(result.output, message), result.output
        assert trained.read_bytes() == before
