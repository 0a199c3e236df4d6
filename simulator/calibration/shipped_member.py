"""The member of the non-implausible set that ships as the calibrated history.

The set, calibrated to the calibration's cut-off, is the ensemble that advice and the
backtest read. One member is the single world that `simulator run` shows and the default
scenario runs on from today. With a finished backtest of the calibration, that member is
the one least implausible over every row the world has seen by the backtest's last month:
the calibration's rows and the held-out ones, under the calibration's own rule (largest or
second largest I). Without one it is the calibration's least implausible point.

Choosing the member with the held-out rows makes no claim about them: the backtest scores
the whole set, which this choice leaves as it is.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import tomlkit

from plumbing.checked_files import read_parquet
from plumbing.errors import InputError
from simulator.calibration.backtest import SUMMARY, parse_window
from simulator.calibration.calibrate import start_of
from simulator.calibration.calibrated_scenario import set_key
from simulator.calibration.ensemble import calibration_metadata
from simulator.calibration.implausibility import (
    ensemble_moments,
    implausibility,
    summary_implausibility,
)
from simulator.calibration.observations import read_observations
from simulator.calibration.targets import Targets, select
from simulator.scenario import parse_scenario


@dataclass(frozen=True)
class ShippedMember:
    """The member's values by dotted key, its implausibility over all rows, the rows' count."""

    values: dict[str, float]
    implausibility: float
    rows: int
    holdout: str


def member_through_today(calibration: Path, backtest: Path) -> ShippedMember:
    """The non-implausible member least implausible over calibration and held-out rows."""
    metadata = calibration_metadata(calibration)
    summary_path = backtest / SUMMARY
    if not summary_path.is_file():
        raise InputError(f"--backtest {backtest}: expected a finished backtest of "
                         f"{calibration} (its {SUMMARY}; `simulator backtest {calibration} "
                         "--holdout FIRST..LAST`)")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    # Whose backtest it is shows in its members (each must be of this set, below), not in
    # the path it was given, which was relative to wherever it ran.
    if summary["ensemble"] != "non-implausible":
        raise InputError(f"--backtest {backtest}: ran stand-ins ({summary['ensemble']}), "
                         "expected the non-implausible set")
    settings = metadata["settings"]
    keys = [p["name"] for p in metadata["parameters"]]
    kept = read_parquet(calibration / "non_implausible.parquet",
                        "non-implausible set").to_pandas()
    runs = pd.concat([pd.read_parquet(path) for path in
                      sorted((backtest / "runs" / "points").glob("*.parquet"))])
    runs = runs[runs["status"] == "ok"]
    first, last = parse_window(summary["holdout"])
    scenario = parse_scenario(metadata["scenario"]["text"], metadata["scenario"]["path"],
                              settings.get("assignments", []))
    rows = [o for o in select(read_observations(metadata["observations"]["path"]), "holdout",
                              first, last) if f"obs:{o.id}" in runs.columns]
    targets = Targets.build(rows, start_of(scenario), settings.get("discrepancy_scale", 1.0))
    points = sorted(runs["point"].unique())
    samples = np.array([runs.loc[runs["point"] == p, [f"obs:{o.id}" for o in rows]]
                        .to_numpy(float) for p in points])  # [points, replicates, rows]
    mean, v_ens = ensemble_moments(targets.transform(samples))
    held_out = implausibility(targets.observed, mean, targets.v_obs, targets.v_md, v_ens)
    calibration_i = [c for c in kept.columns if c.startswith("I:")]
    values, totals = [], []
    for p, row_i in zip(points, held_out, strict=True):
        member = runs.loc[runs["point"] == p, keys].iloc[0]
        match = kept[(kept[keys] == member.to_numpy()).all(axis=1)]
        if match.empty:
            raise InputError(f"--backtest {backtest}: its member {p} is not in "
                             f"{calibration}'s non-implausible set; run the backtest again")
        every_row = np.concatenate([match[calibration_i].to_numpy(float)[0], row_i])
        totals.append(float(summary_implausibility(every_row[None, :], settings["rule"])[0]))
        values.append({key: float(member[key]) for key in keys})
    best = int(np.argmin(totals))
    return ShippedMember(values[best], totals[best], len(calibration_i) + len(rows),
                         summary["holdout"])


def at_member(calibrated_text: str, member: ShippedMember) -> str:
    """The calibrated scenario with its uncertain keys at `member`, and a line that says so."""
    document = tomlkit.parse(calibrated_text)
    for key, value in member.values.items():
        set_key(document, key, float(f"{value:.6g}"))
    note = (f"Shipped at the non-implausible member least implausible over all {member.rows} "
            f"rows to the end of the backtest's {member.holdout} (I = "
            f"{member.implausibility:.2f}; `simulator ship --backtest`): the values below.")
    header = 0  # after calibrate's note, which ship recognises its files by
    while header < len(document.body) and isinstance(document.body[header][1],
                                                     tomlkit.items.Comment):
        header += 1
    for line in reversed(textwrap.wrap(note, 88)):
        document.body.insert(header, (None, tomlkit.comment(line)))
    return tomlkit.dumps(document)
