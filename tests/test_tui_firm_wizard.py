"""The strategist's workflow with Textual's Pilot: describe a firm, save it, ask for advice.

The tiny TUI scenario; its tiny profile gains rows for two production tokenizers (as
`hub profile` writes them) so the wizard has a list to offer. The wizard's answers are
typed as people write them ($1B, 30B, 1.2K); the file it saves must hold the firm that
`simulator firm new` writes for the same flags (one code path), in the user's scenarios
folder with the base's comments kept; then advice runs for the new firm from the Advice
screen with a tiny ensemble; quitting with unsaved edits asks first.
"""

from __future__ import annotations

import tomllib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from test_tui_support import SIZE, english_afterwards, write_workspace  # noqa: F401
from textual.widgets import DataTable, Input, Select, Static

from simulator.cli import main as simulator_cli
from tui.app import StrategyApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.firm_wizard import FirmWizard
from tui.screens.scenarios import ScenariosScreen

ANSWERS = {"name": "Seoul Lab", "home": "kr", "params": "30B", "cash": "$1B",
           "researchers": "120", "engineers": "1.2K", "offices": "JP"}


TOKENIZERS = {"cl100k_base": 1.0, "qwen": 1.1}  # name -> premium of every other language


@pytest.fixture()
def workspace(tmp_path):
    workspace = write_workspace(tmp_path)
    table = pq.read_table(workspace["profile"])
    hub = [r for r in table.to_pylist() if r["region"] == "global"]
    rows = [{**r, "kind": "production", "tokenizer": name, "model_id": None,
             "token_premium_vs_en": 1.0 if r["lang"] == "en" else premium}
            for name, premium in TOKENIZERS.items() for r in hub]
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist(rows, schema=table.schema)]),
                   workspace["profile"])
    return workspace


async def open_wizard(pilot) -> FirmWizard:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, FirmWizard)
    return pilot.app.screen


async def type_answers(pilot, wizard: FirmWizard, answers: dict[str, str]) -> None:
    for key, text in answers.items():
        wizard.query_one(f"#wizard-{key}", Input).value = text
    await pilot.pause()


def notes(wizard: FirmWizard) -> str:
    return str(wizard.query_one("#wizard-notes", Static).render())


async def test_wizard_checks_answers_reads_them_back_and_warns(workspace):
    app = StrategyApp(**workspace)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot)
        options = wizard.query_one("#wizard-tokenizer", Select)._options
        assert [value for _label, value in options] == list(TOKENIZERS)
        await type_answers(pilot, wizard, {**ANSWERS, "cash": "lots", "home": "XX"})
        text = notes(wizard)
        assert "Cash: expected an amount of US dollars such as $1B" in text
        assert "got 'XX'" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is wizard  # not saved with problems
        await type_answers(pilot, wizard, ANSWERS)
        text = notes(wizard)
        assert "Reads as: 30B active parameters, $1B of cash." in text
        assert "No model family" in text  # quality falls back to the hub's own model
        wizard.query_one("#wizard-family", Select).value = "qwen"
        await pilot.pause()
        assert "No model family" not in notes(wizard)
        assert wizard.query_one("#wizard-file", Input).value == "seoul-lab.toml"
        taken = workspace["user_dir"] / "scenarios" / "taken.toml"
        taken.parent.mkdir()
        taken.write_text("# mine\n", encoding="utf-8")
        wizard.query_one("#wizard-file", Input).value = "taken.toml"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is wizard  # exists already: not written over
        assert taken.read_text(encoding="utf-8") == "# mine\n"
        wizard.query_one("#wizard-file", Input).value = "default.toml"  # a shipped name
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is wizard
        assert not (taken.parent / "default.toml").exists()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ScenariosScreen)

