"""Run: the open scenario simulated in a worker process, with progress, cancel and charts.

A thread worker waits on the app's simulation process (`tui.simulation`, which calls
`simulator.run.run_scenario` and `write_report`) and posts typed messages:
progress and live chart figures (each kind replacing its older messages still queued, like
toolong's scan progress, so a busy UI never falls behind), then finished, failed or
cancelled. Charts of users, share, revenue and cash per firm, for all markets or one
region, grow while the run goes (every few simulated months, summed in the worker
process) and show the whole run when it ends.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ProgressBar, Select, Static

from tui.i18n import N_, _
from tui.screens.base import MainScreen
from tui.simulation import Charts
from tui.widgets.chart import LineChart

CHARTS = (("users", N_("Users")), ("share", N_("Share of users")),
          ("revenue", N_("Revenue per month, USD")), ("cash", N_("Cash, USD")))


class RunProgress(Message):
    """Months done so far."""

    def __init__(self, month: int, months: int) -> None:
        super().__init__()
        self.month, self.months = month, months

    def can_replace(self, message: Message) -> bool:
        """A newer count replaces an older one still queued."""
        return isinstance(message, RunProgress)


class RunCharts(Message):
    """The chart figures of the months simulated so far (per region, metric and firm)."""

    def __init__(self, charts: Charts) -> None:
        super().__init__()
        self.charts = charts

    def can_replace(self, message: Message) -> bool:
        """Newer figures hold every month of older ones still queued."""
        return isinstance(message, RunCharts)


class RunFinished(Message):
    """The run ended and its report was written; `charts` hold its series per region."""

    def __init__(self, report: Path, charts: Charts) -> None:
        super().__init__()
        self.report, self.charts = report, charts


class RunFailed(Message):
    """The run stopped with an error (shown, never raised in the UI)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RunCancelled(Message):
    """The user cancelled the run."""


