"""The TUI never dies on a bad file it is asked to open, keeps unsaved edits, and exits
non-zero when it does crash."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tui_support import (  # noqa: F401 - fixtures
    SIZE,
    english_afterwards,
    kept_simulation,
    one_simulation_process,
    write_workspace,
)
from textual.widgets import Input, OptionList

import tui.app
from simulator.batch.store import BOOKKEEPING, METADATA
from tui.app import StrategyApp
from tui.cli import run_app
from tui.data.reports import NUMERIC, ReportError, open_report

pytestmark = pytest.mark.usefixtures("one_simulation_process")


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def bad_reports(root: Path) -> list[Path]:
    """Folders a user might point the results screen at, each wrong in its own way."""
    damaged = root / "damaged"
    damaged.mkdir()
    (damaged / "timeseries.parquet").write_bytes(b"PAR1" + bytes(range(256)) * 4)
    text = root / "text-figures"
    text.mkdir()
    pd.DataFrame({"run_id": ["a"], "month": ["one"], "firm": ["F"], "country": ["DE"],
                  "users": ["many"], "revenue": [1.0], "cash": [2.0]}).to_parquet(
        text / "timeseries.parquet")
    batch = root / "batch"
    batch.mkdir()
    (batch / BOOKKEEPING).mkdir()
    (batch / METADATA).write_text("{half", encoding="utf-8")
    (root / "a-file").write_text("not a folder")
    return [damaged, text, batch, root / "a-file", root / "nowhere"]


async def test_bad_files_are_reported_and_unsaved_edits_are_kept(tmp_path):
    workspace = write_workspace(tmp_path)
    (workspace["user_dir"] / "binary.toml").write_bytes(b"\xff\xfe\x00 not text")
    (workspace["user_dir"] / "broken.toml").write_text("[firms\nname = ", encoding="utf-8")
    app = StrategyApp(locale="en", **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        index = next(i for i, f in enumerate(screen.fields) if f.dotted == "seed")
        field = screen.query_one(f"#field-{index}", Input)
        field.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"123")
        await pilot.pause()
        files = screen.query_one("#scenario-files", OptionList)
        for name in ("binary.toml", "broken.toml"):
            option = next(i for i in range(files.option_count)
                          if str(files.get_option_at_index(i).prompt) == name)
            files.focus()
            files.highlighted = option
            await pilot.press("enter")  # asks before discarding the edits
            await pilot.pause()
            await pilot.press("y")
            await settle(app, pilot)
            assert any(name in n.message for n in app._notifications), name
            draft = app.workspace.draft
            assert draft.dirty and draft.doc["seed"] == 123 and draft.path.name == "tiny.toml"
        await pilot.press("3")
        await settle(app, pilot)
        for folder in bad_reports(tmp_path):
            await pilot.press("o")
            app.screen.query_one("#results-path", Input).value = str(folder)
            await pilot.press("enter")
            await settle(app, pilot)
            assert any(str(folder) in n.message for n in app._notifications), folder
        assert app.is_running and app.return_code is None
        assert app.workspace.draft.dirty and app.workspace.draft.doc["seed"] == 123


COLUMNS = ("run_id", "month", "firm", "country", "users", "revenue", "cash", "share")
VALUES = {"int": st.integers(-5, 5), "float": st.floats(allow_nan=True),
          "text": st.text(max_size=3), "none": st.none()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(columns=st.lists(st.sampled_from(COLUMNS), min_size=1, unique=True),
       kinds=st.lists(st.sampled_from(sorted(VALUES)), min_size=len(COLUMNS),
                      max_size=len(COLUMNS)),
       rows=st.integers(0, 3), data=st.data())
def test_any_table_is_a_report_or_a_named_refusal(tmp_path, columns, kinds, rows, data):
    folder = tmp_path / "r"
    folder.mkdir(exist_ok=True)
    frame = pd.DataFrame({c: [data.draw(VALUES[kind]) for _ in range(rows)]
                          for c, kind in zip(columns, kinds, strict=False)})
    try:  # the same columns as the country table and the firm-month table
        frame.to_parquet(folder / "timeseries.parquet")
        frame.to_parquet(folder / "firm_months.parquet")
    except Exception:  # noqa: BLE001 - pandas cannot store this mix: nothing to open
        return
    try:
        report = open_report(folder)
    except ReportError as error:
        assert str(folder) in str(error)
        return
    for column in NUMERIC["timeseries"]:
        assert pd.api.types.is_numeric_dtype(report.timeseries[column])
    for column in NUMERIC["firm_months"]:
        assert pd.api.types.is_numeric_dtype(report.firm_months[column])


# Relative CSS paths resolve against the subclass's module: point at the app's own styles.
APP_CSS = Path(tui.app.__file__).with_name("app.tcss")


class CrashingApp(StrategyApp):
    """The real app with a bug planted where Textual runs user code (a handler)."""

    CSS_PATH = APP_CSS

    def on_mount(self) -> None:
        raise RuntimeError("a planted bug")


class QuittingApp(StrategyApp):
    CSS_PATH = APP_CSS

    def on_mount(self) -> None:
        self.exit()


def test_the_app_exits_non_zero_when_it_crashes(tmp_path):
    workspace = write_workspace(tmp_path)
    assert run_app(QuittingApp(locale="en", **workspace), headless=True) == 0
    assert run_app(CrashingApp(locale="en", **workspace), headless=True) == 1
