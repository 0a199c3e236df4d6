"""The calibrated ensemble as other commands use it (`simulator backtest`, `advise`).

    from simulator.calibration.ensemble import load_ensemble
    members = load_ensemble("calibration/history")  # list of {dotted key: value}
    scenario = simulator.overrides.apply(base, members[0])

Each member is one non-implausible point as scenario overrides (`parameters.beta_price`
and the like), in the calibration's point order, so running the base scenario with each
member's overrides and the calibration's replicate seeds reproduces the ensemble.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from hub.errors import InputError
from simulator.batch_store import read_json


def calibration_metadata(folder: str | Path) -> dict:
    """A calibration folder's metadata; InputError when it is not a finished calibration."""
    folder = Path(folder)
    metadata = read_json(folder / "metadata.json")
    if metadata is None or "observations_used" not in metadata:
        raise InputError(f"{folder}: expected a calibration folder written by "
                         "`simulator calibrate` (metadata.json not found)")
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
        frame = pq.read_table(Path(folder) / "points.parquet").to_pandas()
        frame = frame[np.isfinite(frame["implausibility"])]
        frame = frame.nsmallest(least_implausible, "implausibility")
    else:
        frame = pq.read_table(Path(folder) / "non_implausible.parquet").to_pandas()
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
    return pq.read_metadata(Path(folder) / "non_implausible.parquet").num_rows
