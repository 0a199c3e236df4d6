"""Advice: the moves `simulator advise` ranked for a firm, their drivers, and "try this one".

Lists the advice folders under the reports folder (those with `advice.parquet` and
`advice.json`). The table is the ranking the terminal shows (NPV p10/p50/p90, probability
of beating the status quo, largest regret; * best expected, R robust); the panel below
shows the highlighted move's drivers and scenario edits. `e` sends the move to the
Scenarios screen as an edited scenario: the advice's scenario file with the move's edits
(and the horizon it was valued over) applied, unsaved, so it can be run or saved there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Select, Static

from tui import i18n
from tui.i18n import N_, _
from tui.modes import screen_class
from tui.scenario_form import DraftError, ScenarioDraft
from tui.screens.base import MainScreen

ADVICE_FILES = ("advice.parquet", "advice.json")


@dataclass(frozen=True)
class AdviceFolder:
    """One advice folder read: its summary (advice.json) and ranking rows (advice.parquet)."""

    path: Path
    summary: dict
    rows: list[dict]

    @classmethod
    def read(cls, path: Path) -> AdviceFolder:
        """Read a folder written by `simulator advise`."""
        import pyarrow.parquet as pq

        summary = json.loads((path / "advice.json").read_text(encoding="utf-8"))
        return cls(path, summary, pq.read_table(path / "advice.parquet").to_pylist())


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
    from simulator.overrides import set_key

    draft = ScenarioDraft.open(Path(advice.summary["scenario"]["path"]))
    edits = json.loads(row["overrides"])
    if draft.doc.get("months", 120) != advice.summary["horizon_months"]:
        edits["months"] = advice.summary["horizon_months"]
    for key, value in edits.items():
        set_key(draft.doc, key, _inline(value))
    draft.dirty = bool(edits)
    draft.validate()
    return draft


class AdviceScreen(MainScreen):
    """Advice picker, ranking table, the highlighted move's drivers."""

    AUTO_FOCUS = "#advice-table"
    # The ranking takes the room left; the highlighted move's drivers stay in view below it.
    DEFAULT_CSS = """
    #advice-table { height: 1fr; }
    #advice-drivers { height: auto; max-height: 9; padding: 0 1; border-top: solid $primary; }
    """
    BINDINGS = [
        Binding("e", "edit_move", N_("Edit as scenario"), id="advice.edit"),
        Binding("ctrl+r", "reload", N_("Reload"), id="advice.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.folders: list[Path] = []
        self.advice: AdviceFolder | None = None

    def compose_body(self) -> ComposeResult:
        """Picker and summary on top; the ranking; the drivers of the highlighted move."""
        with Horizontal(classes="toolbar"):
            yield Select([], prompt=_("Advice"), id="advice-folder", compact=True)
        yield Static(id="advice-summary", classes="banner")
        yield DataTable(id="advice-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="advice-drivers")

    def on_mount(self) -> None:
        """Find the advice folders and open the newest."""
        super().on_mount()
        self.action_reload()

    def after_recompose(self) -> None:
        """Refill after a language change."""
        self.action_reload()

    def action_reload(self) -> None:
        """List the advice folders again and show the first."""
        self.folders = find_advice(self.strategy_app.workspace.reports_dir)
        picker = self.query_one("#advice-folder", Select)
        picker.set_options([(str(p), i) for i, p in enumerate(self.folders)])
        if not self.folders:
            self.query_one("#advice-summary", Static).update(
                _("No advice yet: run `simulator advise SCENARIO --firm NAME --out "
                  "runs/advice`."))
            return
        picker.value = 0
        self.show(0)

    @on(Select.Changed, "#advice-folder")
    def folder_chosen(self, event: Select.Changed) -> None:
        """Show the chosen advice."""
        if isinstance(event.value, int):
            self.show(event.value)

    def show(self, index: int) -> None:
        """Read one advice folder into the summary and the table."""
        try:
            self.advice = advice = AdviceFolder.read(self.folders[index])
        except (OSError, ValueError, KeyError) as error:
            self.notify(str(error), severity="error", title=_("Cannot open"))
            return
        summary = advice.summary
        self.query_one("#advice-summary", Static).update(
            _("{firm} in {scenario}: {moves} moves x {members} members over {months} months. "
              "Best expected: {best}; robust (least maximum regret): {robust}.").format(
                firm=summary["firm"], scenario=summary["scenario"]["name"],
                moves=i18n.fmt_number(summary["moves"]),
                members=i18n.fmt_number(summary["ensemble"]["members"]),
                months=i18n.fmt_number(summary["horizon_months"]),
                best=summary["best_expected"], robust=summary["robust"]))
        table = self.query_one("#advice-table", DataTable)
        table.clear(columns=True)
        table.add_columns("", _("Move"), _("NPV p10"), _("NPV p50"), _("NPV p90"),
                          _("Beats status quo"), _("Max regret"))
        for row in advice.rows:
            mark = ("*" if row["best_expected"] else "") + ("R" if row["robust"] else "")
            beats = row["p_beats_status_quo"]
            table.add_row(mark, row["move"], *(i18n.fmt_money(row[k], compact=True) for k in
                                               ("npv_p10", "npv_p50", "npv_p90")),
                          "-" if beats is None or beats != beats else i18n.fmt_percent(beats),
                          i18n.fmt_money(row["max_regret"], compact=True), key=row["move"])
        self.show_drivers(0)

    @on(DataTable.RowHighlighted, "#advice-table")
    def move_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Open the highlighted move's drivers."""
        self.show_drivers(event.cursor_row)

    def show_drivers(self, index: int) -> None:
        """The drivers and edits of the move in row `index`."""
        if self.advice is None or not 0 <= index < len(self.advice.rows):
            return
        row = self.advice.rows[index]
        edits = json.loads(row["overrides"])
        lines = [f"[b]{row['move']}[/b]: {row['description']}", row["drivers"],
                 _("Scenario edits:") + " " + (", ".join(f"{k} = {v}" for k, v in edits.items())
                                              or _("none"))]
        if index == 0 and self.advice.summary["discovery"]["box"] is not None:
            box = self.advice.summary["discovery"]["box"]
            lines.append(_("Loses mostly where: {ranges}").format(ranges="; ".join(
                f"{n} {box['limits'][n][0]:.3g}..{box['limits'][n][1]:.3g}"
                for n in box["restricted"]) or "-"))
        self.query_one("#advice-drivers", Static).update("\n".join(lines))

    async def action_edit_move(self) -> None:
        """Open the highlighted move as an edited scenario on the Scenarios screen."""
        table = self.query_one("#advice-table", DataTable)
        if self.advice is None or not self.advice.rows:
            return
        row = self.advice.rows[table.cursor_row]
        try:
            draft = draft_for_move(self.advice, row)
        except (DraftError, ValueError) as error:
            self.notify(str(error), severity="error", title=_("Cannot open"))
            return
        workspace = self.strategy_app.workspace
        workspace.draft, workspace.scenario_path = draft, draft.path
        await self.app.switch_mode("scenarios")
        if isinstance(self.app.screen, screen_class("scenarios")):
            await self.app.screen.show_draft()
        self.notify(_("{move}: the scenario with this move's edits, not saved yet.").format(
            move=row["move"]))
