"""Vocabulary extension (`hub premium --extend`): continued BPE on cl100k_base for a region,
on a tiny real corpus of CLDR names (babel) in four Asia-Pacific languages and English.

What the arithmetic predicts: a learned merge joins two tokens into one, so no text can take
more tokens after than before; a language's premium T_L / T_en (T_en: tokens of the English
originals of its parallel rows) can then rise only through those English originals' count
falling, by at most the factor T_en / T'_en. Tokens learned on Japanese,
Korean, Thai and Hindi are made of those scripts' bytes, and a merge can only fire where its
bytes occur, so English moves only in the rows that hold such bytes: under 1% here.
"""

import csv
from collections import Counter

import pyarrow.parquet as pq
import pytest
from babel import Locale
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from hub.cli import main
from hub.corpus.records import Row, Source, Unit
from hub.corpus.store import build_corpus
from hub.measurement.eval_set import evaluation_sets
from hub.measurement.extension_premium import CSV_COLUMNS, measure_extensions
from hub.measurement.premium import PREMIUM_SCHEMA, TokenCounter, language_premium
from hub.measurement.production_tokenizers import PRODUCTION, load_tokenizer
from hub.measurement.vocab_extension import (
    EXTENDABLE,
    MIN_PAIR_COUNT,
    Extension,
    apply_merges,
    extend,
    learn_merges,
    training_words,
)
from tests.cli_text import shows

LANGS = ("en", "ja", "ko", "th", "hi")  # all four are languages of apac
ADDED = 300


def cldr_rows() -> list[Row]:
    """Territory, language, script and currency names per language, with the English name."""
    english = Locale("en")
    rows = []
    for lang in LANGS:
        locale = Locale.parse(lang)
        for table in ("territories", "languages", "scripts", "currencies"):
            originals = getattr(english, table)
            for code, name in getattr(locale, table).items():
                rows.append(Row(lang, name, None if lang == "en" else originals.get(code)))
    return rows


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("extension")
    build_corpus(home, [Source("cldr-names", "test", [Unit("names", cldr_rows)])])
    return home


@pytest.fixture(scope="module")
def base():
    return load_tokenizer("cl100k_base")


@pytest.fixture(scope="module")
def extension(home, base) -> Extension:
    return extend(home, "apac", base, ADDED)


@pytest.fixture(scope="module")
def measured(home, base):
    eval_sets = evaluation_sets(home, LANGS)
    results = measure_extensions(home, [base], [("apac", ADDED)], eval_sets)
    return {r.before.lang: r for r in results}, eval_sets


def test_premium_falls_for_the_regions_languages(measured):
    results, _ = measured
    assert set(results) == set(LANGS)
    for lang in LANGS[1:]:
        before, after = results[lang].before.premium, results[lang].after.premium
        assert after.value < 0.9 * before.value, lang
        assert after.low <= after.value <= after.high


def test_english_barely_moves_and_only_where_learned_bytes_occur(measured, extension, base):
    results, eval_sets = measured
    english = results["en"]
    change = english.after.tokens_per_char.value / english.before.tokens_per_char.value
    assert 0.99 <= change <= 1.0
    learned = list(extension.token_bytes.values())
    for text in eval_sets["en"].texts:
        if not any(token in text.encode("utf-8") for token in learned):
            assert len(extension.encode(text)) == len(base.encode(text)), text


def test_premium_rises_at_most_by_its_english_sources_fall(measured, extension, base):
    results, eval_sets = measured
    for lang in LANGS[1:]:
        english = [en for en, _ in eval_sets[lang].pairs]
        fall = sum(len(base.encode(t)) for t in english) / sum(
            len(extension.encode(t)) for t in english
        )
        before, after = results[lang].before.premium, results[lang].after.premium
        assert after.value <= before.value * fall * (1 + 1e-12), lang


def test_extended_encoding_never_has_more_tokens(measured, extension, base):
    _, eval_sets = measured
    for eval_set in eval_sets.values():
        for text in (*eval_set.texts, *(en for en, _ in eval_set.pairs)):
            assert len(extension.encode(text)) <= len(base.encode(text))


# Any Unicode text UTF-8 can carry: lone surrogates have no bytes to count.
text = st.text(st.characters(codec="utf-8"), max_size=60)
scripts = st.text(st.sampled_from("日本語の東京한국어서울ภาษาไทยहिन्दी abc ,."), max_size=60)


@given(st.one_of(text, scripts))
def test_round_trip_and_never_more_tokens(extension, base, sample):
    ids = extension.encode(sample)
    assert extension.decode(ids) == sample
    assert len(ids) <= len(base.encode(sample))


