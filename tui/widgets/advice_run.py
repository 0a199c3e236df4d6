"""The Advice screen's run panel: whose moves, how many futures, how far; progress, cancel.

A thread worker (harlequin's query runner: `@work(thread=True, exclusive=True,
exit_on_error=False, group=..., description=...)`) waits on the advice's own process
(`tui.data.advice_job.advise_in_process`) and reports back with typed messages; progress
messages replace each other in the queue (toolong's scan progress), so a fast ensemble
never floods the screen. Cancel is an event the worker polls between two finished runs
(and the worker's own `is_cancelled`, set when the app closes).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Select, Static
from textual.worker import get_current_worker

from tui import i18n
from tui.data.advice_folder import AdviceFolder
from tui.data.advice_job import (
    HORIZON_CHOICES,
    MEMBER_CHOICES,
    MOVE_CHOICES,
    AdviceRequest,
    Progress,
    advise_in_process,
)
from tui.i18n import _


class AdviceRun(Vertical):
    """Firm, ensemble size, horizon and moves; the progress of the advice running."""

    @dataclass
    class Started(Message):
        """The moves are chosen: `total` simulations to run."""

        total: int

    @dataclass
    class Advanced(Message):
        """One more simulation finished."""

        progress: Progress

        def can_replace(self, message: Message) -> bool:
            """The newest progress is all that matters."""
            return isinstance(message, AdviceRun.Advanced)

    @dataclass
    class Finished(Message):
        """The advice is written to `folder`, and read (off the UI thread) as `advice`."""

        folder: Path
        advice: AdviceFolder | None = None

    @dataclass
    class Stopped(Message):
        """Cancelled (`error` empty) or failed with `error`; finished runs are kept."""

        folder: Path
        error: str = ""

    def __init__(self) -> None:
        super().__init__(id="advice-run")
        self.cancel_requested = threading.Event()
        self.firm = ""
        self.running = False

    def compose(self) -> ComposeResult:
        """Four pickers on one line; the bar and what it is doing below."""
        with Horizontal(classes="toolbar"):
            yield Select([], prompt=_("Firm"), id="advice-firm", compact=True)
            yield Select([(_("{n} futures").format(n=i18n.fmt_number(n)), n)
                          for n in MEMBER_CHOICES], value=4, allow_blank=False,
                         id="advice-members", compact=True)
            yield Select([], prompt=_("Horizon"), id="advice-months", compact=True)
            yield Select([(_("{n} moves").format(n=i18n.fmt_number(n)) if n else
                           _("every move"), n) for n in MOVE_CHOICES], value=5,
                         allow_blank=False, id="advice-moves", compact=True)
        with Horizontal(id="advice-progress-line"):
            yield ProgressBar(id="advice-progress", show_eta=False, classes="hidden")
            yield Static(_("a: run advice for the firm chosen."), id="advice-status")

    def set_scenario(self, firms: list[str], months: int) -> None:
        """Offer the open scenario's firms and horizons up to and including its own."""
        firm = self.query_one("#advice-firm", Select)
        firm.set_options([(name, name) for name in firms])
        if firms:
            firm.value = self.firm if self.firm in firms else firms[-1]
        horizons = sorted({*(h for h in HORIZON_CHOICES if h < months), months})
        picker = self.query_one("#advice-months", Select)
        picker.set_options([(_("{n} months").format(n=i18n.fmt_number(h)), h)
                            for h in horizons])
        picker.value = min(horizons, key=lambda h: abs(h - 24))  # two years: a strategy's view

    @on(Select.Changed, "#advice-firm")
    def firm_chosen(self, event: Select.Changed) -> None:
        """Remember the firm across a rebuild."""
        if isinstance(event.value, str):
            self.firm = event.value

    def request(self, scenario: Path) -> AdviceRequest | None:
        """What the pickers ask for on `scenario` (None while one is blank)."""
        values = [self.query_one(f"#advice-{name}", Select).value
                  for name in ("firm", "members", "months", "moves")]
        if any(value is Select.BLANK for value in values):
            return None
        firm, members, months, moves = values
        return AdviceRequest(scenario, str(firm), int(members), int(months), int(moves))

    def start(self, request: AdviceRequest, folder: Path) -> None:
        """Run the advice in the background."""
        self.cancel_requested.clear()
        self.running = True
        bar = self.query_one("#advice-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.remove_class("hidden")
        self.say(_("Choosing {firm}'s moves (its price search runs a few simulations); c "
                   "cancels.").format(firm=request.firm))
        self.advise(request, folder)

    def cancel(self) -> bool:
        """Ask the running advice to stop; False when none runs."""
        if not self.running:
            return False
        self.cancel_requested.set()
        self.say(_("Cancelling: the simulations already running finish first…"))
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="advice",
          description="advice")
    def advise(self, request: AdviceRequest, folder: Path) -> None:
        """The advice, off the UI thread; its outcome comes back as a message."""
        worker = get_current_worker()
        read: list[AdviceFolder | None] = [None]
        stopped = advise_in_process(
            request, folder, lambda total: self.post_message(self.Started(total)),
            lambda progress: self.post_message(self.Advanced(progress)),
            lambda: worker.is_cancelled or self.cancel_requested.is_set(),
            lambda advice: read.__setitem__(0, advice))
        if stopped is not None:
            self.post_message(self.Stopped(folder, stopped))
            return
        # The child read the folder (pandas, the tornado): none of it holds this process's
        # interpreter lock, which a loaded machine turned into UI stalls of up to 1 s
        # (benchmarks/bench_tui.py). The screen's words are imported here, off its thread.
        import tui.data.advice_text  # noqa: F401

        self.post_message(self.Finished(folder, read[0]))

    def say(self, text: str) -> None:
        """The status line."""
        self.query_one("#advice-status", Static).update(text)

    @on(Started)
    def runs_chosen(self, event: Started) -> None:
        """The bar gets its length."""
        self.query_one("#advice-progress", ProgressBar).update(total=event.total)

    @on(Advanced)
    def advanced(self, event: Advanced) -> None:
        """Move the bar; say how many runs are left and about how long they take."""
        progress = event.progress
        self.query_one("#advice-progress", ProgressBar).update(total=progress.total,
                                                               progress=progress.done)
        if self.cancel_requested.is_set():
            return
        eta = progress.eta_s
        self.say(_("{done} of {total} simulations; {left} left. c cancels.").format(
            done=i18n.fmt_number(progress.done), total=i18n.fmt_number(progress.total),
            left=_("time") if eta is None else i18n.fmt_duration(eta)))

    @on(Finished)
    @on(Stopped)
    def ended(self, event: Message) -> None:
        """Ready for the next one; say how this one ended (the screen shows the result)."""
        self.running = False
        if isinstance(event, self.Stopped):
            self.say(_("Failed: {error}").format(error=event.error) if event.error else
                     _("Cancelled; the finished simulations are kept: a to resume."))
        else:
            self.say(_("Done. a: run again with other choices."))
