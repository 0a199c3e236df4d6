"""The scenario form in words: every key of the scenario model labelled and translated,
section headings shown (not swallowed as markup), labels in the UI's language."""

from __future__ import annotations

import typing

import pydantic
import pytest
from test_tui_support import (  # noqa: F401 - fixtures
    SIZE,
    english_afterwards,
    kept_simulation,
    one_simulation_process,
    write_workspace,
)
from textual.widgets import Label, Static

from simulator.scenario import Scenario
from tui import i18n
from tui.app import StrategyApp
from tui.data.field_labels import KEYS, SECTIONS, key_label

pytestmark = pytest.mark.usefixtures("one_simulation_process")

SECTIONED = """
[compute]
gpus = 2048

[parameters]
bass_q_annual = 0.9

[uncertain]
bass_p_annual = [0.05, 0.2]
"""


def model_keys(model: type[pydantic.BaseModel]) -> set[str]:
    """Every field name of a model and of the models nested in it (lists, dicts, optionals)."""
    found = set()
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        found.add(name)
        stack = [field.annotation]
        while stack:
            kind = stack.pop()
            stack += typing.get_args(kind)
            if isinstance(kind, type) and issubclass(kind, pydantic.BaseModel):
                found |= model_keys(kind)
    return found


def test_every_key_of_the_scenario_model_has_a_label():
    assert model_keys(Scenario) - set(KEYS) == set()


def test_labels_are_the_key_in_english_and_translated_in_chinese():
    i18n.set_locale("en")
    assert key_label("target_researchers") == "target researchers"
    i18n.set_locale("zh_Hans")
    assert key_label("target_researchers") == "目标研究人员数"
    untranslated = sorted(k for k, words in KEYS.items() if key_label(k) == words)
    assert untranslated == [], untranslated
    assert all(i18n._(words) != words for words in SECTIONS.values())
    assert key_label("DE") == "DE"  # a country under [regulation] stays as written


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
async def test_section_headings_and_labels_show_in_the_form(tmp_path, locale):
    workspace = write_workspace(tmp_path)
    scenario = workspace["scenario"]
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        'technology_profile = "profile.parquet"\n',
        'technology_profile = "profile.parquet"\n' + SECTIONED, 1), encoding="utf-8")
    app = StrategyApp(locale=locale, **workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        headings = [str(w.render()) for w in app.screen.query(".form-group").results(Static)]
        labels = [str(w.render()) for w in app.screen.query(".field-label").results(Label)]
    for section in ("compute", "parameters", "uncertain"):
        heading = next((h for h in headings if h.startswith(f"[{section}]")), None)
        assert heading is not None, headings  # was blank: "[compute]" read as markup
        assert len(heading) > len(f"[{section}] ")  # with what the section holds, in words
    if locale == "zh_Hans":
        assert "GPU 数量" in labels and "研究人员" in " ".join(labels)
    else:
        assert "gpus" in labels and any("researchers" in label for label in labels)