@given(text)
def test_no_merges_is_the_production_encoding(base, sample):
    plain = Extension(base, "apac", (), base.bpe.n_vocab)
    assert plain.encode(sample) == base.encode(sample)


def test_learned_tokens_are_new_and_distinct(extension, base):
    learned = list(extension.token_bytes.values())
    assert len(learned) == ADDED
    assert len(set(learned)) == ADDED
    assert not set(learned) & set(base.bpe.token_byte_values())
    assert min(extension.token_bytes) == base.bpe.n_vocab


def _recount(words: dict, added: int, token_bytes, known: set, first_id: int) -> list:
    """learn_merges without incremental counts: every pair recounted after each merge."""
    words, made, merges = [(list(w), f) for w, f in words.items()], {}, []
    while len(merges) < added:
        counts = Counter()
        for word, freq in words:
            for pair in zip(word, word[1:], strict=False):
                counts[pair] += freq
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        fresh = [
            (pair, count) for pair, count in ranked
            if b"".join(made.get(t) or token_bytes(t) for t in pair) not in known
        ]
        if not fresh or fresh[0][1] < MIN_PAIR_COUNT:
            break
        pair = fresh[0][0]
        new = first_id + len(merges)
        made[new] = b"".join(made.get(t) or token_bytes(t) for t in pair)
        known.add(made[new])
        merges.append(pair)
        words = [(apply_merges(w, {pair: len(merges) - 1}, first_id), f) for w, f in words]
    return merges


def test_incremental_counts_learn_what_recounting_learns(home, base):
    words, drawn = training_words(home, "apac", base, max_chars=20_000)
    assert set(drawn) == set(LANGS[1:])  # English is not what the region's tokens are for
    known = set(base.bpe.token_byte_values())
    args = (base.bpe.decode_single_token_bytes, known, base.bpe.n_vocab)
    fast = learn_merges(words, 60, *args)
    assert fast == _recount(words, 60, args[0], set(known), args[2])
    assert learn_merges(words, 20, *args) == fast[:20]  # a shorter run is the prefix


def test_extendable_tokenizers_are_the_tiktoken_ones():
    for name in PRODUCTION:
        assert (load_tokenizer(name).bpe is not None) == (name in EXTENDABLE), name


def test_language_premium_is_the_one_recipe(measured, extension):
    results, eval_sets = measured
    counted = language_premium(TokenCounter(extension.tokenizer()), eval_sets["ja"])
    assert counted.premium == results["ja"].after.premium


def invoke(*args):
    return CliRunner().invoke(main, ["premium", *map(str, args)], terminal_width=100)


def test_cli_prints_before_and_after_and_writes_both_tables(home, tmp_path):
    out, table = tmp_path / "x.parquet", tmp_path / "x.csv"
    result = invoke("--home", home, "--tokenizer", "cl100k_base", "--extend", "apac:40",
                    "--extend", "apac:120", "--out", out, "--extend-csv", table)
    assert result.exit_code == 0, result.output
    assert shows(result.output, "cl100k_base extended for apac") and "+120" in result.output
    rows = pq.read_table(out)
    assert rows.schema.names == [*PREMIUM_SCHEMA.names, "region", "added_tokens"]
    assert sorted(set(rows["added_tokens"].to_pylist())) == [0, 40, 120]
    with open(table, newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert {line["lang"] for line in lines} == set(LANGS[1:])
    assert all(line["command"].startswith("hub premium") for line in lines)
    ja = {int(line["added_tokens"]): float(line["premium_after"]) for line in lines
          if line["lang"] == "ja"}
    assert ja[120] < ja[40]
    # What serving costs after: tokens over before on the same text, never above 1, and
    # the Parquet's tokens per character after over before (one figure, two tables).
    per_char = {(r["lang"], r["added_tokens"]): r["tokens_per_char"] for r in rows.to_pylist()}
    for line in lines:
        ratio = float(line["tokens_ratio"])
        assert 0 < ratio <= 1
        lang, added = line["lang"], int(line["added_tokens"])
        assert ratio == pytest.approx(per_char[lang, added] / per_char[lang, 0], abs=1e-6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--extend", "apac"], "expected REGION:N"),
        (["--extend", "mars:10"], "expected REGION:N"),
        (["--extend", "apac:0"], "expected REGION:N"),
        (["--extend", "apac:10", "--tokenizer", "qwen"], "cannot be extended"),
        (["--extend-csv", "x.csv"], "--extend-csv needs --extend"),
        (["--extend", "apac:10", "--prices"], "not with --extend"),
        (["--extend", "apac:10", "--lang", "de"], "de not a corpus language of apac"),
    ],
)
def test_bad_options_exit_2(home, args, message):
    result = invoke("--home", home, *args)
    assert result.exit_code == 2, result.output
    assert shows(result.output, message)
