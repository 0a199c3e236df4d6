"""Snapshots of the strategist's screens at 100x30 and 160x45: the Advice screen with a
finished advice (ranking, drivers; what the top move depends on, for an advice over two
uncertain parameters), the World screen's countries for a firm, the firm wizard with
answers read back and a problem, and the question before quitting with unsaved edits
(pytest-textual-snapshot; update with --snapshot-update).

Deterministic: the tiny scenario, a fixed seed, the advice folder named by its request
(no temp path on screen), and waits on workers rather than time.
"""

from __future__ import annotations

import pytest
from test_tui_support import (  # noqa: F401 - fixture
    SCENARIO,
    english_afterwards,
    freeze_times,
    write_workspace,
)
from textual.widgets import Input, Select

from tui.app import StrategyApp
from tui.data.advice_job import AdviceRequest, run_advice

SIZES = {"small": (100, 30), "large": (160, 45)}


@pytest.fixture(scope="module")
def advised(tmp_path_factory):
    """The tiny scenario with Frontier's advice (2 futures, 3 moves, 6 months) written."""
    workspace = write_workspace(tmp_path_factory.mktemp("snapshots"))
    request = AdviceRequest(workspace["scenario"], "Frontier", 2, 6, 3)
    run_advice(request, request.folder(workspace["reports_dir"]), lambda _total: None,
               lambda _progress: None, lambda: False)
    freeze_times(workspace["reports_dir"])
    return workspace


@pytest.fixture(scope="module")
def uncertain(tmp_path_factory):
    """The tiny scenario over two uncertain parameters, with Iran and Japan among its markets;
    Frontier's advice (3 futures, 2 moves, 6 months) written."""
    workspace = write_workspace(tmp_path_factory.mktemp("uncertain"))
    head, firms = SCENARIO.replace('markets = ["DE", "FR", "US"]',
                                   'markets = ["DE", "FR", "US", "IR", "JP"]').split("[[firms]]", 1)
    workspace["scenario"].write_text(
        head + '[uncertain]\nbeta_quality = [1.0, 6.0]\n"compute.gpu_usd_per_hour" = [1.5, 4.0]'
        "\n\n[[firms]]" + firms, "utf-8")
    request = AdviceRequest(workspace["scenario"], "Frontier", 3, 6, 2)
    run_advice(request, request.folder(workspace["reports_dir"]), lambda _total: None,
               lambda _progress: None, lambda: False)
    freeze_times(workspace["reports_dir"])
    return workspace


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def after(*keys: str, answers: dict[str, str] | None = None):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for key, text in (answers or {}).items():
            pilot.app.screen.query_one(f"#wizard-{key}", Input).value = text
        await settle(pilot)
        pilot.app.screen.set_focus(None)  # no blinking cursor
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", list(SIZES))
class TestWorkflow:
    def test_advice_finished(self, snap_compare, advised, size):
        app = StrategyApp(locale="en", **advised)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=after("6"))

    def test_advice_what_the_top_move_depends_on(self, snap_compare, uncertain, size):
        app = StrategyApp(locale="en", **uncertain)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=after("6", "t", "t"))

    def test_world_countries_for_a_firm(self, snap_compare, uncertain, size):
        async def run_before(pilot) -> None:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            pilot.app.screen.query_one("#world-firm", Select).value = "Frontier"
            await settle(pilot)
            pilot.app.screen.set_focus(None)
            await pilot.pause()

        app = StrategyApp(locale="en", **uncertain)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)

    def test_firm_wizard(self, snap_compare, advised, size):
        app = StrategyApp(locale="en", **advised)
        answers = {"name": "Seoul Lab", "home": "KR", "params": "30B", "cash": "1 billion",
                   "researchers": "120", "engineers": "1.2K", "offices": "JP"}
        assert snap_compare(app, terminal_size=SIZES[size],
                            run_before=after("n", answers=answers))

    def test_quit_asks_with_unsaved_edits(self, snap_compare, advised, size):
        async def run_before(pilot) -> None:
            await settle(pilot)
            screen = pilot.app.screen
            index = next(i for i, f in enumerate(screen.fields) if f.dotted == "months")
            screen.query_one(f"#field-{index}", Input).value = "12"
            await settle(pilot)
            await pilot.press("ctrl+q")
            await settle(pilot)

        app = StrategyApp(locale="en", **advised)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
