"""Comparisons that say what they compare (Pilot, Results screen).

Two runs of the tests' tiny scenario, six and four months: each picker entry names the
scenario, the firms, the date range and months and when it was made; the pair is compared
over the four months both have (and the banner says so: the KPIs are those of month 4 of
the six-month run, not of its end); a share's change is in percentage points.
"""

from __future__ import annotations

import re

import pytest
from test_tui_support import SIZE, english_afterwards, write_workspace  # noqa: F401
from textual.widgets import DataTable, Select, Static

from simulator.reports.aggregates import final_kpis
from simulator.run import load_scenario, run_scenario
from simulator.run.report import write_report
from tui.app import StrategyApp


@pytest.fixture()
def two_horizons(tmp_path):
    workspace = write_workspace(tmp_path)
    scenario = load_scenario(workspace["scenario"])
    runs = {}
    for months in (6, 4):
        result = run_scenario(scenario, months=months)
        runs[months] = workspace["reports_dir"] / result.run_id
        write_report(result, runs[months])
    return workspace, runs


async def test_pickers_name_what_they_hold_and_different_horizons_share_months(two_horizons):
    import pandas as pd

    workspace, runs = two_horizons
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        labels = screen.labels
        assert len(labels) == 2 and labels[0] != labels[1]
        for label in labels:
            assert label.startswith("tiny duel · Frontier, Challenger · 2022-11–")
            assert re.search(r"made \d{4}-\d{2}-\d{2} \d{2}:\d{2} · seed 7$", label)
        assert {"2022-11–2023-04 (6 months)" in labels[i] for i in (0, 1)} == {True, False}
        # A: the six-month run, B: the four-month one.
        six = next(i for i, label in enumerate(labels) if "(6 months)" in label)
        four = 1 - six
        screen.query_one("#results-a", Select).value = str(six)
        screen.query_one("#results-b", Select).value = str(four)
        await pilot.pause()
        banner = str(screen.query_one("#results-status", Static).render())
        assert "Different horizons: compared over the first 4 months of each" in banner
        assert "A 2022-11–2023-04 (6 months); B 2022-11–2023-02 (4 months)" in banner
        table = screen.query_one("#results-kpis", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        # The same seed and scenario over the same 4 months: nothing differs.
        for row in rows:
            assert row[2] == row[3], row
        share = next(r for r in rows if r[0] == "Frontier" and r[1] == "Share of users")
        assert share[4] == "+0.0 pp"
        # A's figures are those of its month 4, not of its last month.
        months = pd.read_parquet(runs[6] / "firm_months.parquet")
        at_four = final_kpis(months[months["month"] <= 4]).droplevel("run_id")
        at_end = final_kpis(months).droplevel("run_id")
        users = next(r for r in rows if r[0] == "Frontier" and r[1] == "Users")
        from tui.screens.results import format_kpi

        assert users[2] == format_kpi("users", at_four.at["Frontier", "users"])
        assert at_four.at["Frontier", "users"] != at_end.at["Frontier", "users"]


def test_a_share_change_is_in_percentage_points():
    from tui.screens.results import _signed

    assert _signed("share", 0.018) == "+1.8 pp"
    assert _signed("share", -0.005) == "−0.5 pp"
    assert _signed("users", 1500.0).startswith("+")
