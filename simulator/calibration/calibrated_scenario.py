"""The calibrated scenario file: the user's scenario, comments kept, set to what matched.

Written with tomlkit so every comment and the key order of the original survive. The
uncertain keys take the values of the non-implausible point with the lowest implausibility
(one representative for single runs; the ensemble is the whole set, see
`simulator.calibration.ensemble`), and the uncertain ranges shrink to the box that holds
the non-implausible points, so a sweep on the calibrated file samples where history
allows. When no point is non-implausible the file says so and keeps the original values.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import tomlkit

from plumbing.atomic import write_text
from simulator.scenario.overrides import parse_assignment


def set_key(document: Any, dotted: str, value: Any) -> None:
    """Set a dotted scenario key in a tomlkit document (firms by name or position)."""
    *parents, last = dotted.split(".")
    node = document
    for part in parents:
        if isinstance(node, list):  # an array of tables: firms by name or position
            node = (node[int(part)] if part.isdigit()
                    else next(item for item in node if item.get("name") == part))
        else:
            node = node.setdefault(part, tomlkit.table())
    node[last] = value


def write_calibrated(scenario_file: Path, path: Path, metadata: dict, history: pd.DataFrame,
                     kept: pd.DataFrame) -> None:
    """Write the calibrated copy of `scenario_file` to `path`."""
    document = tomlkit.parse(scenario_file.read_text(encoding="utf-8"))
    settings = metadata["settings"]
    note = (f"Calibrated by `simulator calibrate` to the observations of "
            f"{metadata['observations']['path']} up to {settings['until']} ({settings['waves']} "
            f"waves, {len(history)} points x {settings['replicates']} seeds, rule "
            f"{settings['rule']}, cut-off {settings['cutoff']}): ")
    if settings.get("skip"):
        note += f"left out: {', '.join(settings['skip'])}; "
    if settings.get("assignments"):

        note += f"with --set {' --set '.join(settings['assignments'])}; "
        for key, value in map(parse_assignment, settings["assignments"]):
            set_key(document, key, value)
    if kept.empty:
        _note(document, note + "no point was non-implausible; values and ranges are the "
                               "original's, a finding, not a calibration.")
        write_text(path, tomlkit.dumps(document))
        return
    best = kept.loc[kept["implausibility"].idxmin()]
    uncertain = document.setdefault("uncertain", tomlkit.table())
    for parameter in metadata["parameters"]:
        name = parameter["name"]
        set_key(document, name, float(f"{best[name]:.6g}"))
        low, high = float(kept[name].min()), float(kept[name].max())
        if high > low:
            uncertain[parameter["key"]] = [float(f"{low:.6g}"), float(f"{high:.6g}")]
    _note(document, note + f"{len(kept)} non-implausible points; the uncertain keys hold the "
                           f"least implausible (I = {best['implausibility']:.2f}), "
                           "[uncertain] the box of all.")
    write_text(path, tomlkit.dumps(document))


def _note(document: Any, text: str) -> None:
    """The calibration's note as comment lines at the top of the file."""
    for line in reversed(textwrap.wrap(text, 88)):
        document.body.insert(0, (None, tomlkit.comment(line)))
