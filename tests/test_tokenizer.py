import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer

from hub.cli import main
from hub.corpus import build_corpus
from hub.corpus.cldr import cldr_source
from hub.corpus.records import Source
from hub.measurement.eval_set import evaluation_sets
from hub.metrics import METRICS_SCHEMA
from hub.tokenizer import (
    PROMPT_FORMATS,
    lang_tag,
    load_tokenizer,
    sample_training_text,
    special_ids,
    train_tokenizer,
)
from plumbing.errors import InputError
from tests.cli_text import shows

LOCALES = ("cldr:en", "cldr:de", "cldr:fr", "cldr:ru", "cldr:ja", "cldr:el")
VOCAB = 1000


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A small real corpus: six CLDR locales from babel, and three trained tokenizers."""
    home = tmp_path_factory.mktemp("home")
    cldr = cldr_source()
    units = [u for u in cldr.units if u.label in LOCALES]
    build_corpus(home, [Source("cldr", cldr.version, units)])
    for region in ("eu", "global", "english"):
        train_tokenizer(home, region, vocab_size=VOCAB, max_chars=200_000)
    return home


@pytest.fixture(scope="module")
def eu(home):
    return load_tokenizer(home, "eu")


def test_special_tokens_and_tags(eu):
    assert special_ids(eu) == {"pad": 0, "bos": 1, "eos": 2}
    assert eu.get_vocab_size() == VOCAB
    for lang in ("en", "de", "fr", "ru", "ja", "el"):
        assert eu.token_to_id(lang_tag(lang)) is not None
    assert lang_tag("pt_BR") == "<pt-BR>"
    assert eu.encode("<de>Hallo", add_special_tokens=False).ids[0] == eu.token_to_id("<de>")


def test_nfd_text_tokenizes_as_nfc_and_specials_add_bos(eu):
    import unicodedata

    text = "Größe, café, Ελληνικά"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    plain = eu.encode(text, add_special_tokens=False).ids
    assert eu.encode(nfd, add_special_tokens=False).ids == plain
    assert eu.encode(text).ids == [eu.token_to_id("<bos>"), *plain]
    # The written prompt format gives the ids the hub builds by hand.
    prompt = PROMPT_FORMATS["continue"].format(lang="de", text=text)
    expected = [eu.token_to_id("<bos>"), eu.token_to_id("<de>"), *plain]
    assert eu.encode(prompt, add_special_tokens=False).ids == expected


def test_every_region_has_the_same_tags(home, eu):
    english = load_tokenizer(home, "english")
    tags = [lang_tag(x) for x in ("en", "de", "fr", "ru", "ja", "el")]
    assert [eu.token_to_id(t) for t in tags] == [english.token_to_id(t) for t in tags]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_round_trip_any_unicode_up_to_nfc(eu, text):
    import unicodedata

    # The NFC normaliser maps canonically equivalent text to one form (U+F900 -> U+8C48).
    encoding = eu.encode(text, add_special_tokens=False)
    assert eu.decode(encoding.ids, skip_special_tokens=False) == unicodedata.normalize("NFC", text)


def test_regional_tokenizer_is_denser_for_its_scripts(home, eu):
    english = load_tokenizer(home, "english")
    greek = ["Ηνωμένες Πολιτείες", "Γερμανία", "Ιανουάριος"]

    def tokens(tokenizer):
        return sum(len(e.ids) for e in tokenizer.encode_batch(greek, add_special_tokens=False))

    assert tokens(eu) < tokens(english)


def test_missing_tokenizer_names_the_command(home):
    with pytest.raises(InputError, match="hub tokenizer train --region apac"):
        load_tokenizer(home, "apac")
    with pytest.raises(InputError, match="not allowed"):
        load_tokenizer(home, "../etc")


def test_region_without_corpus_languages(tmp_path):
    cldr = cldr_source()
    units = [u for u in cldr.units if u.label in ("cldr:en", "cldr:ja")]
    build_corpus(tmp_path, [Source("cldr", cldr.version, units)])
    with pytest.raises(InputError, match="region 'eu' has no language in the corpus"):
        train_tokenizer(tmp_path, "eu", vocab_size=VOCAB)


def test_bad_vocab(home):
    with pytest.raises(InputError, match="too small"):
        train_tokenizer(home, "eu", vocab_size=100)


def test_temperature_sampling_lifts_small_languages():
    texts = {"big": ["x" * 100] * 1000, "small": ["y" * 100] * 10}
    _, drawn = sample_training_text(texts, alpha=0.3, max_chars=20_000)
    # Proportional sampling would give small ~1%; with alpha 0.3 it gets far more, capped
    # at MAX_UPSAMPLE times its 1,000 characters.
    assert drawn["small"] == 4_000
    assert 20_000 * 0.6 < drawn["big"] <= 20_000


def test_eval_writes_tidy_metrics(home):
    result = CliRunner().invoke(
        main, ["tokenizer", "eval", "--home", str(home), "--region", "eu"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(home / "_tokenizers" / "eu" / "metrics.parquet")
    assert table.schema.equals(METRICS_SCHEMA)
    rows = table.to_pylist()
    models_seen = {r["model_id"] for r in rows}
    assert models_seen == {"tokenizer/eu", "tokenizer/global", "tokenizer/english"}
    premium = {
        (r["model_id"], r["lang"]): r["value"] for r in rows if r["metric"] == "token_premium_vs_en"
    }
    assert ("tokenizer/eu", "en") not in premium
    # Cyrillic costs more under the English-only tokenizer than under the European one.
    assert premium[("tokenizer/english", "ru")] > premium[("tokenizer/eu", "ru")]
    # The premium is `hub premium`'s: on the evaluation set, with its interval and hash.
    sets = evaluation_sets(home, ["ru"])
    ru = next(r for r in rows if (r["model_id"], r["lang"], r["metric"])
              == ("tokenizer/eu", "ru", "token_premium_vs_en"))
    assert ru["eval_set_sha256"] == sets["ru"].sha256
    assert ru["low"] < ru["value"] < ru["high"]
    assert "premium" in result.output and "ru" in result.output


def test_eval_without_baseline_says_how_to_make_it(tmp_path, home):
    import shutil

    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    shutil.rmtree(copy / "_tokenizers" / "english")
    result = CliRunner().invoke(main, ["tokenizer", "eval", "--home", str(copy), "--region", "eu"])
    assert result.exit_code == 2
    assert shows(result.output, "hub tokenizer train --region english")


def test_train_cli(tmp_path, home):
    import shutil

    copy = tmp_path / "home"
    shutil.copytree(home / "_corpus", copy / "_corpus")
    result = CliRunner().invoke(
        main,
        [
            "tokenizer",
            "train",
            "--home",
            str(copy),
            "--region",
            "english",
            "--region",
            "eu",
            "--vocab-size",
            "500",
            "--max-chars",
            "50000",
        ],
    )
    assert result.exit_code == 0, result.output
    for region in ("english", "eu"):
        assert Tokenizer.from_file(str(copy / "_tokenizers" / region / "tokenizer.json"))
