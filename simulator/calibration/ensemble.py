"""The calibrated ensemble as other commands use it (`simulator backtest`, `advise`).

    from simulator.calibration.ensemble import load_ensemble
    members = load_ensemble("calibration/history")  # list of {dotted key: value}
    scenario = simulator.scenario.overrides.apply(base, members[0])

Each member is one non-implausible point as scenario overrides (`parameters.beta_price`
and the like), in the calibration's point order, so running the base scenario with each
member's overrides and the calibration's replicate seeds reproduces the ensemble.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from plumbing.checked_files import read_json, read_parquet
from plumbing.errors import InputError

# What backtest and advice read of a calibration's metadata, with its JSON type.
METADATA_KEYS = {"parameters": list, "settings": dict, "observations": dict,
                 "observations_used": list, "scenario": dict, "ended": (str, type(None))}


def calibration_metadata(folder: str | Path) -> dict:
    """A calibration folder's metadata; InputError when it is not a finished calibration."""
    folder = Path(folder)
    if not (folder / "metadata.json").is_file():
        raise InputError(f"{folder}: expected a calibration folder written by "
                         "`simulator calibrate` (metadata.json not found)")
    metadata = read_json(folder / "metadata.json", "calibration's metadata", METADATA_KEYS)
    inner = {("scenario", "text"): str, ("scenario", "path"): str,
             ("observations", "path"): str, ("settings", "replicates"): int,
             ("settings", "seed"): int,
             **{("parameters", i): dict for i in range(len(metadata["parameters"]))}}
    for (key, part), kind in inner.items():
        holder = metadata[key]
        value = holder[part] if isinstance(holder, list) else holder.get(part)
        if not isinstance(value, kind) or isinstance(value, bool) or (
                kind is dict and not isinstance(value.get("name"), str)):
            raise InputError(f"{folder / 'metadata.json'}: calibration's metadata key "
                             f"{key}.{part} is {value!r:.40}, expected {kind.__name__}"
                             f"{' with a name' if kind is dict else ''}")
    if metadata.get("ended") is None or not (folder / "non_implausible.parquet").exists():
        raise InputError(f"{folder}: the calibration has not finished; run the same "
                         "`simulator calibrate` command again to resume it")
    return metadata


def load_ensemble(folder: str | Path, limit: int | None = None,
                  least_implausible: int | None = None) -> list[dict[str, float]]:
    """The non-implausible points as override dicts (at most `limit`, evenly spaced).

    With `least_implausible=K` the K evaluated points of lowest implausibility stand in,
    for a calibration that ruled out everything (a stand-in, and to be reported as one);
    without it an empty set is an InputError that says so.
    """
    metadata = calibration_metadata(folder)
    keys = [p["name"] for p in metadata["parameters"]]
    if least_implausible:
        frame = read_parquet(Path(folder) / "points.parquet", "set of evaluated points",
                             ["wave", "point", "implausibility", *keys]).to_pandas()
        frame = frame[np.isfinite(frame["implausibility"])]
        frame = frame.nsmallest(least_implausible, "implausibility")
    else:
        frame = read_parquet(Path(folder) / "non_implausible.parquet", "non-implausible set",
                             ["wave", "point", *keys]).to_pandas()
        if frame.empty:
            raise InputError(f"{folder}: no point is non-implausible (the model cannot meet "
                             "every calibration observation: see observations.parquet); "
                             "the K least implausible points can stand in (least_implausible, "
                             "`simulator backtest --least-implausible K`)")
    frame = frame.sort_values(["wave", "point"]).reset_index(drop=True)
    if limit is not None and len(frame) > limit:
        step = len(frame) / limit
        frame = frame.iloc[[int(i * step) for i in range(limit)]]
    return [{key: float(row[key]) for key in keys} for _, row in frame.iterrows()]


def non_implausible_count(folder: str | Path) -> int:
    """How many points a finished calibration left non-implausible."""
    calibration_metadata(folder)
    return read_parquet(Path(folder) / "non_implausible.parquet", "non-implausible set").num_rows
