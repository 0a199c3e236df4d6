"""A Llama-shaped decoder-only Transformer with rotary positions and a key/value cache.

Every part is what a Hugging Face `LlamaConfig` describes, so the weights load as
`LlamaForCausalLM` and onnxruntime-genai's model builder and llama.cpp take them as they
are: RMSNorm before attention and MLP (`rms_norm_eps`), rotate-half rotary positions
(`rope_theta`), grouped key/value heads (`num_key_value_heads`), a SwiGLU MLP
(`gate_proj`, `up_proj`, `down_proj`, SiLU, `intermediate_size`), no biases, and the
output projection tied to the input embedding (`tie_word_embeddings`). Parameter names
are Llama's (`model.embed_tokens.weight`, `model.layers.N.self_attn.q_proj.weight`, ...,
`model.norm.weight`); the tied `lm_head` is not a separate tensor.

One forward serves training, evaluation, generation and export: it takes token ids, an
optional attention mask over past + current positions (1 = real token, 0 = padding) and
an optional cache, and returns logits plus the updated cache. Positions count real tokens
only, so left- and right-padded rows get the positions of the unpadded sequence.

References:
- Llama: Touvron et al. 2023, "LLaMA: Open and Efficient Foundation Language Models";
  transformers `models/llama/modeling_llama.py` (the semantics followed here).
- SwiGLU: Shazeer 2020, "GLU Variants Improve Transformer".
- RMSNorm: Zhang & Sennrich 2019. Rotary positions: Su et al. 2021, RoFormer.
- Grouped-query attention: Ainslie et al. 2023.

Its shape, named sizes and cost per token are `hub.model_config` (free of torch).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from hub.model_config import ATTENTION_KINDS, ModelConfig

KeyValueCache = tuple[tuple[torch.Tensor, torch.Tensor], ...]


class RMSNorm(nn.Module):
    """Root-mean-square normalisation with a learned gain (Llama's `LlamaRMSNorm`)."""

    def __init__(self, width: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise the last dimension (in float32, as Llama does under bf16)."""
        x32 = x.float()
        normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * normed.type_as(x)


def rotary_cos_sin(
    position_ids: torch.Tensor, head_dim: int, base: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cosines and sines (B, 1, T, head_dim) of the rotary angles for each position."""
    inv_freq = 1.0 / (
        base
        ** (
            torch.arange(0, head_dim, 2, device=position_ids.device, dtype=torch.float32) / head_dim
        )
    )
    angles = position_ids.float().unsqueeze(-1) * inv_freq  # (B, T, head_dim/2)
    angles = torch.cat((angles, angles), dim=-1).unsqueeze(1)
    return angles.cos(), angles.sin()


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate pairs (x_i, x_{i+d/2}) of each head by their position's angles (rotate-half)."""
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return (x * cos + rotated * sin).type_as(x)


class Attention(nn.Module):
    """Grouped-query self-attention over the cache plus the current positions."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.n_head, self.n_kv_head = config.n_head, config.n_kv_head
        self.head_dim = config.head_dim
        self.dropout = config.dropout
        self.attention = config.attention
        kv_width = config.n_kv_head * config.head_dim
        self.q_proj = nn.Linear(config.d_model, config.d_model, bias=False)
        self.k_proj = nn.Linear(config.d_model, kv_width, bias=False)
        self.v_proj = nn.Linear(config.d_model, kv_width, bias=False)
        self.o_proj = nn.Linear(config.d_model, config.d_model, bias=False)

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        mask: torch.Tensor | None,
        past: tuple[torch.Tensor, torch.Tensor] | None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Attend (B, T, width) under `mask` (None = plain causal); return output and (k, v)."""
        batch, length, width = x.shape

        def heads(t: torch.Tensor, count: int) -> torch.Tensor:
            return t.view(batch, length, count, self.head_dim).transpose(1, 2)

        q = apply_rotary(heads(self.q_proj(x), self.n_head), cos, sin)
        k = apply_rotary(heads(self.k_proj(x), self.n_kv_head), cos, sin)
        v = heads(self.v_proj(x), self.n_kv_head)
        if past is not None:
            k = torch.cat((past[0].to(k.dtype), k), dim=2)
            v = torch.cat((past[1].to(v.dtype), v), dim=2)
        group = self.n_head // self.n_kv_head
        k_all, v_all = (t.repeat_interleave(group, dim=1) if group > 1 else t for t in (k, v))
        dropout = self.dropout if self.training else 0.0
        if self.attention == "explicit":
            out = _explicit_attention(q, k_all, v_all, mask, dropout)
        elif mask is None:
            out = F.scaled_dot_product_attention(q, k_all, v_all, dropout_p=dropout, is_causal=True)
        else:
            out = F.scaled_dot_product_attention(q, k_all, v_all, attn_mask=mask, dropout_p=dropout)
        out = out.transpose(1, 2).reshape(batch, length, width)
        return self.o_proj(out), (k, v)


def _explicit_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None, dropout: float
) -> torch.Tensor:
    scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
    if mask is None:
        mask = causal_mask(q.shape[-2], k.shape[-2], q.device)
    scores = scores.masked_fill(~mask, float("-inf"))
    weights = F.dropout(torch.softmax(scores.float(), dim=-1).type_as(q), p=dropout)
    return weights @ v


def _query_key_positions(length: int, total: int, device: torch.device):
    # Absolute positions: queries (length, 1) are the last `length` of `total`; keys (1, total).
    query_pos = torch.arange(length, device=device) + (total - length)
    return query_pos.unsqueeze(1), torch.arange(total, device=device).unsqueeze(0)


def causal_mask(length: int, total: int, device: torch.device) -> torch.Tensor:
    """Boolean (length, total): query i (absolute position total-length+i) sees keys <= itself."""
    query_pos, key_pos = _query_key_positions(length, total, device)
    return key_pos <= query_pos


class MLP(nn.Module):
    """SwiGLU feed-forward: down(silu(gate(x)) * up(x)) (Llama's `LlamaMLP`)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.gate_proj = nn.Linear(config.d_model, config.intermediate_size, bias=False)
        self.up_proj = nn.Linear(config.d_model, config.intermediate_size, bias=False)
        self.down_proj = nn.Linear(config.intermediate_size, config.d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the feed-forward to every position."""
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    """Pre-norm block: x + attn(norm(x)), then x + mlp(norm(x))."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(config.d_model, config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.d_model, config.rms_norm_eps)
        self.mlp = MLP(config)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x, cos, sin, mask, past):
        """Run one block; returns the new residual stream and this layer's (k, v)."""
        attended, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + self.dropout(attended)
        x = x + self.dropout(self.mlp(self.post_attention_layernorm(x)))
        return x, present


class LlamaBody(nn.Module):
    """The embedding, the blocks and the final norm (Llama's `model.` prefix)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.d_model)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.n_layer))
        self.norm = RMSNorm(config.d_model, config.rms_norm_eps)


class DecoderLM(nn.Module):
    """Decoder-only language model with tied input/output embeddings."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.model = LlamaBody(config)
        self.dropout = nn.Dropout(config.dropout)
        self.apply(self._init_weights)
        # GPT-2: scale residual output projections so the stream's variance stays ~1 with depth.
        for name, param in self.named_parameters():
            if name.endswith(("self_attn.o_proj.weight", "mlp.down_proj.weight")):
                nn.init.normal_(param, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def set_attention(self, kind: str) -> None:
        """Switch every block between "sdpa" and "explicit" attention (same results)."""
        if kind not in ATTENTION_KINDS:
            raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {kind!r}")
        self.config.attention = kind
        for layer in self.model.layers:
            layer.self_attn.attention = kind

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        past_key_values: KeyValueCache | None = None,
    ) -> tuple[torch.Tensor, KeyValueCache]:
        """Logits (B, T, V) for `input_ids` (B, T) and the cache extended by these positions.

        Args:
            input_ids: Token ids of the current positions.
            attention_mask: (B, P+T) over past and current positions, 1 = real token,
                0 = padding. Positions are counted over real tokens only, so a padded
                row gets the same rotary positions as the unpadded sequence.
            past_key_values: Per layer (key, value), each (B, n_kv_head, P, head_dim); P may be 0.

        Returns:
            The logits and the per-layer cache (B, n_kv_head, P+T, head_dim).
        """
        length = input_ids.shape[1]
        past_length = 0 if past_key_values is None else past_key_values[0][0].shape[2]
        if attention_mask is None:
            positions = torch.arange(length, device=input_ids.device) + past_length
            position_ids = positions.unsqueeze(0).expand(input_ids.shape[0], length)
            # Without padding or cache, the fused kernel's own causal mask is the fastest path.
            mask = (
                None
                if past_key_values is None
                else causal_mask(length, past_length + length, input_ids.device)
            )
        else:
            position_ids = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)[:, -length:]
            query_pos, key_pos = _query_key_positions(
                length, attention_mask.shape[1], input_ids.device
            )
            # A padded query may see itself, so no row is fully masked (softmax would give NaN).
            seen = attention_mask.bool().unsqueeze(1) | (key_pos == query_pos).unsqueeze(0)
            mask = ((key_pos <= query_pos).unsqueeze(0) & seen).unsqueeze(1)
        cos, sin = rotary_cos_sin(position_ids, self.config.head_dim, self.config.rope_base)
        x = self.dropout(self.model.embed_tokens(input_ids))
        presents = []
        for index, layer in enumerate(self.model.layers):
            past = None if past_key_values is None else past_key_values[index]
            x, present = layer(x, cos, sin, mask, past)
            presents.append(present)
        logits = F.linear(self.model.norm(x), self.model.embed_tokens.weight)
        return logits, tuple(presents)


def count_parameters(model: nn.Module) -> int:
    """Number of distinct trainable parameters (tied weights counted once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
