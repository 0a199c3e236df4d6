"""The technology profile: the contract between the hub's measurements and the simulator.

One row per (model_id, region, lang). Quality and cost columns are measured by
`hub eval` and `hub bench`; `hub profile` writes the table; the simulator reads it.
"""

from __future__ import annotations

import pyarrow as pa

PROFILE_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),  # e.g. "eu@v1"
        ("region", pa.string()),  # region the model was trained for ("global" for the global one)
        ("lang", pa.string()),  # BCP 47
        ("size", pa.string()),  # named model size (tiny, small, base)
        ("params", pa.int64()),
        # Quality
        ("bits_per_byte", pa.float64()),  # fp32, test split
        ("compressor_bits_per_byte", pa.float64()),  # xz/zstd baseline on the same bytes
        ("top1_accuracy", pa.float64()),
        ("chrf", pa.float64()),  # null where no parallel data exists
        # Cost
        ("tokens_per_char", pa.float64()),
        ("token_premium_vs_en", pa.float64()),  # null where no parallel data exists
        ("latency_ms_per_token", pa.float64()),  # batch 1, fp32
        ("tokens_per_s", pa.float64()),  # best measured throughput, fp32
        ("usd_per_1m_chars", pa.float64()),
        ("usd_per_hour", pa.float64()),  # instance price the cost was computed with
        # Training compute, for the simulator's localisation cost
        ("train_flops", pa.float64()),
        ("train_seconds", pa.float64()),
        ("train_device", pa.string()),
        # Provenance
        ("command", pa.string()),
        ("measured_at", pa.string()),
        ("machine", pa.string()),
        ("model_sha256", pa.string()),
    ]
)
