"""Advice folders as the TUI reads them: the summary, the ranking, every future's gain.

A folder is what `simulator advise --out` (or the Advice screen's run) writes:
`advice.json`, `advice.parquet`, `members.parquet`. `draft_for_move` turns one ranked move
into the advice's scenario with the move's edits applied, for the Scenarios form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from simulator.advice.labels import STATUS_QUO
from tui.data.scenario_form import ScenarioDraft

ADVICE_FILES = ("advice.parquet", "advice.json", "members.parquet")


@dataclass(frozen=True)
class AdviceFolder:
    """One advice folder read: its summary (advice.json) and ranking rows (advice.parquet)."""

    path: Path
    summary: dict
    rows: list[dict]
    gains: dict[str, list[float]]  # move -> its NPV less the status quo's, per member (USD)
    start_date: str  # the scenario's month 1 (YYYY-MM), so "month 12" reads as a date
    tornado: object  # what the top move's gain depends on (simulator.advice.tornado), or None
    decision_month: int = 1  # the model month the firm decides in (advice.json)

    @classmethod
    def read(cls, path: Path) -> AdviceFolder:
        """Read a folder written by `simulator advise`."""
        import pyarrow.parquet as pq

        from simulator.advice.tornado import from_folder

        summary = json.loads((path / "advice.json").read_text(encoding="utf-8"))
        members = pq.read_table(path / "members.parquet", columns=["move", "member", "npv"])
        npv = members.to_pandas().pivot(index="member", columns="move", values="npv")
        gains = npv.sub(npv[STATUS_QUO], axis=0)  # common random numbers: paired by member
        return cls(path, summary, pq.read_table(path / "advice.parquet").to_pylist(),
                   {move: gains[move].tolist() for move in gains.columns},
                   _start_date(Path(summary["scenario"]["path"])), from_folder(path),
                   int(summary.get("decision_month", 1)))


def folder_label(path: Path) -> str:
    """The picker's line for an advice folder: scenario, firm, dates, futures, when made."""
    from tui.data.run_labels import advice_label

    try:
        summary = json.loads((path / "advice.json").read_text(encoding="utf-8"))
        return advice_label(summary, _start_date(Path(summary["scenario"]["path"])), path)
    except (OSError, ValueError, KeyError, TypeError):
        return path.name  # unreadable: opening it says why


def _start_date(scenario: Path) -> str:
    """The scenario's start_date as its file states it (the model's default if it does not)."""
    import tomllib

    from simulator.scenario import Scenario

    try:
        written = tomllib.loads(scenario.read_text(encoding="utf-8")).get("start_date")
    except (OSError, ValueError):
        written = None
    return written if isinstance(written, str) else Scenario.model_fields["start_date"].default


def find_advice(root: Path) -> list[Path]:
    """Advice folders in `root` and one level below, newest first."""
    if not root.is_dir():
        return []
    found = [p for p in (root, *root.iterdir(), *root.glob("*/*"))
             if p.is_dir() and all((p / name).is_file() for name in ADVICE_FILES)]
    return sorted(found, key=lambda p: (-(p / "advice.json").stat().st_mtime, str(p)))


def _inline(value: object) -> object:
    """A list of tables as one inline array (`localise = [{ ... }]`), as scenarios write it."""
    import tomlkit

    if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
        return value
    array = tomlkit.array()
    for item in value:
        table = tomlkit.inline_table()
        table.update(item)
        array.append(table)
    return array


def draft_for_move(advice: AdviceFolder, row: dict) -> ScenarioDraft:
    """The advice's scenario file with the move's edits applied, as an unsaved draft."""
    from simulator.scenario.overrides import set_key

    draft = ScenarioDraft.open(Path(advice.summary["scenario"]["path"]))
    edits = json.loads(row["overrides"])
    if draft.doc.get("months", 120) != advice.summary["horizon_months"]:
        edits["months"] = advice.summary["horizon_months"]
    for key, value in edits.items():
        set_key(draft.doc, key, _inline(value))
    draft.dirty = bool(edits)
    draft.validate()
    return draft
