"""SIGINT during a TUI run: the run is cancelled and said so; the app does not drop it.

The app runs headless in its own process, as a user's would, and starts a long run; the
test sends a real SIGINT. The first cancels the run (the run screen reports the cancel,
no report is written) and the app stays open; the second, with nothing left to cancel,
quits with 130, the status a shell gives a process ended by Ctrl+C.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_tui_support import write_workspace

ROOT = Path(__file__).parents[1]
DRIVER = """
import sys
from pathlib import Path
import tui.app
from tui.app import StrategyApp
from tui.cli import run_app

root, state = Path(sys.argv[1]), Path(sys.argv[1]) / "state"


class Watched(StrategyApp):
    CSS_PATH = Path(tui.app.__file__).with_name("app.tcss")  # not beside this driver

    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.action_run)
        self.set_interval(0.05, self.report)

    def report(self):
        running = sum(w.group == "run" and not w.is_finished for w in self.workers)
        screen = self.screen
        state.write_text(f"{running}|{getattr(screen, 'month', 0)}|"
                         f"{getattr(screen, 'status_text', '')}")


workspace = {k: Path(v) for k, v in zip(("user_dir", "scenario", "profile", "home",
                                          "reports_dir"), sys.argv[3:])}
raise SystemExit(run_app(Watched(locale="en", **workspace), headless=True))
"""


def wait_for(app, check, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert app.poll() is None, app.communicate()[0]  # ended before it should have
        time.sleep(0.02)
    raise AssertionError("timed out")


def state(root):
    try:
        running, month, status = (root / "state").read_text().split("|", 2)
    except (OSError, ValueError):
        return None
    return int(running), int(month), status


def test_sigint_cancels_a_running_scenario_and_a_second_one_quits_with_130(tmp_path):
    workspace = write_workspace(tmp_path)
    scenario = workspace["scenario"]
    scenario.write_text(scenario.read_text().replace("months = 6 ", "months = 600 "))
    paths = [str(workspace[k]) for k in ("user_dir", "scenario", "profile", "home",
                                         "reports_dir")]
    app = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path), "", *paths], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(app, lambda: (s := state(tmp_path)) and s[0] and s[1] > 0)
        app.send_signal(signal.SIGINT)
        running, month, status = wait_for(
            app, lambda: (s := state(tmp_path)) and not s[0] and "Cancelled" in s[2] and s)
        assert app.poll() is None, app.communicate()[0]  # still open after the cancel
        assert status == f"Cancelled at month {month}; no report written." and month < 600
        assert not list(workspace["reports_dir"].glob("*")) if \
            workspace["reports_dir"].exists() else True
        app.send_signal(signal.SIGINT)
        assert app.wait(timeout=60) == 130
        assert "Traceback" not in app.communicate()[0]
    finally:
        if app.poll() is None:
            os.kill(app.pid, signal.SIGKILL)
            app.wait()
