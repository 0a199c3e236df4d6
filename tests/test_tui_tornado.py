"""The Advice screen's tornado: what the top move's gain depends on, from a real advice folder.

The tests' tiny scenario with two uncertain parameters, advised for Frontier over three
futures with two moves: the screen's tornado holds the bars `simulator.advice.tornado`
computes from the folder's files, largest swing on top, with a titled axis in $M.
"""

from __future__ import annotations

import re

import pytest
from rich.console import Console
from test_tui_support import SIZE, english_afterwards, write_workspace  # noqa: F401 - fixture
from textual.widgets import Select, TabbedContent

from simulator.advice.advise import advise
from simulator.advice.tornado import from_folder
from tui.app import StrategyApp
from tui.widgets.tornado_chart import TornadoChart

MOVES = """\
[[moves]]
name = "eu-now"
overrides = { "firms.Frontier.strategy.localise" = [{ region = "eu", start_month = 0 }] }
"""
UNCERTAIN = """
[uncertain]
beta_quality = [1.0, 6.0]
"compute.gpu_usd_per_hour" = [1.5, 4.0]
"""


@pytest.fixture(scope="module")
def advised(tmp_path_factory):
    workspace = write_workspace(tmp_path_factory.mktemp("tornado"))
    text = workspace["scenario"].read_text(encoding="utf-8")
    # [uncertain] before the first [[firms]] table, where top-level tables may stand.
    head, firms = text.split("[[firms]]", 1)
    workspace["scenario"].write_text(head + UNCERTAIN + "\n[[firms]]" + firms, "utf-8")
    moves = workspace["user_dir"] / "moves.toml"
    moves.write_text(MOVES, encoding="utf-8")
    out = workspace["reports_dir"] / "advice-frontier"
    advise(workspace["scenario"], "Frontier", out, moves_file=moves, samples=3, workers=1,
           console=Console(quiet=True))
    return workspace, out


@pytest.mark.slow
async def test_the_tornado_shows_the_folders_bars_largest_on_top(advised):
    workspace, out = advised
    expected = from_folder(out)
    assert expected.move == "eu-now" and expected.members == 3
    assert {b.parameter for b in expected.bars} <= {"beta_quality", "compute.gpu_usd_per_hour"}
    app = StrategyApp(home=workspace["home"], scenario=workspace["scenario"],
                      profile=workspace["profile"], user_dir=workspace["user_dir"],
                      reports_dir=workspace["reports_dir"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await pilot.pause()
        # The picker names the advice: scenario, firm, dates and months, futures, when made.
        options = [str(prompt) for prompt, _value in
                   app.screen.query_one("#advice-folder", Select)._options]
        assert any(re.fullmatch(r"tiny duel · Frontier · 2022-11–2023-04 \(6 months\) · "
                                r"3 futures · made \d{4}-\d{2}-\d{2} \d{2}:\d{2}", o)
                   for o in options), options
        await pilot.press("t", "t")  # drivers -> gains -> what the top move depends on
        await pilot.pause()
        tabs = app.screen.query_one("#advice-charts", TabbedContent)
        assert tabs.active == "advice-tornado-tab"
        chart = app.screen.query_one(TornadoChart)
        text = chart.render().plain
        assert "gain change vs status quo, low to high decile, $M (3 futures)" in text
        assert "What eu-now's gain depends on" in text
        lines = text.splitlines()
        rows = [next(i for i, line in enumerate(lines) if bar.parameter + " " in line)
                for bar in expected.bars]
        assert rows == sorted(rows), "the largest swing is not on top"
