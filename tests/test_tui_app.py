"""The real app driven with Textual's Pilot: edit, validate, run, compare, quit.

Waits are on the app's workers and message queue (`wait_for_complete`, `pause`), never a
fixed sleep. The scenario is tiny (two firms, three markets, six months). The app's other
screens and its shell (language, help, keys) are in test_tui_screens.py.
"""

from __future__ import annotations

import pytest
from test_tui_support import (  # noqa: F401 - fixtures
    SCENARIO,
    SIZE,
    english_afterwards,
    kept_simulation,
    one_simulation_process,
    settle,
    until,
)
from textual.widgets import DataTable, Input, Static

from tui.app import StrategyApp
from tui.screens.results import ResultsScreen
from tui.screens.run import RunScreen
from tui.screens.scenarios import ScenariosScreen

pytestmark = pytest.mark.usefixtures("one_simulation_process")



def field_index(screen: ScenariosScreen, dotted: str) -> int:
    return next(i for i, f in enumerate(screen.fields) if f.dotted == dotted)


async def retype(pilot, screen: ScenariosScreen, dotted: str, text: str) -> int:
    index = field_index(screen, dotted)
    field = screen.query_one(f"#field-{index}", Input)
    field.focus()
    await pilot.press("ctrl+a", "ctrl+k", *list(text))
    await pilot.pause()
    return index


def problem_text(screen: ScenariosScreen, index: int) -> str:
    return str(screen.query_one(f"#problem-{index}", Static).render())


