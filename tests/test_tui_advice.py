"""The Advice screen driven with Textual's Pilot on a real `simulator advise` folder.

The advice is computed for the TUI tests' tiny scenario (two firms, three markets, six
months) with two moves of the Frontier firm and two ensemble members: the screen must show
the same ranking as advice.parquet, open a move's drivers, and send the move to the
Scenarios screen as an edited, unsaved scenario.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from rich.console import Console
from test_tui_support import SIZE, english_afterwards, write_workspace  # noqa: F401 - fixture
from textual.widgets import DataTable, Static

from simulator.advice.advise import advise
from tui.app import StrategyApp
from tui.screens.advice import AdviceScreen
from tui.screens.scenarios import ScenariosScreen

MOVES = """\
[[moves]]
name = "eu-now"
description = "localise for the EU at once"
overrides = { "firms.Frontier.strategy.localise" = [{ region = "eu", start_month = 0 }] }

[[moves]]
name = "cheaper"
overrides = { "firms.Frontier.strategy.pricing.usd_per_month" = 10.0 }
"""


@pytest.fixture(scope="module")
def advised(tmp_path_factory):
    workspace = write_workspace(tmp_path_factory.mktemp("advice"))
    moves = workspace["user_dir"] / "moves.toml"
    moves.write_text(MOVES, encoding="utf-8")
    out = workspace["reports_dir"] / "advice-frontier"
    advise(workspace["scenario"], "Frontier", out, moves_file=moves, samples=2, workers=1,
           console=Console(quiet=True))
    return workspace, out


def app_for(workspace) -> StrategyApp:
    return StrategyApp(home=workspace["home"], scenario=workspace["scenario"],
                       profile=workspace["profile"], user_dir=workspace["user_dir"],
                       reports_dir=workspace["reports_dir"])


@pytest.mark.slow
async def test_ranking_drivers_and_a_move_sent_to_the_scenarios_screen(advised):
    workspace, out = advised
    ranking = pq.read_table(out / "advice.parquet").to_pylist()
    app = app_for(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AdviceScreen)
        table = screen.query_one("#advice-table", DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == [
            r["move"] for r in ranking]
        summary = str(screen.query_one("#advice-summary", Static).render())
        assert "Frontier" in summary and "3 moves x 2 members" in summary
        row = next(i for i, r in enumerate(ranking) if r["move"] == "eu-now")
        table.move_cursor(row=row)
        await pilot.pause()
        drivers = str(screen.query_one("#advice-drivers", Static).render())
        assert "localise for the EU at once" in drivers
        assert "firms.Frontier.strategy.localise" in drivers
        # The drivers in the UI's language from the ranking's figures (tui.data.advice_text).
        from tui.data.advice_text import explain

        assert explain(ranking[row])[0] in drivers

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ScenariosScreen)
        draft = app.workspace.draft
        assert draft.path == workspace["scenario"] and draft.dirty and draft.problems == []
        frontier = draft.scenario.firms[0]
        assert [(p.region, p.start_month) for p in frontier.strategy.localise] == [("eu", 0)]
        assert "(modified)" in str(app.screen.query_one("#scenario-title", Static).render())
        # Nothing was written: the scenario file is as it was until the user saves.
        assert "localise" not in workspace["scenario"].read_text().split("Frontier")[1].split(
            "[[firms]]")[0]


async def test_no_advice_yet_says_how_to_make_one(tmp_path):
    workspace = write_workspace(tmp_path)
    app = app_for(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        assert "simulator advise" in str(app.screen.query_one("#advice-summary", Static).render())
