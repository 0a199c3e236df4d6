"""Advice run from the TUI with Textual's Pilot: the engine for real, on the tiny scenario.

Two futures, three moves (the status quo and the first two generated for Frontier), six
months: the table must be the ranking the engine wrote, in the report's words and units,
the chart must hold every member's gain over the status quo, a cancelled run must stop
before its simulations and keep nothing half done, and the top move must open as an edited
scenario.
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from test_tui_support import SIZE, english_afterwards, write_workspace  # noqa: F401 - fixture
from textual.widgets import DataTable, ProgressBar, Select, Static

from simulator.advice.report import LABELS
from tui.app import StrategyApp
from tui.screens.advice import AdviceScreen
from tui.screens.scenarios import ScenariosScreen
from tui.widgets.advice_run import AdviceRun
from tui.widgets.gain_chart import GainChart


@pytest.fixture()
def workspace(tmp_path):
    return write_workspace(tmp_path)


def app_for(workspace) -> StrategyApp:
    return StrategyApp(**workspace)


async def choose(pilot, members: int = 2, months: int = 6, moves: int = 3) -> AdviceScreen:
    """Go to the Advice screen and pick Frontier, a tiny ensemble and a short horizon."""
    await pilot.press("6")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AdviceScreen)
    for name, value in (("firm", "Frontier"), ("members", members), ("months", months),
                        ("moves", moves)):
        screen.query_one(f"#advice-{name}", Select).value = value
    await pilot.pause()
    return screen


def status(screen) -> str:
    return str(screen.query_one("#advice-status", Static).render())


@pytest.mark.slow
async def test_advice_runs_ranks_charts_and_opens_the_top_move(workspace):
    app = app_for(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await choose(pilot)
        assert "No advice yet" in str(screen.query_one("#advice-summary", Static).render())
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Done" in status(screen), status(screen)
        bar = screen.query_one("#advice-progress", ProgressBar)
        assert bar.total == 6 and bar.progress == 6  # 3 moves x 2 futures

        folder = screen.advice.path
        assert folder.parent == workspace["reports_dir"] / "advice"
        ranking = pq.read_table(folder / "advice.parquet").to_pylist()
        table = screen.query_one("#advice-table", DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == [
            r["move"] for r in ranking]
        assert len(ranking) == 3
        headers = [str(c.label).replace("\n", " ") for c in table.columns.values()]
        assert LABELS["npv_p10"] in headers and LABELS["p_beats_status_quo"] in headers
        first = table.get_row_at(0)
        assert first[2].startswith(("$", "-$"))  # money with its unit, not 40000000000.0
        status_quo = next(i for i, r in enumerate(ranking) if r["move"] == "status-quo")
        assert table.get_row_at(status_quo)[6] == "reference"

        # The chart holds each member's gain over the status quo (zero for the status quo).
        members = pq.read_table(folder / "members.parquet").to_pandas()
        npv = members.pivot(index="member", columns="move", values="npv")
        gains = screen.advice.gains
        assert gains["status-quo"] == [0.0, 0.0]
        move = ranking[0]["move"]
        assert gains[move] == pytest.approx(list(npv[move] - npv["status-quo"]))
        assert screen.query_one(GainChart).plt is not None

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ScenariosScreen)
        draft = app.workspace.draft
        assert draft.path == workspace["scenario"] and draft.scenario is not None
        assert draft.dirty == bool(json.loads(ranking[0]["overrides"]))


async def test_cancel_stops_the_advice_and_keeps_no_result(workspace):
    app = app_for(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await choose(pilot)
        await pilot.press("a")
        assert screen.query_one(AdviceRun).running
        assert "c cancels" in status(screen)
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Cancelled" in status(screen), status(screen)
        assert not screen.query_one(AdviceRun).running
        assert not list((workspace["reports_dir"]).glob("advice/*/advice.json"))
        assert screen.advice is None  # nothing to show: no advice was written
