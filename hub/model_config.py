"""The shape of the hub's Transformer: `ModelConfig`, the named sizes and what a shape costs.

Free of torch, so the registry, the exporter's config writer and `hub show` read a model's
shape without loading the network (`hub.model` builds it). Every field is what a Hugging
Face `LlamaConfig` names (`hub.serving.hf_folder` writes it).

References: FLOPs per token, PaLM, Chowdhery et al. 2022, Appendix B (6N + 12·L·d·T).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

ATTENTION_KINDS = ("sdpa", "explicit")
# MLP widths are rounded up to this multiple: int8/int4 serving graphs quantise MatMul weights
# in blocks of 16 or 32 input rows, and the down projection's input is the MLP width.
MLP_MULTIPLE = 32


def llama_mlp_width(d_model: int, multiple: int = MLP_MULTIPLE) -> int:
    """Llama's SwiGLU width: 2/3 of 4·d (same weights as a 4·d GELU MLP), rounded up."""
    return multiple * math.ceil(8 * d_model / 3 / multiple)


@dataclass
class ModelConfig:
    """Shape of a Llama-shaped decoder-only Transformer.

    Attributes:
        vocab_size: Tokenizer vocabulary size (input and tied output embedding rows).
        n_layer: Number of Transformer blocks (Llama `num_hidden_layers`).
        n_head: Query heads per block; must divide `d_model` (`num_attention_heads`).
        d_model: Residual stream width (`hidden_size`).
        context_length: Longest sequence seen in training (`max_position_embeddings`;
            rotary positions extrapolate past it only poorly).
        intermediate_size: SwiGLU hidden width; 0 = `llama_mlp_width(d_model)`.
        n_kv_head: Key/value heads (`num_key_value_heads`); 0 = `n_head` (plain multi-head).
        dropout: Dropout on attention weights and residual branches; 0 because our
            models see each token only a few times, where dropout only slows learning.
        rope_base: Rotary frequency base (`rope_theta`); 10000 as in RoFormer and Llama 1/2.
        rms_norm_eps: RMSNorm epsilon; 1e-6, LlamaConfig's default.
        attention: "sdpa" (fused kernel, used in training) or "explicit" (matmul +
            softmax). Same results within 1e-5.
    """

    vocab_size: int
    n_layer: int
    n_head: int
    d_model: int
    context_length: int
    intermediate_size: int = 0
    n_kv_head: int = 0
    dropout: float = 0.0
    rope_base: float = 10000.0
    rms_norm_eps: float = 1e-6
    attention: str = "sdpa"

    def __post_init__(self) -> None:
        for name in ("vocab_size", "n_layer", "n_head", "d_model", "context_length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("intermediate_size", "n_kv_head"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        self.intermediate_size = self.intermediate_size or llama_mlp_width(self.d_model)
        self.n_kv_head = self.n_kv_head or self.n_head
        if self.d_model % self.n_head:
            raise ValueError(
                f"n_head={self.n_head} does not divide d_model={self.d_model}: "
                "each head needs an equal share of the width"
            )
        if self.n_head % self.n_kv_head:
            raise ValueError(
                f"n_kv_head={self.n_kv_head} does not divide n_head={self.n_head}: "
                "each key/value head serves an equal group of query heads"
            )
        if self.head_dim % 2:
            raise ValueError(
                f"head_dim = d_model / n_head = {self.head_dim} must be even for rotary positions"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if not self.rope_base > 1.0:
            raise ValueError(f"rope_base must be greater than 1, got {self.rope_base!r}")
        if not 0.0 < self.rms_norm_eps < 1.0:
            raise ValueError(f"rms_norm_eps must be in (0, 1), got {self.rms_norm_eps!r}")
        if self.attention not in ATTENTION_KINDS:
            raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {self.attention!r}")

    @property
    def head_dim(self) -> int:
        """Width of one attention head."""
        return self.d_model // self.n_head

    def to_dict(self) -> dict:
        """JSON-able dict of every field."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        """Build from `to_dict()` output; unknown keys are refused with their names."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown model config keys {unknown}; expected some of {sorted(known)}"
            )
        return cls(**data)


# Named sizes (everything but the vocabulary, which comes from the tokenizer). The MLP width
# is Llama's 8/3·d rounded up to a multiple of 32 (`llama_mlp_width`): 192, 704, 1376.
SIZES: dict[str, dict] = {
    # Trains in seconds: for tests.
    "tiny": dict(n_layer=2, n_head=2, d_model=64, context_length=64, intermediate_size=192),
    # ~5M parameters with an 8k vocabulary: trains on two CPU cores in a few minutes.
    "small": dict(n_layer=4, n_head=4, d_model=256, context_length=128, intermediate_size=704),
    # ~30M parameters: for a GPU.
    "base": dict(n_layer=8, n_head=8, d_model=512, context_length=512, intermediate_size=1376),
}


def config_for(size: str, vocab_size: int, **overrides) -> ModelConfig:
    """The ModelConfig of a named size for a tokenizer's vocabulary size."""
    if size not in SIZES:
        raise ValueError(f"unknown model size {size!r}; expected one of {sorted(SIZES)}")
    return ModelConfig(vocab_size=vocab_size, **{**SIZES[size], **overrides})


def parameter_count(config: ModelConfig) -> int:
    """Parameters of a DecoderLM with this config, computed from its shape."""
    d, kv_width = config.d_model, config.n_kv_head * config.head_dim
    attention = 2 * d * d + 2 * d * kv_width  # q and o, k and v
    per_block = attention + 3 * d * config.intermediate_size + 2 * d
    return config.vocab_size * d + config.n_layer * per_block + d


def flops_per_token(config: ModelConfig) -> int:
    """Training FLOPs per token (forward + backward), PaLM Appendix B convention.

    6·N for the weight matmuls (N counts the tied embedding once, which is the cost
    of the output projection; the input lookup is free) plus 12·L·d·T for the
    attention scores and weighted sums at full context T.
    """
    return (
        6 * parameter_count(config) + 12 * config.n_layer * config.d_model * config.context_length
    )
