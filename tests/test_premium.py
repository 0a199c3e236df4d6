"""`hub premium`: the premium and its interval on cases with known answers, the Parquet
schemas, the API money join and its mapping, refusals."""

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from hub.cli import main
from hub.corpus.records import Source, Unit
from hub.corpus.store import build_corpus
from hub.measurement.api_costs import API_COST_SCHEMA, load_api_tokenizers
from hub.measurement.eval_set import evaluation_sets, make_eval_set
from hub.measurement.premium import (
    PREMIUM_SCHEMA,
    TokenCounter,
    language_premium,
)
from hub.measurement.production_tokenizers import (
    PRODUCTION,
    LoadedTokenizer,
    TokenizerIdentity,
    load_tokenizer,
)
from hub.prices import load_api_prices
from plumbing.errors import InputError
from tests.cli_text import shows
from tests.tiny_hub import register_tiny
from tests.train_home import cldr_names

# UTF-8 bytes as tokens: a tokenizer whose counts are known by hand.
BYTES = LoadedTokenizer(
    TokenizerIdentity("bytes", "test", "none", 256, "-", "-", "-", "-"), lambda t: list(t.encode())
)


def premium_of(pairs, lang="de"):
    rows = [(translation, english) for english, translation in pairs]
    eval_set = make_eval_set(lang, rows, max_bytes=10**9)
    return language_premium(TokenCounter(BYTES), eval_set)


def test_constant_ratio_gives_a_zero_width_interval_at_that_ratio():
    pairs = [(english, english * 3) for english in ("cat", "house", "a tree", "blue sky")]
    result = premium_of(pairs)
    assert (result.premium.value, result.premium.low, result.premium.high) == (3.0, 3.0, 3.0)
    assert result.n_pairs == 4


def test_two_pairs_give_the_interval_of_their_three_possible_resamples():
    # Resampling two pairs of (1 -> 1) and (1 -> 3) tokens gives 1 (p 1/4), 2 (1/2), 3 (1/4):
    # the ratio of sums is 2 and the 2.5th and 97.5th percentiles are 1 and 3.
    result = premium_of([("a", "x"), ("b", "yyy")])
    assert (result.premium.value, result.premium.low, result.premium.high) == (2.0, 1.0, 3.0)


def test_ratio_of_sums_weighs_pairs_by_length():
    # Per-pair ratios 2 and 1 average 1.5; the ratio of sums (2 + 10) / (1 + 10) does not.
    assert premium_of([("a", "xx"), ("b" * 10, "y" * 10)]).premium.value == pytest.approx(12 / 11)


def test_tokens_per_char_counts_characters_not_bytes():
    result = premium_of([("Japan", "日本")], lang="ja")
    assert result.tokens_per_char.value == 3.0  # 6 UTF-8 bytes over 2 characters
    assert result.premium.value == 6 / 5


texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)


