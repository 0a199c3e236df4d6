"""The bundle's GGUF file, read by llama.cpp's own Python reader (`gguf.GGUFReader`) and, where
llama-cpp-python installs from a wheel, loaded by llama.cpp itself."""

import unicodedata

import numpy as np
import pytest
import torch
import transformers
from gguf import MODEL_ARCH, GGUFReader, get_tensor_name_map
from safetensors.numpy import load_file
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

from hub.serving import gguf_file
from tests.tiny_hub import TEXT

# llama.cpp's split for tokenizer.ggml.pre = "gpt-2" (llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_GPT2).
LLAMA_CPP_SPLITS = {
    "gpt-2": r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)",
}
# Precomposed letters, so NFD differs from NFC in each word but one.
NFC_TEXT = ["Grün und schön", TEXT[3], "Bonjour, comment allez-vous aujourd'hui ?"]


# The shared tiny export (tests/conftest.py) is built once for the modules of this group.
pytestmark = pytest.mark.xdist_group("tiny-export")


@pytest.fixture(scope="module")
def exported(tiny_export):
    """(registry version, bundle folder) of the tiny model."""
    return tiny_export[0], tiny_export[2]


@pytest.fixture(scope="module")
def reader(exported):
    return GGUFReader(exported[1] / gguf_file.GGUF)


def field(reader: GGUFReader, key: str):
    return reader.fields[key].contents()


def llama_cpp_tokenizer(reader: GGUFReader) -> Tokenizer:
    """What llama.cpp does with the GGUF vocabulary: its pre-tokenizer's regex split, byte-level
    mapping, BPE by merge rank, no normalizer; built from the file's fields only."""
    tokens = field(reader, "tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ")) for m in field(reader, "tokenizer.ggml.merges")]
    bpe = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges))
    split = LLAMA_CPP_SPLITS[field(reader, "tokenizer.ggml.pre")]
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(split), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    bpe.decoder = decoders.ByteLevel()
    return bpe


def gguf_ids(reader: GGUFReader, text: str) -> list[int]:
    body = llama_cpp_tokenizer(reader).encode(text, add_special_tokens=False).ids
    bos = [field(reader, "tokenizer.ggml.bos_token_id")]
    return (bos if field(reader, "tokenizer.ggml.add_bos_token") else []) + body


def test_metadata_is_a_llama_llama_cpp_knows(exported, reader):
    version, _ = exported
    model = version.config().model
    assert field(reader, "general.architecture") == "llama"
    assert field(reader, "llama.block_count") == model["n_layer"]
    assert field(reader, "llama.embedding_length") == model["d_model"]
    assert field(reader, "llama.attention.head_count_kv") == model["n_kv_head"]
    assert field(reader, "llama.context_length") == model["context_length"]
    # llama.cpp's rope scaling types: none, linear, yarn, longrope ("default" is unknown to it).
    assert field(reader, "llama.rope.scaling.type") == "none"
    assert field(reader, "tokenizer.ggml.model") == "gpt2"
    assert field(reader, "tokenizer.ggml.pre") == "gpt-2"


def test_tensors_equal_the_safetensors_weights(exported, reader):
    _, out = exported
    weights = load_file(out / "model.safetensors")
    blocks = field(reader, "llama.block_count")
    heads = {
        "attn_q": field(reader, "llama.attention.head_count"),
        "attn_k": field(reader, "llama.attention.head_count_kv"),
    }
    # gguf's own map from Hugging Face names to llama.cpp's, as convert_hf_to_gguf uses it.
    names = get_tensor_name_map(MODEL_ARCH.LLAMA, blocks)
    expected = {names.get_name(n, try_suffixes=(".weight",)): w for n, w in weights.items()}
    assert {t.name for t in reader.tensors} == set(expected)  # tied: no separate output.weight
    for tensor in reader.tensors:
        data = np.asarray(tensor.data)
        kind = tensor.name.split(".")[-2]
        if kind in heads:
            # Undo the rotate-half -> interleaved-pairs row order llama.cpp's rope needs.
            rows = data.shape[0] // heads[kind] // 2
            data = data.reshape(heads[kind], rows, 2, -1).swapaxes(1, 2).reshape(data.shape)
        np.testing.assert_array_equal(data, expected[tensor.name], err_msg=tensor.name)


def test_vocabulary_read_back_gives_transformers_ids_on_nfc_text(exported, reader):
    hf_tok = transformers.AutoTokenizer.from_pretrained(exported[1])
    for text in NFC_TEXT:
        assert gguf_ids(reader, text) == hf_tok(text).input_ids, text


def test_nfd_input_needs_nfc_first_because_llama_cpp_skips_the_normalizer(exported, reader):
    hf_tok = transformers.AutoTokenizer.from_pretrained(exported[1])
    for text in NFC_TEXT[:2]:
        nfd = unicodedata.normalize("NFD", text)
        assert nfd != text
        # transformers applies tokenizer.json's NFC normalizer; llama.cpp does not, and splits
        # each decomposed letter into its base and a combining mark: more, different tokens.
        assert hf_tok(nfd).input_ids == hf_tok(text).input_ids
        raw = gguf_ids(reader, nfd)
        assert len(raw) > len(hf_tok(text).input_ids)
        assert gguf_ids(reader, unicodedata.normalize("NFC", nfd)) == hf_tok(text).input_ids
    card = (exported[1] / "README.md").read_text(encoding="utf-8")
    assert gguf_file.TOKENIZER_NOTE in card


def test_llama_cpp_loads_the_file_and_agrees_with_transformers(exported):
    llama_cpp = pytest.importorskip(
        "llama_cpp",
        reason="llama-cpp-python has no wheel for this platform in the package index "
        "(`pip install --only-binary=:all: llama-cpp-python` finds none); the gguf reader "
        "tests above check the file instead",
    )
    _, out = exported
    llm = llama_cpp.Llama(str(out / gguf_file.GGUF), n_ctx=64, logits_all=True, verbose=False)
    hf_tok = transformers.AutoTokenizer.from_pretrained(out)
    hf_model = transformers.AutoModelForCausalLM.from_pretrained(out).eval()
    for text in NFC_TEXT:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        assert ids == hf_tok(text).input_ids, text
        llm.reset()
        llm.eval(ids)
        with torch.no_grad():
            theirs = hf_model(torch.tensor([ids])).logits[0].numpy()
        assert np.abs(np.asarray(llm.scores[: len(ids)]) - theirs).max() <= 1e-3
    llm.close()
