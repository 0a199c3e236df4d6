"""Advice: run it for a firm of the open scenario, or open one `simulator advise` wrote.

The run panel (`tui.widgets.advice_run`) picks the firm, the number of simulated futures,
the horizon and how many moves, and runs the advice in the background with progress and
cancel; the result is written under the reports folder like `simulator advise --out`.
Every advice folder there (`tui.data.advice_folder`) can be opened: the ranking in the HTML
report's words (`simulator.advice.labels.LABELS`) with units, each move's gain over the
status quo in every future (a strip chart), and the highlighted move's drivers. `e` sends
the move to the Scenarios screen as an edited scenario: the advice's scenario file with the
move's edits (and the horizon it was valued over) applied, unsaved, so it can be run or
saved there.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Select, Static, TabbedContent, TabPane

from tui import i18n
from tui.data.advice_folder import AdviceFolder, draft_for_move, find_advice, folder_label
from tui.data.scenario_form import DraftError
from tui.i18n import N_, _
from tui.modes import screen_class
from tui.screens.base import MainScreen
from tui.widgets.advice_run import AdviceRun
from tui.widgets.gain_chart import GainChart
from tui.widgets.tornado_chart import TornadoChart

MONEY_COLUMNS = ("npv_p10", "npv_p50", "npv_p90", "gain_p50")
HEADER_WIDTH = 16  # the report's labels wrap onto the table's three header lines


class AdviceScreen(MainScreen):
    """Run panel; advice picker; ranking table; the highlighted move's drivers and gains."""

    AUTO_FOCUS = "#advice-table"
    BINDINGS = [
        Binding("a", "run_advice", N_("Run advice"), id="advice.run"),
        Binding("c", "cancel_advice", N_("Cancel advice"), id="advice.cancel"),
        Binding("e", "edit_move", N_("Edit as scenario"), id="advice.edit"),
        Binding("t", "switch_chart", N_("Next panel"), id="advice.chart"),
        Binding("ctrl+r", "reload", N_("Reload"), id="advice.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.folders: list[Path] = []
        self.advice: AdviceFolder | None = None

    def compose_body(self) -> ComposeResult:
        """Run panel, picker and summary on top; the ranking; drivers and gains below."""
        yield AdviceRun()
        with Horizontal(classes="toolbar"):
            yield Select([], prompt=_("Advice"), id="advice-folder", compact=True)
        yield Static(id="advice-summary", classes="banner")
        yield DataTable(id="advice-table", cursor_type="row", zebra_stripes=True,
                        header_height=3)
        # Full-width panes: a chart at 100 columns keeps room for its labels.
        with TabbedContent(id="advice-charts"):
            with TabPane(_("Why (drivers)"), id="advice-drivers-tab"):
                yield Static(id="advice-drivers")
            with TabPane(_("Gain per future"), id="advice-gains-tab"):
                yield GainChart(id="advice-gains")
            with TabPane(_("What the top move depends on"), id="advice-tornado-tab"):
                yield TornadoChart(id="advice-tornado")

    def on_mount(self) -> None:
        """Offer the open scenario's firms; find the advice folders and open the newest."""
        super().on_mount()
        self.fill()

    def after_recompose(self) -> None:
        """Refill after a language change."""
        self.fill()

    def on_screen_resume(self) -> None:
        """The open scenario may have changed on another screen (a new firm)."""
        self.offer_firms()

    def fill(self) -> None:
        """The run panel's choices and the newest advice."""
        self.offer_firms()
        self.action_reload()

    def offer_firms(self) -> None:
        """The run panel offers the firms of the scenario open in the workspace."""
        draft = self.strategy_app.workspace.draft
        scenario = draft.scenario if draft is not None else None
        if scenario is None and self.strategy_app.workspace.scenario_path is not None:
            from simulator.run import load_scenario

            try:
                scenario = load_scenario(self.strategy_app.workspace.scenario_path)
            except Exception:  # noqa: BLE001 - a broken file is the Scenarios screen's to show
                scenario = None
        if scenario is not None:
            self.query_one(AdviceRun).set_scenario([f.name for f in scenario.firms],
                                                   scenario.months)

    def action_run_advice(self) -> None:
        """Run advice for the chosen firm on the open scenario file, in the background."""
        workspace, panel = self.strategy_app.workspace, self.query_one(AdviceRun)
        draft, path = workspace.draft, workspace.scenario_path
        if panel.running:
            self.notify(_("An advice is running; c cancels it."))
            return
        if path is None or (draft is not None and draft.dirty):
            self.notify(_("Save the scenario first: advice runs on the scenario file."),
                        severity="warning")
            return
        request = panel.request(path)
        if request is None:
            self.notify(_("Choose a firm and a horizon first."), severity="warning")
            return
        panel.start(request, request.folder(workspace.reports_dir))

    def action_cancel_advice(self) -> None:
        """Stop the running advice after the simulations already running."""
        if not self.query_one(AdviceRun).cancel():
            self.notify(_("No advice is running."))

    @on(AdviceRun.Finished)
    def advice_written(self, event: AdviceRun.Finished) -> None:
        """Open the advice just written (read by the worker)."""
        self.action_reload(event.folder, event.advice)
        self.notify(_("Advice written to {folder}.").format(folder=event.folder))

    @on(AdviceRun.Stopped)
    def advice_stopped(self, event: AdviceRun.Stopped) -> None:
        """A failure is shown where it happened: in the panel, and as a notification."""
        if event.error:
            self.notify(event.error, severity="error", title=_("Advice failed"))

    def action_reload(self, chosen: Path | None = None,
                      advice: AdviceFolder | None = None) -> None:
        """List the advice folders again and show `chosen` (default: the newest).

        `advice` is `chosen` already read.
        """
        root = self.strategy_app.workspace.reports_dir
        self.folders = find_advice(root)
        picker = self.query_one("#advice-folder", Select)
        # Each by its scenario, firm, dates, futures and when it was made.
        picker.set_options([(folder_label(p), i) for i, p in enumerate(self.folders)])
        if not self.folders:
            self.query_one("#advice-summary", Static).update(
                _("No advice yet: choose a firm above and press a (or run `simulator advise "
                  "SCENARIO --firm NAME --out runs/advice`)."))
            return
        index = self.folders.index(chosen) if chosen in self.folders else 0
        picker.value = index
        self.show(index, advice if chosen in self.folders else None)

    @on(Select.Changed, "#advice-folder")
    def folder_chosen(self, event: Select.Changed) -> None:
        """Show the chosen advice (not again when it is the one shown)."""
        if isinstance(event.value, int) and not (
                self.advice is not None and self.folders[event.value] == self.advice.path):
            self.show(event.value)

    def show(self, index: int, advice: AdviceFolder | None = None) -> None:
        """Read one advice folder (unless given) into the summary, the table and the chart."""
        from simulator.advice.labels import LABELS

        try:
            self.advice = advice = advice or AdviceFolder.read(self.folders[index])
        except (OSError, ValueError, KeyError) as error:
            self.notify(str(error), severity="error", title=_("Cannot open"))
            return
        summary = advice.summary
        self.query_one("#advice-summary", Static).update(escape(
            _("{firm} in {scenario}: {moves} moves x {members} members (simulated futures) "
              "over {months} months. "
              "Best expected (*): {best}; robust (R, least largest regret): {robust}.").format(
                firm=summary["firm"], scenario=summary["scenario"]["name"],
                moves=i18n.fmt_number(summary["moves"]),
                members=i18n.fmt_number(summary["ensemble"]["members"]),
                months=i18n.fmt_number(summary["horizon_months"]),
                best=summary["best_expected"], robust=summary["robust"])))
        table = self.query_one("#advice-table", DataTable)
        table.clear(columns=True)
        table.add_columns("", _("Move"), *(
            "\n".join(textwrap.wrap(_(LABELS[key]), HEADER_WIDTH)) for key in
            (*MONEY_COLUMNS, "p_beats_status_quo", "max_regret")))
        for rank, row in enumerate(advice.rows, start=1):
            mark = ("*" if row["best_expected"] else "") + ("R" if row["robust"] else "")
            beats = row["p_beats_status_quo"]
            table.add_row(f"{i18n.fmt_number(rank)} {mark}", row["move"],
                          *(i18n.fmt_money(row[k], compact=True) for k in MONEY_COLUMNS),
                          _("reference") if beats is None or beats != beats
                          else i18n.fmt_percent(beats, 0),
                          i18n.fmt_money(row["max_regret"], compact=True), key=row["move"])
        self.query_one(GainChart).show_gains(
            _("Gain over the status quo in each future (x: median)"),
            [row["move"] for row in advice.rows], advice.gains,
            _("move (rank in the table)"), _("NPV gain, $M"))
        self.show_tornado(advice)
        self.show_drivers(0)

    def show_tornado(self, advice: AdviceFolder) -> None:
        """What the top move's gain depends on, one bar per uncertain parameter."""
        found = advice.tornado
        notes = {"no uncertain parameters: the members differ only in their seeds":
                 _("no uncertain parameters: the futures differ only in their seeds"),
                 "no parameter varies across the members":
                 _("no parameter varies across the futures")}
        why = (_("only the status quo") if found is None else
               notes.get(found.note, _("too few futures for a slope")))
        empty = _("What the top move depends on: no bars ({why}).").format(why=why)
        # plotext drops a title or label wider than the plot: kept short.
        title = "" if found is None else _("What {move}'s gain depends on").format(
            move=found.move)
        xlabel = "" if found is None else _(
            "gain change vs status quo, low to high decile, $M ({members} futures)").format(
                members=i18n.fmt_number(found.members))
        self.query_one(TornadoChart).show_tornado(title, found, xlabel, empty)

    def action_switch_chart(self) -> None:
        """The next bottom panel: drivers, the gains per future, what the top move depends on."""
        tabs = self.query_one("#advice-charts", TabbedContent)
        panes = ("advice-drivers-tab", "advice-gains-tab", "advice-tornado-tab")
        tabs.active = panes[(panes.index(tabs.active) + 1) % len(panes)]

    @on(DataTable.RowHighlighted, "#advice-table")
    def move_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Open the highlighted move's drivers."""
        self.show_drivers(event.cursor_row)

    def show_drivers(self, index: int) -> None:
        """The description, drivers and edits of the move in row `index`."""
        from simulator.advice.labels import LABELS
        from tui.data.advice_text import describe, explain

        if self.advice is None or not 0 <= index < len(self.advice.rows):
            return
        row = self.advice.rows[index]
        edits = json.loads(row["overrides"])
        # In the UI's language, from the ranking's figures (the Parquet's sentences are English).
        description = describe(row, self.advice.start_date, self.advice.decision_month)
        lines = [f"[b]{escape(row['move'])}[/b]: {escape(description)}",
                 f"{_(LABELS['gain_p50'])}: {i18n.fmt_money(row['gain_p50'], compact=True)}",
                 *(escape(line) for line in explain(row)),
                 _("Scenario edits:") + " " + escape(", ".join(f"{k} = {v}" for k, v in
                                                               edits.items()) or _("none"))]
        if index == 0 and self.advice.summary["discovery"]["box"] is not None:
            box = self.advice.summary["discovery"]["box"]
            lines.append(escape(_("Loses mostly where: {ranges}").format(ranges="; ".join(
                f"{n} {box['limits'][n][0]:.3g}..{box['limits'][n][1]:.3g}"
                for n in box["restricted"]) or "-")))
        self.query_one("#advice-drivers", Static).update("\n".join(lines))

    def commands(self):
        """Palette commands of this screen."""
        from textual.app import SystemCommand

        yield SystemCommand(_("run: advice for the chosen firm"),
                            _("Rank its moves over simulated futures"), self.action_run_advice)
        yield SystemCommand(_("run: cancel the advice"), _("Stop after the running simulations"),
                            self.action_cancel_advice)

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
