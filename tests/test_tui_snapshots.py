"""Snapshots of every screen at 100x30, the main screen in Simplified Chinese, and the
too-small notice at 40x12 (pytest-textual-snapshot; update with --snapshot-update).

Deterministic: a fixed scenario and seed, no clock in the header, file names (never temp
paths) on screen, and waits on workers rather than time.
"""

from __future__ import annotations

import pytest
from test_tui_support import (  # noqa: F401 - fixtures
    SIZE,
    english_afterwards,
    freeze_times,
    kept_simulation,
    one_simulation_process,
    write_workspace,
)

from tui.app import StrategyApp

pytestmark = pytest.mark.usefixtures("one_simulation_process")


@pytest.fixture()
def app_for(tmp_path):
    workspace = write_workspace(tmp_path)
    return lambda locale="en": StrategyApp(locale=locale, **workspace)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def after(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            freeze_times(pilot.app.workspace.reports_dir)  # "made" in the pickers
            await pilot.press(key)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


class TestScreens:
    def test_scenarios(self, snap_compare, app_for):
        assert snap_compare(app_for(), terminal_size=SIZE, run_before=after())

    def test_scenarios_with_a_problem(self, snap_compare, app_for):
        async def run_before(pilot) -> None:
            await settle(pilot)
            screen = pilot.app.screen
            index = next(i for i, f in enumerate(screen.fields) if f.dotted == "months")
            screen.query_one(f"#field-{index}").focus()
            await pilot.press("ctrl+a", "ctrl+k", "0", "escape")  # escape: no blinking cursor
            await settle(pilot)

        assert snap_compare(app_for(), terminal_size=SIZE, run_before=run_before)

    def test_run_finished(self, snap_compare, app_for):
        assert snap_compare(app_for(), terminal_size=SIZE, run_before=after("r"))

    def test_results(self, snap_compare, app_for):
        assert snap_compare(app_for(), terminal_size=SIZE, run_before=after("r", "3"))

    def test_world_with_the_open_run(self, snap_compare, app_for):
        assert snap_compare(app_for(), terminal_size=SIZE, run_before=after("r", "4", "down"))

    def test_hub_without_models(self, snap_compare, tmp_path):
        # The real shipped technology profile (data/technology_profile.parquet): this
        # snapshot changes when the lead ships a new one.
        app = StrategyApp(locale="en", **{**write_workspace(tmp_path), "profile": None})
        assert snap_compare(app, terminal_size=SIZE, run_before=after("5"))

    def test_help(self, snap_compare, app_for):
        assert snap_compare(app_for(), terminal_size=SIZE, run_before=after("f1"))


class TestLocale:
    def test_main_screen_in_simplified_chinese(self, snap_compare, app_for):
        assert snap_compare(app_for("zh_Hans"), terminal_size=SIZE, run_before=after())


class TestSize:
    def test_too_small_notice(self, snap_compare, app_for):
        assert snap_compare(app_for(), terminal_size=(40, 12), run_before=after())


@pytest.fixture(scope="module")
def batch_folder(tmp_path_factory):
    from test_tui_support import session_batch

    return session_batch(tmp_path_factory)


class TestBatch:
    def test_results_of_a_sobol_batch(self, snap_compare, tmp_path, batch_folder):
        app = StrategyApp(locale="en", **write_workspace(tmp_path), report=batch_folder)
        freeze_times(batch_folder)  # "made" in the pickers
        assert snap_compare(app, terminal_size=SIZE, run_before=after("3"))