async def test_edit_validate_run_compare_quit(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScenariosScreen)
        assert app.workspace.draft.problems == []

        # An invalid value: the simulator's own message appears under the field.
        months = await retype(pilot, screen, "months", "soon")
        assert "months" in app.workspace.draft.problems[0]
        assert "expected a valid integer" in problem_text(screen, months)
        assert screen.query_one(f"#field-{months}", Input).has_class("-invalid")
        await pilot.press("f5")  # refused while the scenario has problems
        await settle(app, pilot)
        assert not list(app.workspace.reports_dir.glob("*"))

        # Fixed: the message goes away and the run key runs it.
        await retype(pilot, app.screen, "months", "4")
        assert problem_text(app.screen, months) == ""
        await pilot.press("f5")
        await settle(app, pilot)
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        assert run_screen.month == run_screen.months == 4, run_screen.status_text
        assert "Done" in run_screen.status_text
        first = app.workspace.report_path
        assert (first / "timeseries.parquet").is_file() and (first / "runs.parquet").is_file()

        # A second run with another seed, then compare the two.
        await pilot.press("1")
        await settle(app, pilot)
        await retype(pilot, app.screen, "seed", "8")
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.workspace.report_path != first
        await pilot.press("3")
        await settle(app, pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert len(results.choices) == 2
        kpis = results.query_one("#results-kpis", DataTable)
        assert kpis.row_count == 2 * 4  # two firms x users, share, revenue, cash
        changes = [kpis.get_row_at(i)[4] for i in range(kpis.row_count)]
        assert any(change not in ("+0", "+0.0%", "+$0") for change in changes), changes

        await pilot.press("ctrl+q")  # the edits are unsaved: it asks first
        await pilot.pause()
        await pilot.press("y")
    assert app.return_code == 0


async def test_save_keeps_comments_and_shipped_files_are_not_overwritten(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await retype(pilot, app.screen, "months", "5")
        await pilot.press("ctrl+s")
        await pilot.pause()
    text = tui_workspace["scenario"].read_text(encoding="utf-8")
    assert "months = 5  # short, so a run takes a moment" in text
    assert text.startswith("# A tiny scenario for the TUI tests")
    assert text.replace("months = 5", "months = 6") == SCENARIO


async def test_charts_grow_while_the_run_goes_and_cancel_writes_nothing(tui_workspace):
    long_run = tui_workspace["user_dir"] / "long.toml"
    long_run.write_text(SCENARIO.replace("months = 6", "months = 600")
                        .replace('["DE", "FR", "US"]', '["global"]'), encoding="utf-8")
    app = StrategyApp(locale="en", **{**tui_workspace, "scenario": long_run})
    app.simulation.chart_seconds = 0.0  # the first update after 3 months, whatever the speed
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.charts)
        screen = app.screen
        first, status = screen.charts, screen.status_text
        await pilot.press("c")  # at once: ~600 months of every country are still to go
        await settle(app, pilot)

        # Drawn mid-run: the run was still going and the charts held its first months.
        assert "Running" in status
        users = first["all"]["users"]
        assert set(users) == {"Frontier", "Challenger"}
        months = users["Frontier"][0]
        assert months == list(range(1, len(months) + 1)) and len(months) < 600
        # A chart per region the firms sell in: their home regions from month 1 (which
        # region a sequential entry rule reaches next is the model's business, not the UI's).
        assert set(first) >= {"all", "eu", "na"} and len(first) >= 4
        assert "Cancelled" in screen.status_text
        assert screen.month < 600
        assert screen.charts["all"]["users"]["Frontier"][0][:len(months)] == months
        assert "Frontier" in screen.query_one("#run-users").render().plain  # a drawn line
        reports = tui_workspace["reports_dir"]
        assert not reports.exists() or not any(reports.iterdir())


async def test_broken_files_are_reported_not_crashed_on(tui_workspace):
    (tui_workspace["user_dir"] / "broken.toml").write_text("name = [unclosed\n", encoding="utf-8")
    (tui_workspace["user_dir"] / "typo.toml").write_text(
        SCENARIO.replace("seed = 7", "sede = 7"), encoding="utf-8")
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        ids = {path.name: option for option, path in screen.file_paths.items()}
        files = screen.query_one("#scenario-files")
        files.highlighted = files.get_option_index(ids["broken.toml"])
        await pilot.press("enter")
        await pilot.pause()
        assert any("not valid TOML" in n.message for n in app._notifications)
        assert app.workspace.draft.path == tui_workspace["scenario"]  # still the open one
        files.highlighted = files.get_option_index(ids["typo.toml"])
        await pilot.press("enter")
        await pilot.pause()
        problems = app.workspace.draft.problems
        assert problems == ["typo.toml: sede: unknown key; expected "
                            "one of: " + problems[0].split("expected one of: ")[1]]
        assert "sede" in str(screen.query_one("#scenario-summary", Static).render())


async def test_unsaved_edits_are_confirmed_before_opening_another_file(tui_workspace):
    other = tui_workspace["user_dir"] / "other.toml"
    other.write_text(SCENARIO.replace("tiny duel", "other duel"), encoding="utf-8")
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await retype(pilot, screen, "months", "9")
        await pilot.press("escape")
        files = screen.query_one("#scenario-files")
        target = next(k for k, p in screen.file_paths.items() if p == other)
        files.highlighted = files.get_option_index(target)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")  # keep the edits
        await pilot.pause()
        assert app.workspace.draft.path == tui_workspace["scenario"] and app.workspace.draft.dirty
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.workspace.draft.path == other


@pytest.mark.slow
async def test_edits_of_a_shipped_scenario_are_saved_to_the_user_folder(tui_workspace):
    from tui.data.workspace import shipped_scenarios

    shipped = shipped_scenarios()[0]
    before = shipped.read_text(encoding="utf-8")
    app = StrategyApp(locale="en", **{**tui_workspace, "scenario": shipped})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await retype(pilot, app.screen, "seed", "99")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape", "t")  # and the light theme
        await pilot.pause()
        assert app.theme == "textual-light"
    assert shipped.read_text(encoding="utf-8") == before
    # Never under a shipped scenario's name: a name of its own in the user's scenarios folder.
    assert not (tui_workspace["user_dir"] / shipped.name).exists()
    saved = tui_workspace["user_dir"] / "scenarios" / f"{shipped.stem}-mine.toml"
    assert "seed = 99" in saved.read_text(encoding="utf-8")
    assert app.workspace.scenario_path == saved


async def test_the_form_shows_labels_whole_and_values_in_one_column(tui_workspace):
    from textual.widgets import Label

    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        headings = [str(w.render()) for w in screen.query(".form-group").results(Static)]
        assert headings == ["Scenario", "Firm 1: Frontier", "Firm 2: Challenger"]
        labels = list(screen.query(".field-label").results(Label))
        assert all(label.region.width >= len(str(label.render())) for label in labels)
        assert len({field.region.x for field in screen.query(".field-input")}) == 1
        await retype(pilot, screen, "firms[1].name", "Euro Lab")
        assert str(screen.query_one("#group-2", Static).render()) == "Firm 2: Euro Lab"
