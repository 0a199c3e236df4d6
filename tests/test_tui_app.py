"""The real app driven with Textual's Pilot: edit, validate, run, compare, quit.

Waits are on the app's workers and message queue (`wait_for_complete`, `pause`), never a
fixed sleep. The scenario is tiny (two firms, three markets, six months).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from test_tui_support import (  # noqa: F401 - fixtures
    SCENARIO,
    SIZE,
    english_afterwards,
    kept_simulation,
    one_simulation_process,
    write_workspace,
)
from textual.widgets import DataTable, Input, Static

from simulator.geography import build_geography
from tui import i18n
from tui.app import StrategyApp
from tui.dialogs.help import HelpScreen
from tui.dialogs.too_small import TooSmallNotice
from tui.screens.results import ResultsScreen
from tui.screens.run import RunScreen
from tui.screens.scenarios import ScenariosScreen

pytestmark = pytest.mark.usefixtures("one_simulation_process")


@pytest.fixture()
def workspace(tmp_path) -> dict[str, Path]:
    return write_workspace(tmp_path)


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


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, condition) -> None:
    """Let the app handle its messages until `condition()` holds (bounded, not a sleep)."""
    async with asyncio.timeout(60):
        while not condition():
            await pilot.pause()


async def test_edit_validate_run_compare_quit(workspace):
    app = StrategyApp(locale="en", **workspace)
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


async def test_save_keeps_comments_and_shipped_files_are_not_overwritten(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await retype(pilot, app.screen, "months", "5")
        await pilot.press("ctrl+s")
        await pilot.pause()
    text = workspace["scenario"].read_text(encoding="utf-8")
    assert "months = 5  # short, so a run takes a moment" in text
    assert text.startswith("# A tiny scenario for the TUI tests")
    assert text.replace("months = 5", "months = 6") == SCENARIO


async def test_charts_grow_while_the_run_goes_and_cancel_writes_nothing(workspace):
    long_run = workspace["user_dir"] / "long.toml"
    long_run.write_text(SCENARIO.replace("months = 6", "months = 600")
                        .replace('["DE", "FR", "US"]', '["global"]'), encoding="utf-8")
    app = StrategyApp(locale="en", **{**workspace, "scenario": long_run})
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
        assert not workspace["reports_dir"].exists() or not any(workspace["reports_dir"].iterdir())


async def test_broken_files_are_reported_not_crashed_on(workspace):
    (workspace["user_dir"] / "broken.toml").write_text("name = [unclosed\n", encoding="utf-8")
    (workspace["user_dir"] / "typo.toml").write_text(
        SCENARIO.replace("seed = 7", "sede = 7"), encoding="utf-8")
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        ids = {path.name: option for option, path in screen.file_paths.items()}
        files = screen.query_one("#scenario-files")
        files.highlighted = files.get_option_index(ids["broken.toml"])
        await pilot.press("enter")
        await pilot.pause()
        assert any("not valid TOML" in n.message for n in app._notifications)
        assert app.workspace.draft.path == workspace["scenario"]  # still the open one
        files.highlighted = files.get_option_index(ids["typo.toml"])
        await pilot.press("enter")
        await pilot.pause()
        problems = app.workspace.draft.problems
        assert problems == ["typo.toml: sede: unknown key; expected "
                            "one of: " + problems[0].split("expected one of: ")[1]]
        assert "sede" in str(screen.query_one("#scenario-summary", Static).render())


async def test_unsaved_edits_are_confirmed_before_opening_another_file(workspace):
    other = workspace["user_dir"] / "other.toml"
    other.write_text(SCENARIO.replace("tiny duel", "other duel"), encoding="utf-8")
    app = StrategyApp(locale="en", **workspace)
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
        assert app.workspace.draft.path == workspace["scenario"] and app.workspace.draft.dirty
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.workspace.draft.path == other


async def test_language_switch_translates_the_open_screen(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await settle(app, pilot)
        assert i18n.current_locale() == "zh_Hans"
        assert app.screen.title == "国际化战略"
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "运行情景" in descriptions and "保存" in descriptions
        assert "有效" in str(app.screen.query_one("#scenario-summary", Static).render())
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen.title == "International strategy"


async def test_too_small_notice_comes_and_goes(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallNotice)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert isinstance(app.screen, ScenariosScreen)


async def test_help_lists_bindings_with_ids(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        ids = {table.get_row_at(i)[2] for i in range(table.row_count)}
        assert {"run.start", "scenario.save", "app.locale", "app.help"} <= ids
        await pilot.press("escape")
        assert isinstance(app.screen, ScenariosScreen)


async def test_command_palette_offers_verb_prefixed_actions(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "run: start the open scenario" in titles
        assert all(": " in title for title in titles)


async def test_hub_without_models_shows_the_profile_and_how_to_train(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(app, pilot)
        banner = str(app.screen.query_one("#hub-source", Static).render())
        assert "No model is trained" in banner and "hub train --region eu" in banner
        table = app.screen.query_one("#hub-table", DataTable)
        assert table.row_count == 4  # the eu model's four languages
        assert table.get_row_at(0)[:2] == ["eu/v1", "de"]
        await pilot.press("e")  # nothing to export: says so
        await pilot.pause()
        assert any("Train a model first" in n.message for n in app._notifications)


async def test_world_filters_sorts_and_measures_from_home(workspace):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#world-table", DataTable)
        assert table.row_count > 150
        assert table.get_row_at(0)[0] == "US"  # nearest to the home country first
        # AI talent is the researchers' pool share the model hires from (the latest year's
        # workplace share, 57% for the US in 2022), not an older row of the curated table
        # (2019: 59%).
        geo = build_geography(app.workspace.draft.scenario)
        pool = geo.talent_share[geo.iso2.index("US"), 0]
        assert pool == pytest.approx(0.57)
        assert next(r for r in screen.rows if r.iso2 == "US").talent == pytest.approx(pool)
        assert table.get_row_at(0)[7] == i18n.fmt_percent(pool, 0)
        await pilot.press("slash", *list("germany"))
        await pilot.pause()
        assert table.row_count == 1 and table.get_row_at(0)[0] == "DE"
        await pilot.press("ctrl+a", "ctrl+k")
        screen.home_country = "DE"
        screen.build_rows()
        assert table.get_row_at(0)[0] == "DE"
        await pilot.click("#world-table", offset=(3, 0))  # the Code header: sort by code
        await pilot.pause()
        codes = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert codes == sorted(codes)


async def test_results_refuses_a_folder_that_is_not_a_report(workspace, tmp_path):
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("o")
        app.screen.query_one("#results-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("no 'timeseries' table" in n.message for n in app._notifications)
        assert "No report yet" in str(app.screen.query_one("#results-status", Static).render())


def register_models(home: Path, tmp_path: Path) -> None:
    """Two registered versions (eu, global) with measured per-language metrics attached."""
    import torch

    from hub import registry
    from hub.metrics import Metric, metrics_table
    from plumbing.atomic import write_parquet

    tokenizer = tmp_path / "tokenizer.json"
    tokenizer.write_text('{"model": {"type": "BPE"}}', encoding="utf-8")
    figures = {"eu": {"de": (1.2, 1.1), "fr": (1.1, 1.05)},
               "global": {"de": (1.5, 1.4), "fr": (1.4, 1.3), "en": (1.0, 1.0)}}
    for seed, (region, langs) in enumerate(figures.items()):
        torch.manual_seed(seed)
        version = registry.register(
            home, region, {"model": {"d_model": 8}, "training": {"size": "tiny", "params": 64}},
            {"w": torch.randn(8, 8)}, tokenizer)
        rows = [Metric(version.model_id, region, lang, name, value, unit)
                for lang, (bpc, premium) in langs.items()
                for name, value, unit in (("bits_per_char", bpc, "bits/char"),
                                          ("token_premium_vs_en", premium, "ratio"))]
        registry.attach(version, "metrics.parquet",
                        lambda tmp, rows=rows: write_parquet(metrics_table(rows), tmp))


async def test_hub_shows_registered_models_and_runs_export(workspace, tmp_path, monkeypatch):
    register_models(workspace["home"], tmp_path)
    monkeypatch.chdir(tmp_path)  # the export's default folder, bundles/, is relative
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(app, pilot)
        screen = app.screen
        assert "Registered models" in str(screen.query_one("#hub-source", Static).render())
        table = screen.query_one("#hub-table", DataTable)
        assert [table.get_row_at(i)[:3] for i in range(table.row_count)] == [
            ["eu/v1", "de", "1.200"], ["eu/v1", "fr", "1.100"]]
        assert screen.figures["region"].tolist().count("global") == 3
        await pilot.press("e")  # the real export (hub.serving.export); this toy model fails it
        await settle(app, pilot)
        log = "\n".join(str(line) for line in screen.query_one("#hub-log").lines)
        assert "eu/v1 -> bundles/eu-v1" in log
        assert any("Export of eu failed" in n.message for n in app._notifications)
        assert list((tmp_path / "bundles").iterdir()) == []  # nothing half-written is left


async def test_no_arguments_opens_the_shipped_defaults_and_runs_with_one_key(
        tmp_path, monkeypatch):
    from plumbing.shipped import shipped_path
    from tui.simulation import SimulationProcess

    monkeypatch.chdir(tmp_path)  # no model trained, no report present
    monkeypatch.setattr("tui.app.SimulationProcess", SimulationProcess)  # started here
    monkeypatch.delenv("HUB_HOME", raising=False)
    app = StrategyApp(locale="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.workspace.scenario_path == shipped_path("scenarios", "default.toml")
        assert app.workspace.draft.problems == []
        assert app.workspace.profile_path == shipped_path("technology_profile.parquet")
        await pilot.press("r")
        await settle(app, pilot)
        assert "Done" in app.screen.status_text
        assert (app.workspace.report_path / "timeseries.parquet").is_file()
        assert app.workspace.report_path.parent == Path("runs")
        await pilot.press("5")
        await settle(app, pilot)
        assert "No model is trained" in str(app.screen.query_one("#hub-source", Static).render())


@pytest.fixture(scope="module")
def batch_folder(tmp_path_factory) -> Path:
    from test_tui_support import session_batch

    return session_batch(tmp_path_factory)


async def test_batch_report_compares_strategies_with_bands_and_sensitivity(
        workspace, batch_folder):
    app = StrategyApp(locale="en", **workspace, report=batch_folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(app, pilot)
        screen = app.screen
        kinds = [(kind, key) for _report, kind, key in screen.choices]
        assert kinds[:2] == [("strategy", "early"), ("strategy", "late")]
        assert len(kinds) == 2 + 32
        kpis = screen.query_one("#results-kpis", DataTable)
        assert kpis.row_count == 8
        assert not screen.query_one("#results-bands").has_class("hidden")
        sensitivity = screen.query_one("#results-sensitivity", DataTable)
        assert sensitivity.row_count > 0
        assert [str(c.label) for c in sensitivity.columns.values()][:3] == [
            "Strategy", "Figure", "Parameter"]


async def test_a_broken_technology_profile_is_reported_on_the_hub_screen(workspace):
    workspace["profile"].write_bytes(b"not parquet")
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(app, pilot)
        assert any("not a technology profile" in n.message for n in app._notifications)
        await pilot.press("r")  # the scenario names the broken profile: the run says why
        await settle(app, pilot)
        assert "The run failed" in app.screen.status_text
        assert "profile.parquet" in app.screen.status_text


async def test_a_keymap_rebinds_by_binding_id(workspace):
    app = StrategyApp(locale="en", **workspace, keymap={"run.start": "f6", "screen.hub": "h"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("r")  # no longer the run key
        await settle(app, pilot)
        assert isinstance(app.screen, ScenariosScreen)
        await pilot.press("f6")
        await settle(app, pilot)
        assert isinstance(app.screen, RunScreen) and "Done" in app.screen.status_text


def test_bad_keymap_files_are_refused_with_exit_code_2(tmp_path):
    from click.testing import CliRunner

    from plumbing.errors import InputError
    from tests.cli_text import shows
    from tui.cli import main
    from tui.keymap import load_keymap

    keys = tmp_path / "keys.toml"
    keys.write_text('"run.begin" = "f6"\n"scenario.save" = 7\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--keymap", str(keys)])
    assert result.exit_code == 2 and shows(result.output, "bad keymap (2 problems)")
    with pytest.raises(InputError) as problems:
        load_keymap(keys)
    lines = problems.value.message.splitlines()
    assert lines[1].startswith(f"{keys}: run.begin: unknown binding id; expected one of:")
    assert "run.start" in lines[1]
    assert lines[2] == (f"{keys}: scenario.save: expected keys as a string, such as 'f6' or "
                        "'ctrl+r,f6'")
    keys.write_text("[", encoding="utf-8")
    result = CliRunner().invoke(main, ["--keymap", str(keys)])
    assert result.exit_code == 2 and shows(result.output, f"{keys}: not valid TOML")
    assert "Traceback" not in result.output


@pytest.mark.slow
async def test_edits_of_a_shipped_scenario_are_saved_to_the_user_folder(workspace):
    from tui.data.workspace import shipped_scenarios

    shipped = shipped_scenarios()[0]
    before = shipped.read_text(encoding="utf-8")
    app = StrategyApp(locale="en", **{**workspace, "scenario": shipped})
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
    assert not (workspace["user_dir"] / shipped.name).exists()
    saved = workspace["user_dir"] / "scenarios" / f"{shipped.stem}-mine.toml"
    assert "seed = 99" in saved.read_text(encoding="utf-8")
    assert app.workspace.scenario_path == saved


async def test_the_form_shows_labels_whole_and_values_in_one_column(workspace):
    from textual.widgets import Label

    app = StrategyApp(locale="en", **workspace)
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