class RunScreen(MainScreen):
    """Progress, region choice and charts of the scenario run."""

    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("c,escape", "cancel", N_("Cancel run"), id="run.cancel"),
        Binding("g", "next_region", N_("Next region"), id="run.region"),
    ]

    month: reactive[int] = reactive(0)
    months: reactive[int] = reactive(0)

    def __init__(self) -> None:
        super().__init__()
        self.market_region = "all"
        self.cancel_requested = threading.Event()
        self.charts: Charts = {}
        self.status: tuple[str, dict[str, object]] | None = None

    def compose_body(self) -> ComposeResult:
        """Status, progress, region and four charts."""
        yield Static(_("Press r to run the open scenario."), id="run-status", classes="banner")
        with Horizontal(classes="toolbar"):
            yield ProgressBar(id="run-progress", show_eta=False)
            yield Select([(_("All markets"), "all")], id="run-region", allow_blank=False,
                         compact=True)
        with Grid(id="run-charts"):
            for key, _label in CHARTS:
                yield LineChart(id=f"run-{key}")

    def commands(self):
        """Palette commands of this screen."""
        from textual.app import SystemCommand

        yield SystemCommand(_("run: cancel"), _("Stop the running scenario"), self.action_cancel)

    def on_mount(self) -> None:
        """Show the last run, if any."""
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        """Redraw status and charts (after a language change too)."""
        if self.status is not None:
            self.query_one("#run-status", Static).update(self.status_text)
        self.watch_months(self.months)
        self.watch_month(self.month)
        self.fill_regions()
        self.draw()

    def watch_month(self, month: int) -> None:
        """Move the progress bar."""
        for bar in self.query("#run-progress").results(ProgressBar):
            bar.update(progress=month)

    def watch_months(self, months: int) -> None:
        """Size the progress bar."""
        for bar in self.query("#run-progress").results(ProgressBar):
            bar.update(total=months or None)

    @property
    def status_text(self) -> str:
        """The line above the progress bar, in the current language."""
        if self.status is None:
            return ""
        message, values = self.status
        return _(message).format(**values)

    def set_status(self, message: str, **values: object) -> None:
        """Set the line above the progress bar (kept untranslated for language changes)."""
        self.status = (message, values)
        self.query_one("#run-status", Static).update(self.status_text)

    def start_run(self) -> None:
        """Run the workspace's scenario, unless a run is going or the scenario has problems."""
        draft = self.strategy_app.workspace.draft
        if any(w.group == "run" and not w.is_finished for w in self.workers):
            self.notify(_("A run is already going; cancel it first."), severity="warning")
            return
        if draft is None or draft.scenario is None:
            return  # the app checks before it switches here
        scenario = draft.scenario
        self.charts = {}
        self.draw()  # the last run's charts go; this one's grow as it runs
        self.cancel_requested.clear()
        self.months, self.month = scenario.months, 0
        self.set_status(N_("Running {name}: press c to cancel."), name=scenario.name)
        self.run_scenario(scenario, self.strategy_app.workspace.reports_dir)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run",
          description="run scenario")
    def run_scenario(self, scenario: object, reports_dir: Path) -> None:
        """Simulate in the app's worker process; this thread only waits and relays."""
        try:
            outcome, folder, charts = self.strategy_app.simulation.run(
                scenario, reports_dir, tuple(key for key, _label in CHARTS),
                on_progress=lambda month, months: self.post_message(RunProgress(month, months)),
                cancelled=self.cancel_requested.is_set,
                on_charts=lambda charts: self.post_message(RunCharts(charts)))
        except Exception as error:  # noqa: BLE001 - any model error is shown, never a crash
            self.post_message(RunFailed(f"{type(error).__name__}: {error}"))
            return
        if outcome == "cancelled" or folder is None or charts is None:
            self.post_message(RunCancelled())
        else:
            self.post_message(RunFinished(Path(folder), charts))

    def on_run_progress(self, message: RunProgress) -> None:
        """Advance the bar."""
        self.months, self.month = message.months, message.month

    def on_run_charts(self, message: RunCharts) -> None:
        """Draw the months simulated so far (a late update of an ended run is dropped)."""
        if any(w.group == "run" and not w.is_finished for w in self.workers):
            self.charts = message.charts
            self.fill_regions()
            self.draw()

    def on_run_finished(self, message: RunFinished) -> None:
        """Show the whole run and open its report."""
        self.charts = message.charts
        self.month = self.months
        self.strategy_app.workspace.report_path = message.report
        self.set_status(N_("Done: the report is written. Press 3 for results."))
        self.notify(str(message.report), title=_("Report written"))
        self.fill_regions()
        self.draw()

    def on_run_failed(self, message: RunFailed) -> None:
        """Say why the run stopped."""
        self.set_status(N_("The run failed: {error}"), error=message.error)
        self.notify(message.error, severity="error", title=_("Run failed"))

    def on_run_cancelled(self, _message: RunCancelled) -> None:
        """Say the run was cancelled; nothing was written."""
        self.set_status(N_("Cancelled at month {month}; no report written."),
                        month=self.month)

    def action_cancel(self) -> None:
        """Cancel the running scenario (the worker ends once the model has stopped)."""
        if any(w.group == "run" and not w.is_finished for w in self.workers):
            self.cancel_requested.set()
        else:
            self.notify(_("No run is going."))

    def fill_regions(self) -> None:
        """Offer the regions that hold a market of the run."""
        select = self.query_one("#run-region", Select)
        names = sorted(name for name in self.charts if name != "all")
        options = [(_("All markets"), "all"), *[(name, name) for name in names]]
        if [value for _label, value in options] != [value for _label, value in
                                                     getattr(self, "_region_options", [])]:
            self._region_options = options
            with self.prevent(Select.Changed):
                select.set_options(options)
                known = [value for _label, value in options]
                select.value = self.market_region if self.market_region in known else "all"

    def on_select_changed(self, event: Select.Changed) -> None:
        """Chart another region."""
        if event.select.id == "run-region" and isinstance(event.value, str):
            self.market_region = event.value
            self.draw()

    def action_next_region(self) -> None:
        """Chart the next region."""
        options = [value for _label, value in getattr(self, "_region_options", [])]
        if options:
            at = options.index(self.market_region) if self.market_region in options else -1
            self.query_one("#run-region", Select).value = options[(at + 1) % len(options)]

    def draw(self) -> None:
        """Users, share, revenue and cash per firm over months, in the chosen region."""
        charts = self.charts.get(self.market_region, {})
        for key, label in CHARTS:
            self.query_one(f"#run-{key}", LineChart).show_series(
                _(label), charts.get(key, {}), _("month"))