@given(
    pairs=st.lists(st.tuples(texts, texts), min_size=1, max_size=12),
    cuts=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_premium_is_invariant_to_how_the_text_is_split_into_rows(pairs, cuts):
    """The premium is a ratio of totals, so regrouping rows that keeps totals keeps it.

    Adjacent pairs are joined into one row (English to English, translation to translation)
    where `cuts` says so. Under an additive count (UTF-8 bytes) the totals are unchanged, so
    the premium must be too; a mean of per-row ratios would move. Only the point value is
    invariant: the interval resamples rows, and fewer, longer rows give a wider one.
    """
    joined = [list(pairs[0])]
    for (english, translation), cut in zip(pairs[1:], cuts, strict=False):
        if cut:
            joined.append([english, translation])
        else:
            joined[-1] = [joined[-1][0] + english, joined[-1][1] + translation]
    # make_eval_set keeps a text once; duplicates would change the totals, not the recipe.
    for rows in (pairs, joined):
        assume(len({translation for _, translation in rows}) == len(rows))
    assert premium_of(joined).premium.value == pytest.approx(premium_of(pairs).premium.value)


def test_english_is_the_reference():
    eval_set = make_eval_set("en", [("cat", None), ("dog", None)], max_bytes=10**9)
    result = language_premium(TokenCounter(BYTES), eval_set)
    assert (result.premium.value, result.n_pairs) == (1.0, 0)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("premium") / "home"
    build_corpus(home, [Source("cldr-names", "test", [Unit("names", cldr_names)])])
    register_tiny(home, "eu")
    return home


def invoke(*args):
    return CliRunner().invoke(main, ["premium", *map(str, args)])


def test_hub_tokenizer_premium_is_the_tokenizers_librarys_own_count(home):
    from hub import registry

    eval_set = evaluation_sets(home, ["de"])["de"]
    result = language_premium(TokenCounter(load_tokenizer("hub:eu", home)), eval_set)
    _, _, tokenizer = registry.load_model(registry.resolve(home, "eu"))

    def tokens(texts):
        return sum(len(e.ids) for e in tokenizer.encode_batch(texts, add_special_tokens=False))

    english, translated = zip(*eval_set.pairs, strict=True)
    assert result.premium.value == pytest.approx(tokens(list(translated)) / tokens(list(english)))
    assert result.premium.low < result.premium.value < result.premium.high
    assert result.identity.package_version == "eu/v1"


def test_premium_parquet_and_money(home, tmp_path):
    out, money = tmp_path / "premium.parquet", tmp_path / "money.parquet"
    args = ["--home", home, "--lang", "de", "--lang", "fr", "--out", out, "--prices-out", money]
    result = invoke(*args, "--tokenizer", "o200k_base", "--tokenizer", "hub:eu")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.schema.equals(PREMIUM_SCHEMA)
    rows = {(r["tokenizer"], r["lang"]): r for r in table.to_pylist()}
    assert set(rows) == {(t, lang) for t in ("o200k_base", "hub:eu") for lang in ("en", "de", "fr")}
    sets = evaluation_sets(home, ["de", "en", "fr"])
    for (_, lang), row in rows.items():
        assert row["eval_set_sha256"] == sets[lang].sha256
        assert row["n_pairs"] == len(sets[lang].pairs)
    assert rows[("o200k_base", "de")]["tokenizer_sha256"].startswith("446a9538")
    assert rows[("o200k_base", "de")]["command"].startswith("hub premium")

    costs = pq.read_table(money)
    assert costs.schema.equals(API_COST_SCHEMA)
    cost = {(r["api_model"], r["lang"]): r for r in costs.to_pylist()}
    gpt, per_char = cost[("gpt-4o", "de")], rows[("o200k_base", "de")]["tokens_per_char"]
    assert gpt["input_usd_per_1m_chars"] == pytest.approx(per_char * 2.50)
    assert gpt["output_usd_per_1m_chars_high"] == pytest.approx(
        rows[("o200k_base", "de")]["tokens_per_char_high"] * 10.00
    )
    claude = cost[("claude-3-5-sonnet", "de")]
    assert claude["certainty"] == "none" and claude["input_usd_per_1m_chars"] is None
    unmeasured = cost[("mistral-large-2411", "de")]  # mistral_v3 was not asked for
    assert unmeasured["input_usd_per_1m_chars"] is None
    assert "not measured" in unmeasured["mapping_note"]


def test_bad_tokenizer_exits_2_naming_the_valid_ones(home):
    result = invoke("--home", home, "--tokenizer", "gpt5", "--lang", "de")
    assert result.exit_code == 2
    assert shows(result.output, "unknown tokenizer 'gpt5'")
    assert all(shows(result.output, name) for name in PRODUCTION)
    assert shows(result.output, "hub:eu")


def test_language_without_test_rows_exits_2(home):
    result = invoke("--home", home, "--tokenizer", "qwen", "--lang", "xx")
    assert result.exit_code == 2
    assert shows(result.output, "no test rows in the corpus for xx")


def test_every_priced_api_model_has_a_mapping():
    mapping = load_api_tokenizers()
    assert {price.model for price in load_api_prices()} <= set(mapping)


def test_openai_mapping_is_tiktokens_own():
    import tiktoken

    for model, link in load_api_tokenizers().items():
        if link.source_publisher == "OpenAI":
            assert link.tokenizer == tiktoken.encoding_name_for_model(model), model


MULTILINGUAL = "Guten Tag! Привет, мир. 東京都の天気は晴れ。 สวัสดีครับ Xin chào"


def test_mistral_mapping_counts_as_mistral_commons_own_map():
    from mistral_common.tokens.tokenizers.mistral import MODEL_NAME_TO_TOKENIZER_CLS

    for model, link in load_api_tokenizers().items():
        if link.source_publisher == "Mistral AI":
            theirs = MODEL_NAME_TO_TOKENIZER_CLS[model]().instruct_tokenizer.tokenizer
            ours = load_tokenizer(link.tokenizer)
            assert ours.encode(MULTILINGUAL) == theirs.encode(MULTILINGUAL, bos=False, eos=False)


def test_a_trained_tokenizer_without_a_model_is_hub_region_too(home, tmp_path):
    import shutil

    from hub import registry
    from hub.measurement.production_tokenizers import hub_names
    from hub.tokenizer import tokenizer_path
    from plumbing.atomic import sha256_file

    other = tmp_path / "home"
    shutil.copytree(home, other)
    trained = tokenizer_path(other, "na")
    trained.parent.mkdir(parents=True)
    shutil.copyfile(registry.resolve(other, "eu").file(registry.TOKENIZER), trained)
    assert hub_names(other) == ["hub:eu", "hub:na"]
    identity = load_tokenizer("hub:na", other).identity
    assert identity.package == "hub tokenizer (no model registered)"
    assert identity.file_sha256 == sha256_file(trained)
    with pytest.raises(InputError, match="hub train --region cis"):
        load_tokenizer("hub:cis", other)


def test_corpus_from_another_home_and_a_home_without_one(home, tmp_path):
    empty = tmp_path / "empty"
    args = ["--tokenizer", "tekken", "--lang", "fr"]
    result = invoke("--home", empty, "--corpus", home, *args)
    assert result.exit_code == 0, result.output
    assert shows(result.output, "tekken") and shows(result.output, "fr")
    refused = invoke("--home", empty, *args)
    assert refused.exit_code == 2
    assert shows(refused.output, "run `hub corpus build` first")


def test_the_tables_name_every_tokenizer_whole_at_80_columns(home):
    result = invoke("--home", home, "--lang", "de", "--prices")
    assert result.exit_code == 0, result.output
    for name in [*PRODUCTION, "hub:eu", "gpt-4o-mini", "deepseek-chat (V3)"]:
        assert name in result.output, name