@pytest.mark.slow
async def test_a_firm_made_in_the_wizard_gets_advice(workspace, tmp_path):
    app = StrategyApp(**workspace)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot)
        await type_answers(pilot, wizard, ANSWERS)
        wizard.query_one("#wizard-tokenizer", Select).value = "qwen"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        saved = workspace["user_dir"] / "scenarios" / "seoul-lab.toml"
        assert isinstance(app.screen, ScenariosScreen)
        assert app.workspace.scenario_path == saved
        text = saved.read_text(encoding="utf-8")
        assert "# A tiny scenario for the TUI tests" in text  # the base's comments kept
        assert "active_params = 30e9" in text and "cash_usd = 1e9" in text
        firm = tomllib.loads(text)["firms"][-1]
        assert firm["talent"] == {"researchers": 120, "engineers": 1200}
        assert firm["home"] == "KR" and firm["model"]["tokenizer"] == "qwen"

        # The command writes the same firm for the same answers (one code path).
        cli_out = tmp_path / "cli.toml"
        result = CliRunner().invoke(simulator_cli, [
            "firm", "new", "--base", str(workspace["scenario"]), "--name", "Seoul Lab",
            "--home", "KR", "--params", "30B", "--tokenizer", "qwen", "--family", "none",
            "--cash", "$1B", "--researchers", "120", "--engineers", "1.2K", "--offices", "JP",
            "--out", str(cli_out)])
        assert result.exit_code == 0, result.output
        assert tomllib.loads(cli_out.read_text())["firms"][-1] == firm

        await pilot.press("6")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#advice-firm", Select).value == "Seoul Lab"
        for name, value in (("members", 2), ("months", 6), ("moves", 2)):
            screen.query_one(f"#advice-{name}", Select).value = value
        await pilot.pause()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Seoul Lab" in str(screen.query_one("#advice-summary", Static).render()), str(
            screen.query_one("#advice-status", Static).render())[:300]
        assert screen.query_one("#advice-table", DataTable).row_count == 2


async def test_quit_with_unsaved_edits_asks(workspace):
    app = StrategyApp(**workspace)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        index = next(i for i, f in enumerate(screen.fields) if f.dotted == "months")
        screen.query_one(f"#field-{index}", Input).value = "12"
        await pilot.pause()
        assert app.workspace.draft.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ScenariosScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None


FORM_EXTRA = """
[compute]
gpu_peak_flops = 989e12  # H100 SXM dense BF16

[[firms]]
name = "Seoul Lab"
home = "KR"
cash_usd = 1e9
talent = { researchers = 120, engineers = 1200 }
model = { active_params = 30e9, tokenizer = "korean" }
"""


async def retype(pilot, screen, dotted: str, text: str) -> int:
    index = next(i for i, f in enumerate(screen.fields) if f.dotted == dotted)
    screen.query_one(f"#field-{index}", Input).focus()
    await pilot.press("ctrl+a", "ctrl+k", *list(text))
    await pilot.pause()
    return index


async def test_form_shows_human_units_headings_and_warns_on_an_unknown_tokenizer(workspace):
    scenario = workspace["scenario"]
    scenario.write_text(scenario.read_text(encoding="utf-8") + FORM_EXTRA, encoding="utf-8")
    app = StrategyApp(**workspace)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen, draft = app.screen, app.workspace.draft
        texts = {f.dotted: draft.text_of(f) for f in screen.fields}
        assert texts["firms[2].cash_usd"] == "$1B" and texts["firms[0].cash_usd"] == "$2B"
        assert texts["firms[2].model.active_params"] == "30B"
        assert texts["compute.gpu_peak_flops"] == "989T" and texts["seed"] == "7"
        headings = [str(w.render()) for w in screen.query(".form-group").results(Static)]
        assert "[compute] GPUs, their price and how well they are used" in headings

        # Runs (the simulator falls back to the hub's model), but not as "Valid".
        summary = str(screen.query_one("#scenario-summary", Static).render())
        assert "Runs, with 1 warnings" in summary and "Valid" not in summary
        tokenizer = next(i for i, f in enumerate(screen.fields)
                         if f.dotted == "firms[2].model.tokenizer")
        under = screen.query_one(f"#problem-{tokenizer}", Static)
        assert "korean is not among the profile's production tokenizers (cl100k_base, " \
               "qwen)" in str(under.render()) and under.has_class("warning")
        await retype(pilot, screen, "firms[2].model.tokenizer", "qwen")
        assert draft.warnings == [] and not under.has_class("visible")
        assert "Valid" in str(screen.query_one("#scenario-summary", Static).render())

        # Typed as people write figures, written back as the shipped files write them.
        await retype(pilot, screen, "firms[2].model.active_params", "70B")
        await retype(pilot, screen, "firms[2].cash_usd", "$2.5B")
        assert draft.scenario.firms[2].model.active_params == 70e9
        assert draft.problems == []
        await pilot.press("ctrl+s")
        await pilot.pause()
    text = scenario.read_text(encoding="utf-8")
    assert 'model = { active_params = 70e9, tokenizer = "qwen" }' in text
    assert "cash_usd = 2.5e9" in text and "gpu_peak_flops = 989e12  # H100 SXM" in text
