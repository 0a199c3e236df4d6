"""A calibration's output folder: its metadata, and whether an existing one may be resumed.

A folder is resumed only when it holds the same calibration: its fingerprint
(`plumbing.fingerprint`, `calibration_parts`) names the scenario, its technology profile,
the observations, every setting and the model's code, so a resumed calibration never mixes
two models, profiles or sets of observations; what changed is named in the refusal.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from plumbing.errors import InputError
from plumbing.fingerprint import FINGERPRINT, check, file_part, value_part
from plumbing.locks import LOCK
from simulator.batch.store import read_json
from simulator.scenario import Scenario
from simulator.scenario.inputs import model_code, scenario_parts

METADATA = "metadata.json"
COMMAND = "simulator calibrate"


def model_digest() -> dict:
    """sha256 of the model (`simulator.scenario.inputs.model_code`), which a resume must run."""
    return {"sha256": model_code(), "version": version("intl-strategy")}


def calibration_parts(scenario: Scenario, observations_file: Path, settings: dict) -> dict:
    """What a calibration's results depend on (`plumbing.fingerprint`).

    The scenario, its profile and the model (`simulator.scenario.inputs`), the observations file
    and every setting.
    """
    return {**scenario_parts(scenario), "observations": file_part(observations_file),
            **{f"--{key.replace('_', '-')}": value_part(value) for key, value in
               settings.items()}}


def prepare_folder(out: Path, fresh: dict, parts: dict[str, str]) -> dict:
    """Metadata for this invocation: `fresh`, or the stored one when resuming the same.

    Raises:
        InputError: `out` is a file, holds something else, or a calibration made from
            other inputs (`plumbing.fingerprint`: each changed part named).
    """
    fresh = json.loads(json.dumps(fresh))  # as stored (tuples become lists)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out expects a folder, this is a file")
    if out.exists() and any(p.name not in (LOCK, FINGERPRINT) for p in out.iterdir()):
        old = read_json(out / METADATA)
        if old is None:
            raise InputError(f"{out}: not empty and not a calibration folder (no {METADATA}); "
                             "choose another --out")
        check(out, COMMAND, parts, has_results=True)
        return {**old, "ended": None, "resumed": [*old.get("resumed", []), fresh["started"]]}
    return fresh
