"""The app's other screens driven with Textual's Pilot: hub, world, results, batch; its
start without arguments; and its shell: language switch, small terminals, help, the
command palette and keymaps.

Waits are on the app's workers and message queue, never a fixed sleep.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_support import (  # noqa: F401 - fixtures
    SIZE,
    english_afterwards,
    kept_simulation,
    one_simulation_process,
    settle,
)
from textual.widgets import DataTable, Input, Static

from simulator.geography import build_geography
from tui import i18n
from tui.app import StrategyApp
from tui.dialogs.help import HelpScreen
from tui.dialogs.too_small import TooSmallNotice
from tui.screens.run import RunScreen
from tui.screens.scenarios import ScenariosScreen

pytestmark = pytest.mark.usefixtures("one_simulation_process")


async def test_hub_without_models_shows_the_profile_and_how_to_train(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
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


async def test_world_filters_sorts_and_measures_from_home(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
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


async def test_results_refuses_a_folder_that_is_not_a_report(tui_workspace, tmp_path):
    app = StrategyApp(locale="en", **tui_workspace)
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


async def test_hub_shows_registered_models_and_runs_export(tui_workspace, tmp_path, monkeypatch):
    register_models(tui_workspace["home"], tmp_path)
    monkeypatch.chdir(tmp_path)  # the export's default folder, bundles/, is relative
    app = StrategyApp(locale="en", **tui_workspace)
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
        tui_workspace, batch_folder):
    app = StrategyApp(locale="en", **tui_workspace, report=batch_folder)
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


async def test_a_broken_technology_profile_is_reported_on_the_hub_screen(tui_workspace):
    tui_workspace["profile"].write_bytes(b"not parquet")
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(app, pilot)
        assert any("not a technology profile" in n.message for n in app._notifications)
        await pilot.press("r")  # the scenario names the broken profile: the run says why
        await settle(app, pilot)
        assert "The run failed" in app.screen.status_text
        assert "profile.parquet" in app.screen.status_text


async def test_language_switch_translates_the_open_screen(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
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


async def test_too_small_notice_comes_and_goes(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallNotice)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert isinstance(app.screen, ScenariosScreen)


async def test_help_lists_bindings_with_ids(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        ids = {table.get_row_at(i)[2] for i in range(table.row_count)}
        assert {"run.start", "scenario.save", "app.locale", "app.help"} <= ids
        await pilot.press("escape")
        assert isinstance(app.screen, ScenariosScreen)


async def test_command_palette_offers_verb_prefixed_actions(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "run: start the open scenario" in titles
        assert all(": " in title for title in titles)


async def test_a_keymap_rebinds_by_binding_id(tui_workspace):
    app = StrategyApp(locale="en", **tui_workspace, keymap={"run.start": "f6", "screen.hub": "h"})
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


