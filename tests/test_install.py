"""A non-editable install works from any folder and carries its shipped data, and its main
dependencies (no extras) are enough for the product's commands and screens."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
    shipped = target / "plumbing" / "shipped_data"
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


def main_requirements() -> list[Requirement]:
    """The `dependencies` of pyproject.toml: what `pip install .` brings without extras."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def closure(requirements: list[Requirement]) -> dict[str, metadata.Distribution]:
    """The installed distributions these requirements pull in, transitively, extras included
    only where a requirement names them (what pip would resolve in a fresh environment)."""
    found: dict[tuple[str, frozenset], metadata.Distribution] = {}
    pending = list(requirements)
    while pending:
        requirement = pending.pop()
        name, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        if (name, extras) in found:
            continue
        dist = found[name, extras] = metadata.distribution(name)
        assert dist.version in requirement.specifier, (requirement, dist.version)
        for line in dist.requires or []:
            wanted = Requirement(line)
            # A marker's `extra` is one of this distribution's extras that was asked for.
            if not wanted.marker or any(wanted.marker.evaluate({"extra": extra})
                                        for extra in {"", *extras}):
                pending.append(wanted)
    return {name: dist for (name, _extras), dist in found.items()}


def link_distributions(dists, site: Path) -> None:
    """Make exactly these distributions importable in `site`: their recorded files, linked."""
    for dist in dists:
        for file in dist.files or []:
            if file.parts[0] == ".." or "__pycache__" in file.parts:
                continue  # scripts outside site-packages; caches are rebuilt
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(dist.locate_file(file))


BATCH_AND_RESULTS = """
import asyncio, sys
from pathlib import Path
from tui.app import StrategyApp
from tui.screens.results import ResultsScreen

async def main(batch: Path, work: Path) -> None:
    app = StrategyApp(locale="en", user_dir=work, home=work / "models",
                      reports_dir=work / "reports", report=batch)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen), app.screen
        print("choices", len(app.screen.choices))

asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
"""


@pytest.mark.slow  # builds a wheel and links about 40 distributions into a new environment
def test_without_extras_the_report_and_the_results_screen_work(tmp_path):
    sys.path.insert(0, str(REPO / "tests"))
    from batch_sweeps import tiny_sweep

    source = tmp_path / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=NOT_COPIED)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(wheels), str(source)],
                   check=True, capture_output=True, text=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    assert site != Path(sysconfig.get_paths()["purelib"])
    link_distributions(closure(main_requirements()).values(), site)
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run([*pip, "install", "--quiet", "--no-deps", "--no-index",
                    *map(str, wheels.glob("*.whl"))], check=True, capture_output=True)
    checked = subprocess.run([*pip, "check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    work = tmp_path / "work"
    sweep = tiny_sweep(work, seeds=1, months=6, broken=False)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "PYTHONPATH": "",
           "OMP_NUM_THREADS": "1"}
    env.pop("VIRTUAL_ENV", None)

    def run(*command):
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        return done

    run(venv / "bin" / "simulator", "batch", sweep, "--out", "batch", "--workers", "1")
    report = run(venv / "bin" / "simulator", "report", "batch", "--html", "batch.html")
    assert "eu-early" in report.stdout and (work / "batch.html").stat().st_size > 0
    screen = run(python, "-c", BATCH_AND_RESULTS, work / "batch", work)
    assert re.search(r"^choices (\d+)$", screen.stdout, re.M), screen.stdout
    assert int(screen.stdout.split()[-1]) >= 2
