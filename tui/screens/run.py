"""Run: the open scenario simulated in a worker, drawn month by month.

The worker calls the simulator (`simulator.model.run_scenario`) and posts typed messages:
progress (which replace each other, like toolong's scan progress), then finished, failed or
cancelled. Charts of users, share and revenue per firm follow the run live, for all
markets or one region. The report is written with the simulator's own `write_report`.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ProgressBar, Select, Static
from textual.worker import get_current_worker

if TYPE_CHECKING:
    import pandas as pd

from tui import i18n
from tui.i18n import N_, _
from tui.screens.base import MainScreen
from tui.widgets.chart import LineChart

CHARTS = (("users", N_("Users")), ("share", N_("Share of users")),
          ("revenue", N_("Revenue per month, USD")), ("cash", N_("Cash, USD")))
REDRAW_SECONDS = 0.25
"""Charts redraw at most this often while a run streams months (keeps frames short)."""
PROGRESS_SECONDS = 0.05
"""The worker reports progress at most this often (20 frames a second is smooth)."""


class RunProgress(Message):
    """Months done so far, with the rows of the months since the last message."""

    def __init__(self, month: int, months: int, rows: pd.DataFrame | None) -> None:
        super().__init__()
        self.month, self.months, self.rows = month, months, rows

    def can_replace(self, message: Message) -> bool:
        """A newer count replaces an older one still queued, unless it carries rows."""
        return isinstance(message, RunProgress) and message.rows is None and self.rows is None


class RunFinished(Message):
    """The run ended and its report was written."""

    def __init__(self, report: Path, timeseries: pd.DataFrame) -> None:
        super().__init__()
        self.report, self.timeseries = report, timeseries


class RunFailed(Message):
    """The run stopped with an error (shown, never raised in the UI)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RunCancelled(Message):
    """The user cancelled the run."""


