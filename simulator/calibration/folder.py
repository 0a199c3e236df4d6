"""A calibration's output folder: its metadata, and whether an existing one may be resumed.

A folder is resumed only when it holds the same calibration: the same scenario and
observations files (sha256), the same settings and the same model source (`model_digest`),
so a resumed calibration never mixes two models or two sets of observations.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from plumbing.errors import InputError
from plumbing.locks import LOCK
from simulator.batch_store import read_json

METADATA = "metadata.json"
# Modules that run, sweep or report the model without changing what a run computes.
NOT_MODEL = {"analysis.py", "backend_options.py", "backends.py", "batch.py", "batch_runs.py",
             "batch_store.py", "cli.py", "design.py", "experiments.py", "html_report.py",
             "prim.py", "run_report.py", "sweep.py"}


def model_digest() -> dict:
    """sha256 of the model's source: a resumed calibration must run the same model.

    The model is the simulator's top-level modules and its world data code, without the
    commands, reports, sweeps and the calibration and advice packages that only run it.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    paths = [p for p in [*root.glob("*.py"), *root.glob("world/*.py")]
             if not p.name.endswith("_cli.py") and p.name not in NOT_MODEL]
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return {"sha256": digest.hexdigest(), "version": version("intl-strategy")}


def prepare_folder(out: Path, fresh: dict) -> dict:
    """Metadata for this invocation: `fresh`, or the stored one when resuming the same."""
    fresh = json.loads(json.dumps(fresh))  # as stored (tuples become lists), to compare
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out expects a folder, this is a file")
    if out.exists() and any(p.name != LOCK for p in out.iterdir()):
        old = read_json(out / METADATA)
        if old is None:
            raise InputError(f"{out}: not empty and not a calibration folder (no {METADATA}); "
                             "choose another --out")
        for part, key in (("scenario", "sha256"), ("observations", "sha256"),
                          ("settings", None), ("model", "sha256")):
            stored, now = old.get(part), fresh[part]
            if (stored or {}).get(key) != now[key] if key else stored != now:
                why = ("a model whose source has changed since" if part == "model"
                       else f"other {part}")
                raise InputError(f"{out}: holds a calibration with {why}; it is not "
                                 "overwritten: choose another --out or delete the folder")
        return {**old, "ended": None, "resumed": [*old.get("resumed", []), fresh["started"]]}
    return fresh
