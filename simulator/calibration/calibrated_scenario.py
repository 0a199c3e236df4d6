"""The calibrated scenario file: the user's scenario, comments kept, set to what matched.

Written with tomlkit so every comment and the key order of the original survive. The
parameters take the values of the non-implausible point with the lowest implausibility
(one representative for single runs; the ensemble is the whole set, see
`simulator.calibration.ensemble`), and the uncertain ranges shrink to the box that holds
the non-implausible points, so a sweep on the calibrated file samples where history
allows. When no point is non-implausible the file says so and keeps the original ranges.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import tomlkit

from hub.atomic import write_text


def write_calibrated(scenario_file: Path, path: Path, ranges: dict[str, tuple[float, float]],
                     history: pd.DataFrame, kept: pd.DataFrame, metadata: dict) -> None:
    """Write the calibrated copy of `scenario_file` to `path`."""
    document = tomlkit.parse(scenario_file.read_text(encoding="utf-8"))
    settings = metadata["settings"]
    note = (f"Calibrated by `simulator calibrate` to the observations of "
            f"{metadata['observations']['path']} up to {settings['until']} ({settings['waves']} "
            f"waves, {len(history)} points x {settings['replicates']} seeds, rule "
            f"{settings['rule']}, cut-off {settings['cutoff']}): ")
    if kept.empty:
        document.body.insert(0, (None, tomlkit.comment(
            note + "no point was non-implausible; parameters and ranges are the original's, "
                   "a finding, not a calibration.")))
        write_text(path, tomlkit.dumps(document))
        return
    best = kept.loc[kept["implausibility"].idxmin()]
    parameters = document.setdefault("parameters", tomlkit.table())
    uncertain = document.setdefault("uncertain", tomlkit.table())
    for key in ranges:
        name = key.removeprefix("parameters.")
        parameters[name] = float(f"{best[key]:.6g}")
        low, high = float(kept[key].min()), float(kept[key].max())
        if high > low:
            uncertain[name] = [float(f"{low:.6g}"), float(f"{high:.6g}")]
    document.body.insert(0, (None, tomlkit.comment(
        note + f"{len(kept)} non-implausible points; [parameters] holds the least implausible "
               f"(I = {best['implausibility']:.2f}), [uncertain] the box of all of them.")))
    write_text(path, tomlkit.dumps(document))
