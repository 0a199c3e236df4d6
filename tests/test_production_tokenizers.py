"""Production tokenizers read offline: known encodings, identities, refusals.

Each pin is cross-checked against the tokenizer file itself (its vocabulary, read here
without the library that encodes), so a pin that a library got wrong would show.
"""

import base64
import dataclasses
import gzip
import hashlib
import inspect
import json
from importlib import metadata
from pathlib import Path

import pytest

from hub.measurement import production_tokenizers as pt
from hub.measurement.production_tokenizers import PRODUCTION, load_tokenizer
from plumbing.errors import InputError

# "hello world" in each tokenizer, no special tokens; cl100k_base's from the issue.
HELLO_WORLD = {
    "cl100k_base": [15339, 1917],
    "o200k_base": [24912, 2375],
    "tekken": [29706, 4304],
    "mistral_v3": [7080, 29477, 2294],
    "qwen": [14990, 1879],
    "deepseek": [33310, 2058],
}
VOCAB = {
    "cl100k_base": 100_277,
    "o200k_base": 200_019,
    "tekken": 131_072,
    "mistral_v3": 32_768,
    "qwen": 151_851,  # 151,643 byte-level BPE tokens and 208 special ones
    "deepseek": 129_280,
}


def shipped(name: str) -> Path:
    spec = PRODUCTION[name]
    return Path(str(metadata.distribution(spec.package).locate_file(spec.path)))


def tiktoken_rank(name: str, piece: bytes) -> int:
    data = shipped(name).read_bytes()
    data = gzip.decompress(data) if shipped(name).suffix == ".gz" else data
    wanted = base64.b64encode(piece)
    return next(int(line.split()[1]) for line in data.splitlines() if line.split()[0] == wanted)


@pytest.fixture(scope="module")
def loaded():
    return {name: load_tokenizer(name) for name in PRODUCTION}


def test_the_registry_has_the_issues_names_and_o200k():
    assert set(PRODUCTION) == set(HELLO_WORLD)


@pytest.mark.parametrize("name", sorted(HELLO_WORLD))
def test_known_encoding(loaded, name):
    assert loaded[name].encode("hello world") == HELLO_WORLD[name]


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "qwen"])
def test_tiktoken_files_rank_the_two_pieces_as_encoded(name):
    assert HELLO_WORLD[name] == [tiktoken_rank(name, b"hello"), tiktoken_rank(name, b" world")]


def test_tekken_ids_are_file_ranks_after_the_special_tokens():
    file = json.loads(shipped("tekken").read_text(encoding="utf-8"))
    specials = file["config"]["default_num_special_tokens"]
    rank = {entry["token_bytes"]: entry["rank"] for entry in file["vocab"]}
    pieces = [base64.b64encode(p).decode() for p in (b"hello", b" world")]
    assert HELLO_WORLD["tekken"] == [rank[p] + specials for p in pieces]


def test_deepseek_ids_are_its_tokenizer_json_vocabulary():
    vocab = json.loads(shipped("deepseek").read_text(encoding="utf-8"))["model"]["vocab"]
    assert HELLO_WORLD["deepseek"] == [vocab["hello"], vocab["Ġworld"]]  # Ġ: byte-level space


def test_mistral_v3_ids_are_its_sentencepiece_pieces():
    import sentencepiece

    model = sentencepiece.SentencePieceProcessor(model_file=str(shipped("mistral_v3")))
    assert [model.id_to_piece(i) for i in HELLO_WORLD["mistral_v3"]] == ["▁hell", "o", "▁world"]


@pytest.mark.parametrize("name", sorted(HELLO_WORLD))
def test_identity(loaded, name):
    identity = loaded[name].identity
    spec = PRODUCTION[name]
    data = shipped(name).read_bytes()
    data = gzip.decompress(data) if shipped(name).suffix == ".gz" else data
    assert identity.name == name and identity.kind == "production"
    assert identity.vendor == spec.vendor
    assert identity.vocab_size == VOCAB[name]
    assert identity.file_sha256 == hashlib.sha256(data).hexdigest()
    assert identity.package == spec.package
    assert identity.package_version == metadata.version(spec.package)


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_openai_files_carry_the_hash_tiktokens_source_publishes(loaded, name):
    from tiktoken_ext import openai_public

    source = inspect.getsource(openai_public.ENCODING_CONSTRUCTORS[name])
    assert f'expected_hash="{loaded[name].identity.file_sha256}"' in source


def test_openai_file_with_another_hash_is_refused():
    with pytest.raises(InputError, match="tiktoken's source"):
        pt._openai("cl100k_base")(b"aGVsbG8= 0\n", shipped("cl100k_base"))


def test_pinned_file_with_another_hash_is_refused(monkeypatch):
    wrong = dataclasses.replace(PRODUCTION["qwen"], sha256="0" * 64)
    monkeypatch.setitem(PRODUCTION, "qwen", wrong)
    with pytest.raises(InputError, match="sha256 b2b1b8df.* is not the 0000"):
        load_tokenizer("qwen")


def test_missing_package_is_named(monkeypatch):
    absent = dataclasses.replace(PRODUCTION["deepseek"], package="no-such-tokenizer-package")
    monkeypatch.setitem(PRODUCTION, "deepseek", absent)
    with pytest.raises(InputError, match="needs the package no-such-tokenizer-package"):
        load_tokenizer("deepseek")


def test_unknown_name_lists_the_valid_ones(tmp_path):
    with pytest.raises(InputError) as error:
        load_tokenizer("gpt5", home=tmp_path)
    assert all(name in str(error.value) for name in PRODUCTION)
    assert "hub:REGION" in str(error.value)


def test_special_token_text_counts_as_text(loaded):
    # An API bills "<|endoftext|>" typed by a user as ordinary text, not one control token.
    assert len(loaded["cl100k_base"].encode("<|endoftext|>")) > 1
    assert len(loaded["qwen"].encode("<|endoftext|>")) > 1
