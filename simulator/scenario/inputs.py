"""What a simulated result depends on, as the parts of a folder's fingerprint.

`plumbing.fingerprint` records and compares the parts; this module says what they are for
the simulator: the scenario's content, the technology profile each run reads (a scenario
points at a file, whose bytes can change under the same name), the model's code with the
curated tables it reads, and the product version. Commands add their own arguments
(a holdout window, seeds, runs) and inputs (observations, a sweep file).

    parts = scenario_parts(scenario) | {"holdout": "2025-01..2025-12"}
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

from plumbing.fingerprint import file_part, value_part
from plumbing.shipped import shipped_path
from simulator.scenario import Scenario

# Modules that run, sweep, record or report the model without changing what a run computes.
NOT_MODEL = {"cli.py", "__init__.py"}  # the command group and package docstrings
# Curated tables the model reads (data/SOURCES.md); observations and examples are not read.
MODEL_TABLES = ("availability.csv", "gpu_prices.csv", "language_quality.csv",
                "localisation_results.csv", "regulation.csv", "talent.csv",
                "vocab_extension.csv", "api_prices.csv", "api_tokenizers.csv")


def model_code() -> str:
    """sha256 of the model: the simulator's top-level and world modules and its tables.

    The commands, reports, sweeps and the calibration and advice packages only run it.
    """
    root = Path(__file__).resolve().parents[1]  # simulator/: the model's modules
    digest = hashlib.sha256()
    paths = [p for p in [*root.glob("*.py"), *root.glob("world/*.py")]
             if not p.name.endswith("_cli.py") and p.name not in NOT_MODEL]
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    for name in MODEL_TABLES:
        try:
            digest.update(name.encode() + b"\0" + shipped_path(name).read_bytes())
        except FileNotFoundError:
            digest.update(name.encode() + b"\0missing")
    return digest.hexdigest()


def scenario_parts(scenario: Scenario, variants: Iterable[Scenario] = ()) -> dict[str, str]:
    """The parts every simulated result depends on, for `scenario` (and sweep `variants`).

    A variant may point at another technology profile: every distinct one is a part.
    """
    profiles = sorted({_profile_part(s.profile_path()) for s in (scenario, *variants)})
    return {"scenario": scenario.digest(),
            "technology profile": profiles[0] if len(profiles) == 1 else value_part(profiles),
            "model code": model_code(), "product version": version("intl-strategy")}


def _profile_part(path: Path) -> str:
    # A profile that cannot be read fails its runs (recorded as failures): its absence is
    # then what they were made from.
    try:
        return file_part(path)
    except OSError as error:
        return f"{path}: {error.strerror or error}"
