"""Country attractiveness for the World screen, computed in a spawned process. Free of Textual.

`simulator.reports.attractiveness.country_table` builds the model and runs the status quo once (a
few seconds for the shipped scenario): in a thread of the UI process it would hold the
interpreter lock and the screen would stutter, so it runs in a child process at a lower
priority, like `tui.simulation`'s runs and `tui.data.advice_job`'s advice. The advice it reads
is the newest folder under the reports folder written for the same firm and scenario file.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CHILD_NICENESS = 10  # the model yields the CPU to the UI


def newest_advice(reports: Path, scenario: Path, firm: str) -> Path | None:
    """The newest advice folder under `reports` for `firm` on the scenario file `scenario`."""
    from tui.data.advice_folder import find_advice

    for folder in find_advice(reports):
        try:
            summary = json.loads((folder / "advice.json").read_text(encoding="utf-8"))
            same = Path(summary["scenario"]["path"]).resolve() == scenario.resolve()
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if same and summary.get("firm") == firm:
            return folder
    return None


def compute(scenario: Path, firm: str, reports: Path):
    """(In the child) the firm's country table, with its newest advice where there is one."""
    from simulator.reports.attractiveness import advice_rows, country_table
    from simulator.run import load_scenario

    try:
        os.nice(CHILD_NICENESS)
    except (AttributeError, OSError):
        pass  # not POSIX, or not allowed: the same table, the UI may stutter more
    folder = newest_advice(reports, scenario, firm)
    rows = advice_rows(folder, firm) if folder is not None else None
    return country_table(load_scenario(scenario), firm, rows,
                         None if folder is None else str(folder))


def country_table_in_process(scenario: Path, firm: str, reports: Path):
    """`compute` in a spawned child; its errors (a bad file: InputError) are raised here."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(compute, scenario, firm, reports).result()
