"""Outputs owned, never deleted: what a command may replace, run through the real CLIs.

A command that replaces its output folder whole (`simulator run --out`, `hub export --out`)
owns only a folder it made and marked (`plumbing.outputs.OWNER_MARKER`); anything else there is
refused before work (exit 2) and stays, byte for byte. Places that cannot be replaced
(the current folder, a link, a mount point, a file) are refused the same way, leaving
no staging folder behind.
"""

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main as hub_main
from plumbing.errors import InputError
from plumbing.outputs import OWNER_MARKER, owner_of
from simulator.cli import main as simulator_main
from tests.cli_text import shows
from tests.tiny_hub import register_tiny
from tests.tmpfs import mounted_tmpfs

SCENARIO = Path(__file__).parents[1] / "data" / "scenarios" / "stylised.toml"


def run(out: Path | str, *extra: str):
    """`simulator run` for one month into `out` (in-process, the real command)."""
    return CliRunner().invoke(simulator_main, ["run", str(SCENARIO), "--months", "1",
                                               "--out", str(out), *extra])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to compare before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def no_leftovers(folder: Path) -> bool:
    """No staging folder or temporary file of the product anywhere under `folder`."""
    return not [p for p in folder.rglob(".*") if p.name.startswith((".staging-", ".write-check"))
                or p.name.endswith(".tmp")]


def test_a_report_folder_is_replaced_whole_and_a_foreign_file_stops_the_run(tmp_path):
    out = tmp_path / "report"
    first = run(out)
    assert first.exit_code == 0, first.output
    marker = owner_of(out)  # names the command and exactly the files it wrote
    assert marker["command"] == "simulator run"
    assert {"firms.parquet", "runs.parquet", "timeseries.parquet"} <= set(marker["files"])
    assert sorted(p.name for p in out.iterdir()) == sorted([OWNER_MARKER, *marker["files"]])
    again = run(out, "--seed", "3")  # the product's own folder: replaced whole
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == sorted([OWNER_MARKER, *marker["files"]])
    for foreign in (".env", ".git"):  # hidden or not, a file or a folder: the user's
        path = out / foreign
        path.mkdir() if foreign == ".git" else path.write_text("TOKEN=secret\n")
        if foreign == ".git":
            (path / "HEAD").write_text("ref: refs/heads/main\n")
        before = tree(out)
        refused = run(out)
        assert refused.exit_code == 2, refused.output
        assert shows(refused.output, f"is not a run's report made by `simulator run` (it "
                                     f"holds {foreign})")
        assert tree(out) == before and no_leftovers(tmp_path)
        assert "Traceback" not in refused.output
        if foreign == ".env":
            path.unlink()


def test_a_folder_the_user_made_is_never_replaced(tmp_path):
    mine = tmp_path / "mine"
    (mine / "src").mkdir(parents=True)
    (mine / "src" / "app.js").write_text("console.log(1)\n")
    (mine / "manifest.json").write_text('{"name": "web app"}\n')
    before = tree(mine)
    refused = run(mine)
    assert refused.exit_code == 2 and shows(refused.output, "nothing there is replaced")
    assert tree(mine) == before
    # A marker of another command does not make it this one's.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / OWNER_MARKER).write_text('{"command": "hub export", "files": []}')
    assert run(tmp_path / "other").exit_code == 2
    assert (tmp_path / "other" / OWNER_MARKER).is_file()
    assert no_leftovers(tmp_path)


def test_places_that_cannot_be_replaced_are_refused_with_no_leftovers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("mine")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    cases = {".": "is the current folder or holds it",
             str(tmp_path): "is the current folder or holds it",
             "a-file": "is a file, not a folder",
             "a-file/deeper": "a-file is a file, so nothing can be made under it",
             "dangling": f"is a link to {tmp_path / 'nowhere'}, which does not exist",
             "dangling/deeper": "is a link to nothing",
             "linked": "is a link (to"}
    for out, message in cases.items():
        refused = run(out)
        assert refused.exit_code == 2, (out, refused.output)
        assert shows(refused.output, message), (out, refused.output)
        assert "Traceback" not in refused.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a-file", "dangling", "linked", "real"]
    assert not (tmp_path / "nowhere").exists() and list((tmp_path / "real").iterdir()) == []


def test_an_empty_mount_point_is_refused_not_left_half_replaced(tmp_path):
    with mounted_tmpfs(tmp_path / "mounted", "1m") as point:
        refused = run(point)
        assert refused.exit_code == 2 and shows(refused.output, "is a mount point")
        assert os.path.ismount(point) and list(point.iterdir()) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["mounted"]


def test_hub_export_refuses_a_folder_of_someone_elses_before_building(tmp_path):
    version = register_tiny(tmp_path / "home", "eu")
    app = tmp_path / "web-app"
    (app / "src").mkdir(parents=True)
    (app / "src" / "index.ts").write_text("export {}\n")
    (app / "manifest.json").write_text('{"short_name": "app"}\n')  # a bundle's name, not one
    before = tree(app)
    refused = CliRunner().invoke(hub_main, ["export", "--region", "eu", "--out", str(app),
                                            "--home", str(version.home)])
    assert refused.exit_code == 2, refused.output
    assert shows(refused.output, "is not a bundle made by `hub export` (it holds "
                                 "manifest.json, src)")
    assert tree(app) == before and no_leftovers(tmp_path)
    assert not any(n.startswith("genai-") for n in version.manifest()["files"])  # not built


def test_a_file_put_in_during_the_swap_is_put_back_not_deleted(tmp_path, monkeypatch):
    import plumbing.staging as staging

    final = tmp_path / "report"
    for text in ("first", "second"):
        with staging.staging_folder(tmp_path) as new:
            (new / "figures.txt").write_text(text)
            if text == "second":  # the user's file lands after the check before the swap
                monkeypatch.setattr(staging, "check_replaceable_folder", lambda *args: None)
                (final / "notes.md").write_text("mine")
                with pytest.raises(InputError, match="notes.md appeared there while `test`"):
                    staging.publish(new, final, owner="test")
            else:
                staging.publish(new, final, owner="test")
    assert (final / "notes.md").read_text() == "mine"
    assert (final / "figures.txt").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
