"""Where the product's shipped data lives (scenarios, curated tables, the default profile).

The repository's `data/` folder is linked as `plumbing/shipped_data` and copied into the wheel
(see pyproject.toml), so both a source checkout and `pip install .` find it here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped_path(*parts: str) -> Path:
    """Path of a shipped data file, e.g. `shipped_path("scenarios", "default.toml")`."""
    path = Path(str(files("plumbing"))).joinpath("shipped_data", *parts)
    if not path.exists():
        raise FileNotFoundError(f"shipped data file missing: {path}")
    return path
