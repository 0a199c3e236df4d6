import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.languages import (
    base_language,
    language_weights,
    normalize_lang,
    region_corpus_langs,
)
from plumbing.errors import InputError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("de", "de"),
        ("pt_BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("en_US", "en-US"),
        ("de_DE.UTF-8", "de-DE"),
        ("zh_CN", "zh-Hans"),
        ("zh_TW", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("zh_HK", "zh-Hant-HK"),
        ("zh-Hant", "zh-Hant"),
        ("sr@latin", "sr-Latn"),
        ("sr_Cyrl", "sr"),
        ("sr-Latn", "sr-Latn"),
        ("az_Latn", "az"),
        ("pa_Arab", "pa-Arab"),
        ("ca@valencia", "ca-valencia"),
        ("iw", "he"),
        ("ast", "ast"),
    ],
)
def test_normalize_lang(raw, expected):
    assert normalize_lang(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "  ", "xx", "C", "POSIX", "en@quot", "de_DE_toolongsubtagx", "d"]
)
def test_bad_codes_name_the_code(raw):
    with pytest.raises(InputError) as caught:
        normalize_lang(raw)
    assert repr(raw) in caught.value.message


@given(st.sampled_from(["de", "pt_BR", "zh_TW", "sr@latin", "en_GB", "fr-CA", "zh-Hans-SG"]))
def test_normalize_is_idempotent(code):
    once = normalize_lang(code)
    assert normalize_lang(once) == once


def test_base_language():
    assert base_language("pt_BR") == "pt"
    assert base_language("zh-Hant") == "zh"
    assert base_language("sr@latin") == "sr"


def test_language_weights_temperature():
    weights = language_weights({"big": 1_000_000, "small": 1_000, "none": 0}, alpha=0.3)
    assert weights["none"] == 0
    assert weights["big"] + weights["small"] == pytest.approx(1)
    # p ~ n^0.3: a 1000x larger language gets only 1000^0.3 ~ 7.94x the weight.
    assert weights["big"] / weights["small"] == pytest.approx(1000**0.3)
    assert language_weights({"a": 1, "b": 100}, alpha=0) == {"a": 0.5, "b": 0.5}
    with pytest.raises(InputError):
        language_weights({"a": 1}, alpha=1.5)


@given(
    st.dictionaries(st.sampled_from(list("abcdefgh")), st.integers(1, 10**9), min_size=1),
    st.floats(0, 1),
)
def test_language_weights_sum_to_one_and_keep_order(counts, alpha):
    weights = language_weights(counts, alpha)
    assert sum(weights.values()) == pytest.approx(1)
    ordered = sorted(counts, key=counts.get)
    assert all(weights[a] <= weights[b] + 1e-12 for a, b in zip(ordered, ordered[1:], strict=False))


CORPUS = ["en", "de", "de-CH", "pt-BR", "ja", "zh-Hant", "sw", "fr"]


def test_region_membership_by_base_language():
    eu = region_corpus_langs(CORPUS, "eu")
    assert {"en", "de", "de-CH", "fr", "pt-BR"} <= set(eu)
    assert "ja" not in eu and "sw" not in eu
    assert region_corpus_langs(CORPUS, "global") == sorted(CORPUS)
    assert region_corpus_langs(CORPUS, "english") == ["en"]


def test_english_always_included():
    assert "en" in region_corpus_langs(CORPUS, "apac")


def test_region_without_corpus_languages_is_an_error():
    with pytest.raises(InputError, match="no language in the corpus"):
        region_corpus_langs(["en", "ja"], "eu")


def test_unknown_region_is_an_error():
    with pytest.raises(InputError, match="unknown region 'mars'"):
        region_corpus_langs(CORPUS, "mars")
