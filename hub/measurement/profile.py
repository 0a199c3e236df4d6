"""The technology profile: the registry's measurements flattened for the simulator (`hub profile`).

One row per (model, region, language) in `hub.profile_schema.PROFILE_SCHEMA`, from each
region's latest version (or every version): quality from `hub eval` (fp32, onnxruntime),
speed and cost from `hub bench` on the chosen device (fp32; the best throughput prices
the serving), training compute from the version's config, and provenance: the command
that wrote the profile, when the figures were measured (the newest of them), on which
machine, and the sha256 of the model's weights (`model.safetensors`, as in its manifest).

A language appears only when both its bits per byte and its cost were measured: the
simulator needs both. `profile_rows` says which versions it left out and why.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from hub import registry
from hub.profile_schema import PROFILE_SCHEMA

# Profile column -> (metric, precision, language-specific?) in metrics.parquet.
QUALITY = {
    "bits_per_byte": ("bits_per_byte", "fp32", True),
    "compressor_bits_per_byte": ("compressor_bits_per_byte", "n/a", True),
    "top1_accuracy": ("top1_accuracy", "fp32", True),
    "chrf": ("chrf", "fp32", True),
    "tokens_per_char": ("tokens_per_char", "n/a", True),
    "token_premium_vs_en": ("token_premium_vs_en", "n/a", True),
}
SPEED = {
    "latency_ms_per_token": ("latency_ms_per_token", "fp32", False),
    "tokens_per_s": ("tokens_per_s", "fp32", False),
    "usd_per_1m_chars": ("usd_per_1m_chars", "fp32", True),
    "usd_per_hour": ("usd_per_hour", "fp32", False),
}


def _metric_rows(version: registry.ModelVersion) -> list[dict]:
    import pyarrow.parquet as pq

    path = version.file("metrics.parquet")
    return pq.read_table(path).to_pylist() if path.is_file() else []


def version_rows(version: registry.ModelVersion, device: str, command: str) -> list[dict]:
    """Profile rows of one version (languages with both bits per byte and cost measured)."""
    metrics = _metric_rows(version)
    values: dict[tuple, float] = {}
    for row in metrics:
        # Quality is measured on the CPU whatever --device; speed on the chosen device.
        if row["metric"] in {m for m, _, _ in SPEED.values()} and row["device"] != device:
            continue
        values[(row["lang"], row["metric"], row["precision"])] = row["value"]
    config, manifest = version.config(), version.manifest()
    training = config.get("training", {})
    measured_at = max((row["measured_at"] for row in metrics), default=None)
    machine = Counter(row["machine"] for row in metrics).most_common(1)
    langs = sorted(
        {lang for lang, metric, _ in values if metric == "bits_per_byte" and lang != "all"}
    )
    rows = []
    for lang in langs:
        row = {
            "model_id": version.model_id,
            "region": version.region,
            "lang": lang,
            "size": training.get("size"),
            "params": training.get("params"),
        }
        for column, (metric, precision, per_lang) in {**QUALITY, **SPEED}.items():
            row[column] = values.get((lang if per_lang else "all", metric, precision))
        if row["bits_per_byte"] is None or row["usd_per_1m_chars"] is None:
            continue
        row.update(
            train_flops=_float(training.get("train_flops")),
            train_seconds=_float(training.get("train_seconds")),
            train_device=training.get("device"),
            command=command,
            measured_at=measured_at,
            machine=machine[0][0] if machine else None,
            model_sha256=manifest["files"].get(registry.WEIGHTS),
        )
        rows.append(row)
    return rows


def _float(value) -> float | None:
    return None if value is None else float(value)


def profile_rows(home, device: str = "cpu", command: str = "hub profile", every_version=False):
    """(profile table, notes): the latest version of each region (or all), hashes verified.

    Notes name each version left out (not evaluated or not benchmarked on `device`).
    """
    found = registry.all_versions(home)
    if not every_version:
        latest = {v.region: v for v in found}  # all_versions sorts oldest first
        found = [latest[region] for region in sorted(latest)]
    rows, notes = [], []
    for version in found:
        registry.check(version)
        kept = version_rows(version, device, command)
        if not kept:
            notes.append(
                f"{version.model_id}: left out, needs `hub eval --region {version.region}` "
                f"and `hub bench --region {version.region} --device {device}`"
            )
        rows += kept
    return pa.Table.from_pylist(rows, schema=PROFILE_SCHEMA), notes
