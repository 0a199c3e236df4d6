"""Where an export goes (hub.serving.export): outs refused before work, a tar placed whole."""

from pathlib import Path

import pytest

from hub import registry
from hub.serving import bundle
from hub.serving.export import default_out, export_bundle
from plumbing.errors import InputError
from tests.tiny_hub import register_tiny


@pytest.mark.slow  # one real export (the genai builder), fp32 only
def test_outs_are_refused_before_work_and_a_tar_lands_whole_in_the_default_folder(
        tmp_path, monkeypatch):
    version = register_tiny(tmp_path / "home", "eu")
    monkeypatch.chdir(tmp_path)  # the default folder, bundles/, is relative
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("mine")
    for out, fmt, message in ((notes, "dir", "is not a bundle made by `hub export`"),
                              (notes, "tar", "is a folder"),
                              (notes / "mine.txt" / "b", "dir", "is a file")):
        with pytest.raises(InputError, match=message):
            export_bundle(version, out, fmt, precisions=("fp32",))
    # Refused before anything was built or attached to the registry version.
    assert not any(n.startswith("genai-") for n in version.manifest()["files"])
    assert (notes / "mine.txt").read_text() == "mine"

    steps = []
    out = default_out(version, "tar")
    facts = export_bundle(version, out, "tar", precisions=("fp32",), progress=steps.append)
    assert out == Path("bundles/eu-v1.tar") and facts["max_abs_diff_fp32"] < 1e-4
    assert sorted(p.name for p in (tmp_path / "bundles").iterdir()) == ["eu-v1.tar"]
    assert "attaching the graphs to the registry version" in steps
    folder = bundle.open_bundle(out, tmp_path / "work")
    assert bundle.verify_bundle(folder) == [] and registry.verify(version) == []
    assert any(n.startswith("genai-fp32/") for n in registry.check(version).manifest()["files"])
