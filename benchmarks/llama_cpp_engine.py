"""The hub's Llama weights as a llama.cpp GGUF file (Q8_0), and greedy decoding with llama.cpp.

Written with the `gguf` package's writer, following llama.cpp's own `convert_hf_to_gguf.py`
for the Llama architecture: the same tensor names, q/k rows permuted from Hugging Face's
rotate-half layout to llama.cpp's interleaved rotary pairs, norms kept in F32, every
matrix (the tied embedding too) quantised to Q8_0 (blocks of 32, one f16 scale). The
converter script itself refuses this tokenizer (its pre-tokenizer hash is not in its
list), so the vocabulary is written directly as a GPT-2 style byte-level BPE.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def _permute(weights: np.ndarray, heads: int) -> np.ndarray:
    # convert_hf_to_gguf.LlamaModel.permute: rotate-half halves -> interleaved pairs.
    rows = weights.shape[0] // heads // 2
    return weights.reshape(heads, 2, rows, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def write_gguf(model, tokenizer_json: Path, path: Path) -> None:
    """Write a hub.model.DecoderLM and its tokenizer.json as a Q8_0 GGUF file at `path`."""
    import gguf

    config = model.config
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("hub")
    writer.add_context_length(config.context_length)
    writer.add_embedding_length(config.d_model)
    writer.add_block_count(config.n_layer)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.n_head)
    writer.add_head_count_kv(config.n_kv_head)
    writer.add_rope_dimension_count(config.head_dim)
    writer.add_rope_freq_base(config.rope_base)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    _add_vocab(writer, tokenizer_json, config.vocab_size)
    names = {
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
    for name, tensor in model.state_dict().items():
        data = tensor.detach().float().numpy()
        if name == "model.embed_tokens.weight":
            target = "token_embd.weight"
        elif name == "model.norm.weight":
            target = "output_norm.weight"
        else:
            _, _, layer, part = name.split(".", 3)
            module = part.rsplit(".", 1)[0]
            target = f"blk.{layer}.{names[module]}.weight"
            if module == "self_attn.q_proj":
                data = _permute(data, config.n_head)
            elif module == "self_attn.k_proj":
                data = _permute(data, config.n_kv_head)
        if data.ndim == 2:
            quantised = gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(target, quantised, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(target, data.astype(np.float32))
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
        tokens[added["id"]] = added["content"]
        kinds[added["id"]] = gguf.TokenType.CONTROL
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(kinds)
    writer.add_token_merges(merges)
    ids = {a["content"]: a["id"] for a in spec["added_tokens"]}
    writer.add_bos_token_id(ids["<bos>"])
    writer.add_eos_token_id(ids["<eos>"])
    writer.add_pad_token_id(ids["<pad>"])
    writer.add_add_bos_token(False)


class LlamaCpp:
    """Batch-1 greedy decoding of token ids with llama-cpp-python on `threads` threads."""

    def __init__(self, gguf_path: Path, threads: int, context: int):
        from llama_cpp import Llama

        self.llm = Llama(
            model_path=str(gguf_path),
            n_ctx=context,
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=context,
            verbose=False,
        )

    def greedy(self, prompt: list[int], new: int) -> list[int]:
        """Exactly `new` greedy tokens after `prompt` (a fresh cache each call)."""
        out = []
        for token in self.llm.generate(prompt, temp=0.0, top_k=1, reset=True):
            out.append(int(token))
            if len(out) == new:
                break
        return out

    def close(self) -> None:
        """Free the model before the interpreter's exit (llama-cpp-python's own finaliser fails
        when it runs after the library is unloaded)."""
        self.llm.close()
