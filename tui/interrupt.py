"""An interrupt signal cancels the work it interrupts, and the app says so.

SIGINT comes from `kill -INT`, a process manager, or Ctrl+C outside the app's raw terminal.

Python's default turns SIGINT into KeyboardInterrupt wherever the main thread is, which
ends the app at once with a running scenario dropped and nothing said. Instead, the first
interrupt cancels what runs (a scenario run, an advice) through the same path as its
cancel key, so its screen reports the cancel and nothing half-written is kept; the app
stays open. An interrupt with nothing running, or a second one while the cancel is under
way, quits with the shell's status for an interrupt, 130 (asking first about unsaved edits,
as ctrl+q does).
"""

from __future__ import annotations

import asyncio
import signal
import weakref

from textual.app import App

from tui.i18n import _

INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for a process ended by Ctrl+C
CANCELS = {"run": "action_cancel", "advice": "cancel"}
"""Worker group -> the method of the worker's node (screen or widget) that cancels it."""


def install(app: App) -> None:
    """Handle SIGINT with `interrupt(app)` while the app's event loop runs."""
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, interrupt, app)
    except (NotImplementedError, RuntimeError, ValueError):
        pass  # no signals here (Windows, or a loop outside the main thread): Python's default


def uninstall() -> None:
    """Give SIGINT back to Python's default (at app exit)."""
    try:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
    except (NotImplementedError, RuntimeError, ValueError):
        pass


def interrupt(app: App) -> None:
    """Cancel what runs and say so; with nothing new to cancel, quit with 130."""
    cancelled = app.__dict__.setdefault("_interrupted_workers", weakref.WeakSet())
    running = [w for w in app.workers if w.group in CANCELS and not w.is_finished
               and w not in cancelled]
    if not running:
        app.call_later(app.action_quit, INTERRUPTED)
        return
    for worker in running:
        cancelled.add(worker)
        getattr(worker.node, CANCELS[worker.group])()
    app.notify(_("Interrupted: cancelling what runs; nothing half-done is kept. Interrupt "
                 "again or press ctrl+q to quit."), severity="warning", timeout=10)
