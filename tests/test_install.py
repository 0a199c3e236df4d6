"""A non-editable install works from any folder and carries its shipped data."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Build outputs, environments and local artefacts a clean clone does not have.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "models",
    ".ci",
)


def test_pip_install_then_regions_from_another_folder(tmp_path):
    source = tmp_path / "source"
    # Build from a copy so the install never writes build/ or egg-info into the checkout.
    shutil.copytree(REPO, source, symlinks=True, ignore=NOT_COPIED)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    shipped = target / "hub" / "shipped_data"
    assert (shipped / "SOURCES.md").is_file() and not shipped.is_symlink()
    assert (shipped / "talent.csv").is_file() and (shipped / "gpu_prices.csv").is_file()
    assert not (target / "data").exists(), "no top-level `data` package may be installed"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = (
        "import hub, simulator.cli, sys; "
        f"assert hub.__file__.startswith({str(target)!r}), hub.__file__; "
        "sys.argv[0] = 'simulator'; simulator.cli.main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "regions"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"\beu\b", result.stdout) and re.search(r"\bglobal\b", result.stdout)
    # The installed curated tables and the world table load through the installed package too.
    check = (
        "from hub.prices import instance_price; from simulator.world import get_country; "
        "assert get_country('DE').capital == 'Berlin'; print(instance_price('m7i.large'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0 and float(out.stdout) > 0, out.stderr