def lower_thread_priority(niceness: int = 10) -> None:
    """Let the OS prefer the UI thread over this one (Linux threads have their own nice).

    The model holds the GIL while it computes; on a busy machine the UI thread, once the
    GIL is handed over, must also get a CPU at once, or the screen stutters.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError):
        pass  # not Linux, or not allowed: the run is still correct, just less smooth


class RunScreen(MainScreen):
    """Progress, region choice and live charts of the running scenario."""

    MODE = "run"
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("c,escape", "cancel", N_("Cancel run"), id="run.cancel"),
        Binding("g", "next_region", N_("Next region"), id="run.region"),
    ]

    month: reactive[int] = reactive(0)
    months: reactive[int] = reactive(0)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[pd.DataFrame] = []
        self.timeseries: pd.DataFrame | None = None
        self.market_region = "all"
        self.status_text = ""
        self.last_draw = 0.0

    def compose_body(self) -> ComposeResult:
        """Status, progress, region and three charts."""
        yield Static(_("Press r to run the open scenario."), id="run-status", classes="banner")
        with Horizontal(classes="toolbar"):
            yield ProgressBar(id="run-progress", show_eta=False)
            yield Select([(_("All markets"), "all")], id="run-region", allow_blank=False,
                         compact=True)
        with Grid(id="run-charts"):
            for key, _label in CHARTS:
                yield LineChart(id=f"run-{key}")

    def on_mount(self) -> None:
        """Show the last run, if any."""
        super().on_mount()
        self.after_recompose()

    def after_recompose(self) -> None:
        """Redraw status and charts (after a language change too)."""
        if self.status_text:
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

    def set_status(self, text: str) -> None:
        """The line above the progress bar."""
        self.status_text = text
        self.query_one("#run-status", Static).update(text)

    def start_run(self) -> None:
        """Run the workspace's scenario, unless a run is going or the scenario has problems."""
        draft = self.strategy_app.workspace.draft
        if any(w.group == "run" and not w.is_finished for w in self.workers):
            self.notify(_("A run is already going; cancel it first."), severity="warning")
            return
        if draft is None or draft.scenario is None:
            return  # the app checks before it switches here
        scenario = draft.scenario
        self.rows, self.timeseries = [], None
        self.months, self.month = scenario.months, 0
        self.set_status(_("Running {name}: press c to cancel.").format(name=scenario.name))
        self.run_scenario(scenario, self.strategy_app.workspace.reports_dir)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run",
          description="run scenario")
    def run_scenario(self, scenario: object, reports_dir: Path) -> None:
        """Simulate off the UI thread; report through messages only."""
        from simulator.run import run_scenario
        from simulator.run_report import write_report
        from tui import reports  # noqa: F401 - pandas is imported here, not on the UI thread

        lower_thread_priority()
        worker = get_current_worker()
        last_post = [0.0]

        def progress(month: int, months: int, partial: object = None) -> None:
            # At most PROGRESS_SECONDS apart (and the last month): a fast model would
            # otherwise flood the UI with a message per month.
            now = time.monotonic()
            if month < months and now - last_post[0] < PROGRESS_SECONDS:
                return
            last_post[0] = now
            # The simulator may hand over the months so far (a table, or a callable giving
            # one) for live charts; with counts only, the charts fill when the run ends.
            table = partial() if callable(partial) else partial
            frame = table.to_pandas() if hasattr(table, "to_pandas") else None
            self.post_message(RunProgress(month, months, frame))

        try:
            result = run_scenario(scenario, progress_callback=progress,
                                  cancel=lambda: worker.is_cancelled)
            if result.cancelled:
                self.post_message(RunCancelled())
                return
            out_dir = reports_dir / result.run_id  # where `simulator run` puts it under runs/
            write_report(result, out_dir)
        except Exception as error:  # noqa: BLE001 - any model error is shown, never a crash
            self.post_message(RunFailed(f"{type(error).__name__}: {error}"))
            return
        self.post_message(RunFinished(out_dir, result.timeseries.to_pandas()))

    def on_run_progress(self, message: RunProgress) -> None:
        """Advance the bar; redraw charts now and then."""
        self.months, self.month = message.months, message.month
        if message.rows is not None and len(message.rows):
            self.rows.append(message.rows)
            if time.monotonic() - self.last_draw >= REDRAW_SECONDS:
                import pandas as pd

                self.timeseries = pd.concat(self.rows, ignore_index=True)
                self.rows = [self.timeseries]
                self.fill_regions()
                self.draw()

    def on_run_finished(self, message: RunFinished) -> None:
        """Show the whole run and open its report."""
        self.timeseries, self.rows = message.timeseries, [message.timeseries]
        self.month = self.months
        self.strategy_app.workspace.report_path = message.report
        self.set_status(_("Done: the report is written. Press 3 for results."))
        self.notify(str(message.report), title=_("Report written"))
        self.fill_regions()
        self.draw()

    def on_run_failed(self, message: RunFailed) -> None:
        """Say why the run stopped."""
        self.set_status(_("The run failed: {error}").format(error=message.error))
        self.notify(message.error, severity="error", title=_("Run failed"))

    def on_run_cancelled(self, _message: RunCancelled) -> None:
        """Say the run was cancelled; nothing was written."""
        self.set_status(_("Cancelled at month {month}; no report written.").format(
            month=i18n.fmt_number(self.month)))

    def action_cancel(self) -> None:
        """Cancel the running scenario."""
        running = [w for w in self.workers if w.group == "run" and not w.is_finished]
        for worker in running:
            worker.cancel()
        if not running:
            self.notify(_("No run is going."))

    def region_countries(self) -> set[str] | None:
        """Countries of the chosen region (None for all markets), as the report assigns them."""
        if self.market_region == "all" or self.timeseries is None or (
                "region" not in self.timeseries):
            return None
        rows = self.timeseries[self.timeseries["region"] == self.market_region]
        return set(rows["country"])

    def fill_regions(self) -> None:
        """Offer the regions that hold a market of the run."""
        select = self.query_one("#run-region", Select)
        if self.timeseries is None:
            return
        names = sorted(self.timeseries["region"].dropna().unique()) if (
            "region" in self.timeseries) else []
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
        """Users, share and revenue per firm over months."""
        self.last_draw = time.monotonic()
        countries = self.region_countries()
        for key, label in CHARTS:
            series = {}
            if self.timeseries is not None:
                from tui.reports import firm_series

                series = firm_series(self.timeseries, None, key, countries)
            self.query_one(f"#run-{key}", LineChart).show_series(
                _(label), {firm: (s.index, s.values) for firm, s in series.items()}, _("month"))
