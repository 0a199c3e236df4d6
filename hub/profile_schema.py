"""The technology profile: the contract between the hub's measurements and the simulator.

One row per (kind, model_id or tokenizer, region, lang):

- `kind = hub`: one of the hub's models (`model_id` e.g. `eu/v1`, `tokenizer` `hub:eu`),
  with quality from `hub eval` on the fixed evaluation set, the reference serving cost,
  measured speed from `hub bench` (a figure of its own, never priced) and training compute;
- `kind = production`: a production LLM tokenizer (`tokenizer` e.g. `cl100k_base`;
  `model_id`, `region` and every model figure null), with its tokens per character and
  token premium against English on the same evaluation sets (`hub premium`).

Figures a decision rests on carry their 95% bootstrap interval in `<figure>_low` and
`<figure>_high` (`premium_low`/`premium_high` for the token premium). Every row names the
evaluation set it was measured on (`eval_set_sha256`) and its provenance: the command,
when, on which machine, and the sha256 of the model's weights or the tokenizer's file.

The columns the simulator's loader has always read (`simulator.technology.REQUIRED_COLUMNS`:
model_id, region, lang, size, params, bits_per_byte, usd_per_1m_chars, train_flops) keep
their names and meaning.
"""

from __future__ import annotations

import pyarrow as pa

KINDS = ("hub", "production")


def _with_interval(name: str, low: str | None = None, high: str | None = None) -> list:
    return [
        (name, pa.float64()),
        (low or f"{name}_low", pa.float64()),
        (high or f"{name}_high", pa.float64()),
    ]


PROFILE_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),  # hub | production
        ("model_id", pa.string()),  # e.g. "eu/v1"; null for a production tokenizer
        ("tokenizer", pa.string()),  # "hub:eu", "cl100k_base", ...
        ("vendor", pa.string()),  # who made the tokenizer
        ("region", pa.string()),  # region the model was trained for; null for production
        ("lang", pa.string()),  # BCP 47
        ("size", pa.string()),  # named model size (tiny, small, base)
        ("params", pa.int64()),
        # Quality on the evaluation set, fp32 onnxruntime
        *_with_interval("bits_per_byte"),  # raw: favours multi-byte scripts
        *_with_interval("bits_per_char"),
        *_with_interval("info_parity"),  # bits on translations / bits on their English sources
        ("compressor_bits_per_byte", pa.float64()),  # xz/zstd cold on the same bytes
        ("primed_compressor_bits_per_byte", pa.float64()),  # xz primed on the training split
        ("primed_compressor_bits_per_char", pa.float64()),
        ("top1_accuracy", pa.float64()),
        ("chrf", pa.float64()),  # null where no parallel data exists
        # Tokens and cost
        *_with_interval("tokens_per_char"),
        *_with_interval("token_premium_vs_en", "premium_low", "premium_high"),
        *_with_interval("usd_per_1m_chars"),  # tokens/char x reference cost per token
        ("usd_per_hour", pa.float64()),  # the reference instance's price
        ("reference_instance", pa.string()),
        ("reference_peak_flops", pa.float64()),
        ("reference_utilisation", pa.float64()),
        # Measured speed on this machine (`hub bench`): median with the min/max run
        *_with_interval("latency_ms_per_token"),  # batch 1, fp32
        *_with_interval("tokens_per_s"),  # best batch size, fp32
        # Training compute
        ("train_flops", pa.float64()),  # flops per token x tokens actually trained on
        ("train_tokens", pa.int64()),
        ("train_seconds", pa.float64()),
        ("train_device", pa.string()),
        # Provenance
        ("eval_set_sha256", pa.string()),
        ("command", pa.string()),
        ("measured_at", pa.string()),
        ("machine", pa.string()),
        ("model_sha256", pa.string()),  # weights (hub rows)
        ("tokenizer_sha256", pa.string()),  # the tokenizer's file
        ("package", pa.string()),  # where a production tokenizer's file came from
        ("package_version", pa.string()),
    ]
)
