"""The curated per-language quality and localisation tables, their strict readers, and the
relative quality the simulator reads per firm (simulator.language_quality)."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.languages import normalize_lang
from plumbing.errors import InputError
from simulator.language_quality import (
    LocalisationRow,
    QualityRow,
    family_generations,
    localisation_gain,
    read_language_quality,
    read_localisation_results,
    relative_quality,
)

QUALITY = read_language_quality()
RESULTS = read_localisation_results()


def _row(table, family, version, lang, benchmark=None):
    rows = [
        r
        for r in table
        if (r.family, r.version, r.lang) == (family, version, lang)
        and (benchmark is None or r.benchmark == benchmark)
    ]
    assert len(rows) == 1, (family, version, lang)
    return rows[0]


# Copied by hand from the sources, independently of the CSV (see data/SOURCES.md):
# (family, version, lang, score, English score as published)
FROM_SOURCES = [
    # openai/simple-evals multilingual_mmlu_benchmark_results.md at 01c488b (Sep 2024)
    ("gpt", "gpt-4o-2024-08-06", "ja", 0.8287, 0.8870),
    ("gpt-mini", "gpt-4o-mini-2024-07-18", "yo", 0.4583, 0.8200),
    # ... at cbab874 (Mar 2025)
    ("o-series", "o1", "yo", 0.7538, 0.9230),
    ("gpt", "gpt-4.5-preview-2025-02-27", "hi", 0.8583, 0.8960),
    # ... at aa328c0 (Apr 2025); English from the README's MMLU column (90.2)
    ("gpt", "gpt-4.1-2025-04-14", "sw", 0.795, 0.902),
    # Anthropic, Multilingual support: % of English (English fixed at 100%)
    ("claude-sonnet", "claude-3-5-sonnet-20241022", "hi", 89.3, 100),
    ("claude-sonnet", "claude-3-7-sonnet-20250219", "sw", 89.2, 100),
    ("claude-haiku", "claude-haiku-4-5-20251001", "yo", 52.7, 100),
    ("claude-opus", "claude-opus-4-1-20250805", "de", 97.7, 100),
    # Llama 3.1 model card, multilingual MMLU (5-shot) and English MMLU of the instruct table
    ("llama", "Llama-3.1-70B-Instruct", "it", 80.4, 83.6),
    ("llama", "Llama-3.1-8B-Instruct", "th", 50.32, 69.4),
    # Mistral-Large-Instruct-2407 card, base pretrained multilingual MMLU; MMLU 84.0%
    ("mistral", "mistral-large-2407", "ko", 60.1, 84.0),
    # DeepSeek-V3 README, base models: MMMLU-non-English and MMLU (5-shot)
    ("deepseek", "DeepSeek-V3-Base", "mul", 79.4, 87.1),
    ("qwen", "Qwen2.5-72B", "mul", 74.8, 85.0),
]


@pytest.mark.parametrize(("family", "version", "lang", "score", "english"), FROM_SOURCES)
def test_rows_match_their_sources(family, version, lang, score, english):
    row = _row(QUALITY, family, version, lang)
    assert (row.score, row.english_score) == (score, english)


def test_localisation_rows_match_their_sources():
    by_project = {r.project: r for r in RESULTS}
    # Swallow leaderboard model.yml: Llama 3.1 8B ja 0.437 en 0.546; Swallow v0.5 0.543, 0.605.
    swallow = by_project["Llama-3.1-Swallow 8B v0.5"]
    assert swallow.target_gain_points == pytest.approx((0.543 - 0.437) * 100)
    assert swallow.english_change_points == pytest.approx((0.605 - 0.546) * 100)
    assert swallow.continued_pretraining_tokens == 210e9
    assert by_project["Chinese-LLaMA"].vocab_added_tokens == 20000  # arXiv 2304.08177
    assert by_project["SEA-LION v2 (Llama3 8B CPT)"].continued_pretraining_tokens == 48e9
    assert by_project["Typhoon"].token_count_change == pytest.approx(1 / 2.62 - 1, abs=5e-4)


def test_shipped_table_covers_the_issue_families_and_every_row_is_checked():
    assert {"gpt", "o-series", "claude-sonnet", "llama", "mistral", "deepseek", "qwen"} <= {
        r.family for r in QUALITY
    }
    assert len(family_generations(QUALITY, "gpt")) >= 4
    assert all(r.checked for r in QUALITY) and all(r.checked for r in RESULTS)


def _write(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _cells(row) -> list[str]:
    return ["" if v is None else str(v) for v in vars(row).values()]


QUALITY_HEADER = list(vars(QUALITY[0]))
RESULTS_HEADER = list(vars(RESULTS[0]))
# What a bad cell of each checked column can look like (beside arbitrary text).
BAD = {
    "release_date": st.sampled_from(
        ["2024-02-30", "20240501", "2031-01-01", "1999-12-31", "", "2024-W01-1"]
    ),
    "lang": st.sampled_from(["xx", "pt_BR", "zh", "EN", "", "pt-br"]),
    "score": st.sampled_from(["nan", "inf", "-0.5", "0", "101", "abc", "", "1e309"]),
    "english_score": st.sampled_from(["nan", "-inf", "0", "250", "x"]),
    "url": st.sampled_from(["http://example.org", "ftp://x", ""]),
}
NO_NEWLINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_bad_quality_row_is_an_input_error_naming_line_and_column(tmp_path, data):
    column = data.draw(st.sampled_from(sorted(BAD)))
    value = data.draw(BAD[column])
    rows = [_cells(r) for r in QUALITY[:5]]
    at = data.draw(st.integers(0, len(rows) - 1))
    rows[at][QUALITY_HEADER.index(column)] = value
    path = _write(tmp_path / "q.csv", QUALITY_HEADER, rows)
    with pytest.raises(InputError) as caught:
        read_language_quality(path)
    message = caught.value.message
    assert f"{path}:{at + 2}:" in message and f"column {column!r}" in message


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_cell_text_never_tracebacks(tmp_path, data):
    for header, rows, read in (
        (QUALITY_HEADER, QUALITY, read_language_quality),
        (RESULTS_HEADER, RESULTS, read_localisation_results),
    ):
        cells = [_cells(r) for r in rows[:3]]
        column = data.draw(st.integers(0, len(header) - 1))
        cells[1][column] = data.draw(NO_NEWLINE)
        path = _write(tmp_path / "t.csv", header, cells)
        try:
            read(path)
        except InputError as exc:
            assert f"{path}:3:" in exc.message or "repeat" in exc.message


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    column=st.sampled_from(
        ["continued_pretraining_tokens", "target_gain_points", "vocab_added_tokens"]
    ),
    value=st.sampled_from(["-1", "nan", "1e20", "12.5x", "inf"]),
)
def test_a_bad_localisation_number_names_line_and_column(tmp_path, column, value):
    rows = [_cells(r) for r in RESULTS[:4]]
    rows[2][RESULTS_HEADER.index(column)] = value
    if column == "target_gain_points" and value == "-1":
        value = "1e3"  # -1 point is a valid gain; use an out-of-range one instead
        rows[2][RESULTS_HEADER.index(column)] = value
    path = _write(tmp_path / "l.csv", RESULTS_HEADER, rows)
    with pytest.raises(InputError, match=rf"l\.csv:4: column '{column}'"):
        read_localisation_results(path)


def test_unknown_and_missing_columns_are_refused(tmp_path):
    rows = [[*_cells(r), "x"] for r in QUALITY[:2]]
    path = _write(tmp_path / "q.csv", [*QUALITY_HEADER, "notes"], rows)
    with pytest.raises(InputError, match=r"unknown columns \['notes'\]"):
        read_language_quality(path)
    path = _write(tmp_path / "q.csv", QUALITY_HEADER[1:], [_cells(r)[1:] for r in QUALITY[:2]])
    with pytest.raises(InputError, match=r"missing columns \['family'\]"):
        read_language_quality(path)


def test_a_repeated_row_is_refused(tmp_path):
    path = _write(tmp_path / "q.csv", QUALITY_HEADER, [_cells(QUALITY[0])] * 2)
    with pytest.raises(InputError, match="rows 1 and 2 repeat"):
        read_language_quality(path)


def _q(family, version, date, lang, score, english=1.0):
    return QualityRow(
        family, version, version, date, "MMMLU", lang, score, english, "p", "t", "https://x", "c"
    )


SMALL = [
    # family a lists Latin-script languages only; family b also lists Swahili and Japanese.
    _q("a", "a1", "2024-01-01", "fr", 0.90),
    _q("a", "a1", "2024-01-01", "de", 0.80),
    _q("a", "a1", "2024-01-01", "zh-Hans", 0.70),
    _q("b", "b1", "2024-01-01", "fr", 0.95),
    _q("b", "b1", "2024-01-01", "de", 0.85),
    _q("b", "b1", "2024-01-01", "sw", 0.60),
    _q("b", "b1", "2024-01-01", "zh-Hans", 0.75),
]


def test_fallback_rules():
    values, notes = relative_quality(SMALL, "a", ["fr", "sw", "vi", "zh-Hant", "zh", "en-GB"])
    # sw: b's 0.60 scaled by a/b on shared languages (medians 0.80 over 0.85).
    assert values == pytest.approx([0.90, 0.60 * 0.80 / 0.85, 0.85, 0.70, 0.70, 1.0])
    assert len(notes) == 3 and "sw" in notes[0] and "vi" in notes[1] and "zh-Hant" in notes[2]
    # vi is listed by no model: the median of a's Latin-script languages (fr, de).
    assert "Latn-script" in notes[1]


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(InputError, match=r"known families: \['a', 'b'\]"):
        relative_quality(SMALL, "c", ["fr"])


LANGS = sorted({r.lang for r in QUALITY if r.lang != "mul"}) + [
    "vi", "tr", "fa", "ur", "ru", "uk", "pl", "el", "he", "ta", "te", "zh-Hant", "pt-PT", "am",
]  # fmt: skip


@pytest.mark.parametrize("family", sorted({r.family for r in QUALITY}))
def test_relative_quality_lies_in_zero_to_1_2(family):
    for as_of in (None, datetime.date(2023, 1, 1), datetime.date(2025, 1, 1)):
        values, _ = relative_quality(QUALITY, family, LANGS, as_of)
        assert values.shape == (len(LANGS),)
        assert np.all((values > 0) & (values <= 1.2))


def test_as_of_selects_the_family_generation_released_by_then():
    ja = _row(QUALITY, "gpt", "gpt-4o-2024-08-06", "ja")
    before, notes = relative_quality(QUALITY, "gpt", ["ja"], datetime.date(2024, 9, 1))
    assert before[0] == pytest.approx(0.8287 / 0.8870) and notes == []
    after, _ = relative_quality(QUALITY, "gpt", ["ja"], datetime.date(2025, 5, 1))
    assert after[0] == pytest.approx(0.856 / 0.902)  # gpt-4.1, released 2025-04-14
    assert ja.relative != pytest.approx(after[0])
    # Same-day releases: the higher English score (o3-mini at high effort) is the family's.
    tie, _ = relative_quality(QUALITY, "o-series-mini", ["sw"], datetime.date(2025, 2, 1))
    assert tie[0] == pytest.approx(0.7379 / 0.8690)
    early, notes = relative_quality(QUALITY, "gpt", ["ja"], datetime.date(2023, 1, 1))
    assert early[0] == pytest.approx(before[0]) and "no model released" in notes[0]


def test_family_generations_are_dated_and_ordered():
    generations = family_generations(QUALITY, "gpt")
    assert [g.version for g in generations] == [
        "gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-4.5-preview-2025-02-27",
        "gpt-4.1-2025-04-14",
    ]  # fmt: skip
    dates = [g.release_date for g in generations]
    assert dates == sorted(dates)


def test_languages_are_canonical_bcp47():
    assert all(r.lang == "mul" or normalize_lang(r.lang) == r.lang for r in QUALITY)


def test_localisation_gain_spread():
    """Continued pre-training on a language raises it by several points and leaves English
    within a couple of points (Fujii et al. 2024, Swallow: gains up to 100B tokens, English
    roughly kept), so the median gain is positive and larger than the English change."""
    gain, english = localisation_gain(RESULTS)
    published = [4.2, 2.5, 5.3, 6.2, 2.7, 10.6, 5.8, 4.8, 7.3]  # the Swallow leaderboard pairs
    assert gain.median == pytest.approx(np.median(published)) and gain.n == len(published)
    assert gain.p10 < gain.median < gain.p90
    assert gain.median > 0 and abs(english.median) < gain.median


def test_localisation_gain_needs_a_stated_gain():
    unstated = [r for r in RESULTS if r.target_gain_points is None]
    assert unstated and all(isinstance(r, LocalisationRow) for r in unstated)
    with pytest.raises(InputError, match="no row with a target-language gain"):
        localisation_gain(unstated)
