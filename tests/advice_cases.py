"""Scenarios the advice tests share."""

from __future__ import annotations

from pathlib import Path

from plumbing.shipped import shipped_path


def four_labs() -> Path:
    """The stylised four-archetype world (Frontier US, China Lab, Euro Challenger, Open Weights).

    Shipped as scenarios/default.toml until the calibrated world took that name; then as
    scenarios/stylised.toml.
    """
    for name in ("stylised.toml", "default.toml"):
        try:
            return shipped_path("scenarios", name)
        except FileNotFoundError:
            continue
    raise FileNotFoundError("neither scenarios/stylised.toml nor scenarios/default.toml shipped")
