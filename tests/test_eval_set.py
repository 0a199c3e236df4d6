"""The fixed evaluation set: the same bytes per language whoever asks, all test rows."""

import pytest

from hub.corpus import build_corpus, load_corpus
from hub.corpus.records import Row, Source, Unit
from hub.measurement.eval_set import MIN_BYTES, evaluation_sets, make_eval_set

LANGS = ("de", "fr", "ja", "en")
WORDS = {"de": "Satz", "fr": "phrase", "ja": "文", "en": "sentence"}


def _rows(order):
    for i in order:
        english = f"English sentence number {i} about the weather."
        for lang in LANGS:
            if lang == "en":
                yield Row(lang, english, None)
            else:
                yield Row(lang, f"{WORDS[lang]} {i}: {english}", english)


def _home(tmp_path, name, order):
    home = tmp_path / name
    source = Source("test", "1", [Unit("rows", lambda: list(_rows(order)))])
    build_corpus(home, [source])
    return home


def test_two_language_sets_get_the_same_bytes_and_hash(tmp_path):
    home = _home(tmp_path, "a", range(400))
    regional = evaluation_sets(home, ["de", "fr"])
    world = evaluation_sets(home, ["ja", "de", "en", "xx"])
    assert regional["de"] == world["de"]
    assert set(world) == {"ja", "de", "en"}  # a language without test rows is left out
    # Every test row is in the set, whatever the model: none shrinks with the language count.
    test_rows = load_corpus(home, ["de"], "test")["text"].to_pylist()
    assert sorted(regional["de"].texts) == sorted(test_rows) and len(test_rows) > 5
    assert regional["de"].sha256 != regional["fr"].sha256
    assert all(en and en in text for en, text in regional["fr"].pairs)
    assert world["en"].pairs == []


def test_the_set_does_not_depend_on_the_corpus_row_order(tmp_path):
    forward = evaluation_sets(_home(tmp_path, "f", range(300)), ["fr"])["fr"]
    backward = evaluation_sets(_home(tmp_path, "b", reversed(range(300))), ["fr"])["fr"]
    assert forward == backward


def test_hash_changes_with_any_byte_and_the_cap_keeps_a_prefix():
    rows = [(f"text {i} " * 40, None) for i in range(200)]
    whole = make_eval_set("de", rows, 10**9)
    edited = make_eval_set("de", [(rows[0][0] + ".", None), *rows[1:]], 10**9)
    assert whole.sha256 != edited.sha256
    capped = make_eval_set("de", rows, MIN_BYTES)
    assert capped.texts == whole.texts[: len(capped.texts)]
    assert MIN_BYTES <= capped.n_bytes < MIN_BYTES + 500
    with pytest.raises(ValueError, match="at least"):
        evaluation_sets("unused", ["de"], max_bytes=100)
