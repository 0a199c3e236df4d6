"""The hub's Llama weights and tokenizer as one GGUF file that llama.cpp and Ollama load.

Written with the `gguf` package's writer, following llama.cpp's own `convert_hf_to_gguf.py`
for the Llama architecture: the same tensor names, q/k rows permuted from Hugging Face's
rotate-half layout to llama.cpp's interleaved rotary pairs, norms in F32, matrices in F32
(the bundle: equal to `model.safetensors`) or Q8_0 (blocks of 32, one f16 scale). The
converter script itself refuses this tokenizer (its pre-tokenizer hash is not in its list),
so the vocabulary is written directly as a GPT-2 style byte-level BPE.

What llama.cpp applies to text (stated in the model card, `TOKENIZER_NOTE`): the `gpt-2`
pre-tokenizer, the same regex split as the tokenizer.json's ByteLevel pre-tokenizer
(llama.cpp's `LLAMA_VOCAB_PRE_TYPE_GPT2`), then byte-level BPE by merge rank. It does not
apply the tokenizer.json's NFC normalizer, so callers NFC-normalise text themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from hub.tokenizer import SPECIALS

GGUF = "model.gguf"
# llama.cpp's name for the GPT-2 regex split (llama-vocab.cpp: "gpt-2" -> PRE_TYPE_GPT2); the
# `default` pre-type splits punctuation and digits apart first, which this BPE never saw.
PRE_TOKENIZER = "gpt-2"
FILE_TYPES = ("f32", "q8_0")
TOKENIZER_NOTE = (
    "llama.cpp splits text with its `gpt-2` pre-tokenizer (the GPT-2 regex, as the "
    "tokenizer.json's ByteLevel pre-tokenizer does) and applies byte-level BPE, but it skips "
    "the tokenizer.json's NFC normalizer: NFC-normalise input first (Python: "
    '`unicodedata.normalize("NFC", text)`), or decomposed text (NFD, as macOS file names and '
    "some keyboards give) is split into more, different tokens than the model was trained on."
)
# Hugging Face module names -> llama.cpp's (gguf.TensorNameMap for MODEL_ARCH.LLAMA).
LAYER_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm",
}


def permute_rotary(weights: np.ndarray, heads: int) -> np.ndarray:
    """Rows of a q/k projection from rotate-half halves to interleaved rotary pairs.

    As `convert_hf_to_gguf.LlamaModel.permute`: llama.cpp's Llama rope (type NORM) rotates
    adjacent pairs, Hugging Face's rotates the two halves of each head.
    """
    rows = weights.shape[0] // heads // 2
    return weights.reshape(heads, 2, rows, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def gguf_name(name: str) -> str:
    """llama.cpp's tensor name for a hub.model.DecoderLM state-dict name."""
    if name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if name == "model.norm.weight":
        return "output_norm.weight"
    _, _, layer, part = name.split(".", 3)
    return f"blk.{layer}.{LAYER_NAMES[part.rsplit('.', 1)[0]]}.weight"


def write_gguf(
    model, tokenizer_json: Path, path: Path, file_type: str = "f32", chat_template: str = ""
) -> None:
    """Write a hub.model.DecoderLM and its tokenizer.json as a GGUF file at `path`.

    Args:
        model: The model; its state dict is written (the tied output matrix once, as
            llama.cpp reuses `token_embd` when `output` is absent).
        tokenizer_json: The tokenizer whose vocabulary, merges and specials are written.
        path: The file to write.
        file_type: "f32" (exact weights) or "q8_0" (matrices quantised, norms F32).
        chat_template: Jinja template stored as `tokenizer.chat_template`, if any.
    """
    import gguf

    if file_type not in FILE_TYPES:
        raise ValueError(f"file_type {file_type!r}: expected one of {FILE_TYPES}")
    config = model.config
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("hub")
    writer.add_context_length(config.context_length)
    writer.add_embedding_length(config.d_model)
    writer.add_block_count(config.n_layer)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.n_head)
    writer.add_head_count_kv(config.n_kv_head)
    writer.add_key_length(config.head_dim)
    writer.add_value_length(config.head_dim)
    writer.add_rope_dimension_count(config.head_dim)
    writer.add_rope_freq_base(config.rope_base)
    # Plain rotary positions: "none" is the scaling type llama.cpp knows for them (the HF
    # config's "default" is what convert_hf_to_gguf warns about as unknown).
    writer.add_rope_scaling_type(gguf.RopeScalingType.NONE)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)
    quantised = file_type == "q8_0"
    kind = gguf.LlamaFileType.MOSTLY_Q8_0 if quantised else gguf.LlamaFileType.ALL_F32
    writer.add_file_type(kind)
    _add_vocab(writer, tokenizer_json, config.vocab_size)
    if chat_template:
        writer.add_chat_template(chat_template)
    for name, tensor in model.state_dict().items():
        data = tensor.detach().float().numpy()
        if name.endswith("self_attn.q_proj.weight"):
            data = permute_rotary(data, config.n_head)
        elif name.endswith("self_attn.k_proj.weight"):
            data = permute_rotary(data, config.n_kv_head)
        if quantised and data.ndim == 2:
            packed = gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(gguf_name(name), packed, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(gguf_name(name), np.ascontiguousarray(data, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _add_vocab(writer, tokenizer_json: Path, vocab_size: int) -> None:
    import gguf

    spec = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    tokens = [""] * vocab_size
    for token, index in spec["model"]["vocab"].items():
        tokens[index] = token
    kinds = [gguf.TokenType.NORMAL] * vocab_size
    for added in spec["added_tokens"]:
        # Control tokens are matched in text only when the caller asks for special parsing,
        # as the tokenizers library matches added tokens.
        tokens[added["id"]] = added["content"]
        kinds[added["id"]] = gguf.TokenType.CONTROL
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(PRE_TOKENIZER)
    writer.add_token_list(tokens)
    writer.add_token_types(kinds)
    writer.add_token_merges(merges)
    ids = {a["content"]: a["id"] for a in spec["added_tokens"]}
    pad, bos, eos = SPECIALS
    writer.add_bos_token_id(ids[bos])
    writer.add_eos_token_id(ids[eos])
    writer.add_pad_token_id(ids[pad])
    # As the bundle's tokenizer.json post-processor: <bos> first, no <eos>.
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
