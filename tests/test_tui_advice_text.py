"""Advice in the UI's language: moves and drivers said from advice.parquet's figures.

A real advice (one firm alone in India, tests/test_advise.py's case) read back as the TUI
reads it.
"""

from __future__ import annotations

import re

import pyarrow.parquet as pq
import pytest
from test_advise import case
from test_tui_support import english_afterwards  # noqa: F401 - fixture

from simulator.advice.advise import advise
from simulator.advice.report import LABELS
from tui import i18n
from tui.data.advice_text import RANKING_LABELS, describe, explain

# Words of an English template; "token" is the field's word in Chinese too, apac a region.
ENGLISH_WORD = re.compile(r"\b(?!token\b|apac\b)[a-z]{4,}\b", re.I)


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("advice-text")
    advise(case(folder, "IN"), "Solo", folder / "out", samples=2, workers=2)
    return {r["move"]: r for r in pq.read_table(folder / "out" / "advice.parquet").to_pylist()}


@pytest.mark.slow
def test_english_says_what_the_simulator_measured(rows):
    i18n.set_locale("en")
    now, later = rows["localise-apac-now"], rows["localise-apac-12m"]
    assert describe(now, "2022-11") == "localise for apac now"
    # 12 months after the decision (month 1, 2022-11): model month 13.
    assert describe(later, "2022-11") == "localise for apac from 2023-11"
    drivers = explain(now)
    premium = f"{now['token_premium']:.1f}"  # the profile's measured premium, as written
    assert drivers[0].startswith(f"Hindi costs {premium}× English in tokens on the firm's "
                                 "tokenizer")
    assert drivers[1].startswith("apac: ") and "0 rivals present" in drivers[1]
    assert drivers[2].startswith("against the status quo (median): revenue ")
    assert "localisation +$" in drivers[2]  # continued pre-training costs money
    extended = [r for r in rows.values() if '"vocab_tokens": 16' in r["overrides"]]
    assert all(describe(r, "2022-11").endswith(", adding 16K tokens to the tokenizer")
               for r in extended)
    assert describe(rows["status-quo"], "2022-11") == "the scenario as written"
    assert explain(rows["status-quo"]) == []  # no place, no difference from itself
    assert explain(rows["offices-1"]) == [
        "changes nothing against the status quo in the median future"]


def test_every_generated_move_reads_in_chinese(rows):
    i18n.set_locale("zh_Hans")
    assert describe(rows["localise-apac-now"], "2022-11") == "立即为apac本地化"
    hindi = explain(rows["localise-apac-now"])[0]
    premium = f"{rows['localise-apac-now']['token_premium']:.1f}"
    assert "印地语" in hindi and f"{premium} 倍" in hindi
    for name, row in rows.items():
        if row["kind"] == "custom":
            continue
        for text in (describe(row, "2022-11"), *explain(row)):
            assert not ENGLISH_WORD.search(text), (name, text)


def test_the_rankings_column_names_are_in_the_catalogs():
    assert set(LABELS.values()) == set(RANKING_LABELS)
    i18n.set_locale("zh_Hans")
    assert all(i18n._(label) != label for label in RANKING_LABELS)
