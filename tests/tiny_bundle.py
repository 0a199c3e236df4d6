"""One tiny model exported as a bundle (fp32 graph only) for tests of what opens a bundle."""

from pathlib import Path

from click.testing import CliRunner

from hub.cli import main
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
