"""One tiny model exported as a bundle for tests of what opens a bundle."""

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
from hub.serving.bundle import extract_tar
from tests.tiny_hub import register_tiny


def export_tiny(root: Path):
    """Register a tiny model under `root/home` and export it to `root/bundle` through the CLI.

    Returns:
        (registry version, bundle folder).
    """
    version = register_tiny(root / "home", weight_std=0.3)
    out = root / "bundle"
    args = ["export", "--region", "eu", "--out", str(out), "--home", str(root / "home")]
    result = CliRunner().invoke(main, [*args, "--precision", "fp32"])
    assert result.exit_code == 0, result.output
    return version, out


def export_tiny_tar(root: Path):
    """The same tiny model exported as a tar (every precision) and safely extracted.

    Built once per test worker by the session fixture `tiny_export` (tests/conftest.py)
    for the modules that only read a bundle; a test that changes one copies it first.

    Returns:
        (registry version, tar file, extracted bundle folder).
    """
    version = register_tiny(root / "home", weight_std=0.3)
    tar = root / "eu.tar"
    args = ["export", "--region", "eu", "--format", "tar", "--out", str(tar)]
    result = CliRunner().invoke(main, [*args, "--home", str(root / "home")])
    assert result.exit_code == 0, result.output
    return version, tar, extract_tar(tar, root / "eu")
