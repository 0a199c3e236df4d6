"""The technology profile: the registry's and the production tokenizers' figures (`hub profile`).

One row per (kind, model or tokenizer, region, language) in
`hub.profile_schema.PROFILE_SCHEMA`.

Hub rows come from each region's latest version (or every version): quality and the
reference serving cost from `hub eval` (fp32 onnxruntime, on the fixed evaluation set, with
intervals), measured speed from `hub bench` on the chosen device when it was run (median
and min/max run; never priced), training compute from the version's config, and
provenance: the command that wrote the profile, when the figures were measured (the newest
of them), on which machine, the sha256 of the weights and of the tokenizer. A language
appears only when its bits per byte and its cost were measured: the simulator needs both.

Production rows (`kind = production`) come from `hub.measurement.premium` on the same
evaluation sets: tokens per character and the token premium against English, with
intervals, and the tokenizer's identity.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from hub import registry
from hub.corpus import read_manifest
from hub.measurement.eval_set import evaluation_sets
from hub.measurement.premium import measure, premium_table
from hub.measurement.production_tokenizers import load_tokenizer
from hub.metrics import machine_name, now_iso
from hub.prices import REFERENCE_HARDWARE as ref
from hub.profile_schema import PROFILE_SCHEMA
from plumbing.errors import InputError

# Profile column -> (metric, precision, part) in metrics.parquet; `part` is the metric
# row's value, low or high.
_INTERVALS = {
    "bits_per_byte": ("bits_per_byte", "fp32"),
    "bits_per_char": ("bits_per_char", "fp32"),
    "info_parity": ("info_parity", "fp32"),
    "tokens_per_char": ("tokens_per_char", "n/a"),
    "usd_per_1m_chars": ("usd_per_1m_chars", "n/a"),
}
QUALITY = {
    **{
        f"{column}{suffix}": (metric, precision, part)
        for column, (metric, precision) in _INTERVALS.items()
        for suffix, part in (("", "value"), ("_low", "low"), ("_high", "high"))
    },
    "token_premium_vs_en": ("token_premium_vs_en", "n/a", "value"),
    "premium_low": ("token_premium_vs_en", "n/a", "low"),
    "premium_high": ("token_premium_vs_en", "n/a", "high"),
    "compressor_bits_per_byte": ("compressor_bits_per_byte", "n/a", "value"),
    "primed_compressor_bits_per_byte": ("primed_compressor_bits_per_byte", "n/a", "value"),
    "primed_compressor_bits_per_char": ("primed_compressor_bits_per_char", "n/a", "value"),
    "top1_accuracy": ("top1_accuracy", "fp32", "value"),
    "chrf": ("chrf", "fp32", "value"),
}
# Measured on the chosen device, for all languages at once (lang "all").
SPEED = {
    f"{column}{suffix}": (column, "fp32", part)
    for column in ("latency_ms_per_token", "tokens_per_s")
    for suffix, part in (("", "value"), ("_low", "low"), ("_high", "high"))
}


def _metric_rows(version: registry.ModelVersion) -> list[dict]:
    import pyarrow.parquet as pq

    path = version.file("metrics.parquet")
    return pq.read_table(path).to_pylist() if path.is_file() else []


def version_rows(version: registry.ModelVersion, device: str, command: str) -> list[dict]:
    """Profile rows of one version (languages with both bits per byte and cost measured)."""
    metrics = _metric_rows(version)
    values: dict[tuple, dict] = {}
    speed_metrics = {metric for metric, _, _ in SPEED.values()}
    for row in metrics:
        if row["metric"] in speed_metrics and row["device"] != device:
            continue
        values[(row["lang"], row["metric"], row["precision"])] = row
    config, manifest = version.config(), version.manifest()
    training = config.training
    measured_at = max((row["measured_at"] for row in metrics), default=None)
    machine = Counter(row["machine"] for row in metrics).most_common(1)
    langs = sorted({lang for lang, metric, _ in values if metric == "bits_per_byte"} - {"all"})
    rows = []
    for lang in langs:
        row = {
            "kind": "hub",
            "model_id": version.model_id,
            "tokenizer": f"hub:{version.region}",
            "vendor": "hub",
            "region": version.region,
            "lang": lang,
            "size": training.get("size"),
            "params": training.get("params"),
        }
        for columns, where in ((QUALITY, lang), (SPEED, "all")):
            for column, (metric, precision, part) in columns.items():
                found = values.get((where, metric, precision))
                row[column] = found.get(part) if found else None
        if row["bits_per_byte"] is None or row["usd_per_1m_chars"] is None:
            continue
        digest = values[(lang, "bits_per_byte", "fp32")].get("eval_set_sha256")
        row.update(
            usd_per_hour=ref.usd_per_hour,
            reference_instance=ref.instance,
            reference_peak_flops=ref.peak_flops,
            reference_utilisation=ref.utilisation,
            train_flops=_number(training.get("train_flops"), float),
            train_tokens=_number(training.get("tokens"), int),
            train_seconds=_number(training.get("train_seconds"), float),
            train_device=training.get("device"),
            eval_set_sha256=digest,
            command=command,
            measured_at=measured_at,
            machine=machine[0][0] if machine else None,
            model_sha256=manifest["files"].get(registry.WEIGHTS),
            tokenizer_sha256=manifest["files"].get("tokenizer.json"),
        )
        rows.append(row)
    return rows


def _number(value, kind):
    return None if value is None else kind(value)


def production_rows(home, names: list[str], command: str) -> list[dict]:
    """Profile rows of production tokenizers on every corpus language's evaluation set.

    Raises:
        InputError: an unknown tokenizer name, a tokenizer file whose sha256 does not
            match, or no corpus.
    """
    eval_sets = evaluation_sets(home, list(read_manifest(home)["languages"]))
    tokenizers = [load_tokenizer(name, home) for name in names]
    table = premium_table(measure(tokenizers, eval_sets), command, now_iso())
    # `hub premium`'s rows, in the profile's column names (its premium column is older)
    table = table.rename_columns(
        ["token_premium_vs_en" if c == "premium_vs_en" else c for c in table.column_names])
    kept = [c for c in table.column_names if c in PROFILE_SCHEMA.names]
    machine = machine_name()
    return [{**row, "kind": "production", "machine": machine}
            for row in table.select(kept).to_pylist()]


def profile_rows(home, device: str = "cpu", command: str = "hub profile", every_version=False):
    """(profile rows, notes): the latest version of each region (or all), hashes verified.

    Notes name each version left out (not evaluated).
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
                f"{version.model_id}: left out, needs `hub eval --region {version.region}`"
            )
        rows += kept
    return rows, notes


def carried_hub_rows(path) -> list[dict]:
    """The hub rows of an existing profile, as they were measured (their provenance kept).

    A profile written before the `kind` column gets kind `hub` and the region's tokenizer
    name; its production rows are dropped (the caller measures them anew).

    Raises:
        InputError: the file is not a readable profile.
    """
    import pyarrow.parquet as pq


    try:
        rows = pq.read_table(path).to_pylist()
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"{path}: not a readable Parquet profile ({error})") from error
    if not rows:
        raise InputError(f"{path}: the profile has no rows")
    missing = sorted({"model_id", "region", "lang"} - set(rows[0]))
    if missing:
        raise InputError(f"{path}: not a technology profile: no column {', '.join(missing)}")
    kept = []
    for row in rows:
        if row.get("kind") not in (None, "hub"):
            continue
        unknown = set(row) - set(PROFILE_SCHEMA.names)
        if unknown:
            raise InputError(f"{path}: unknown profile column {', '.join(sorted(unknown))}")
        kept.append(
            {**row, "kind": "hub", "tokenizer": row.get("tokenizer") or f"hub:{row['region']}",
             "vendor": row.get("vendor") or "hub"}
        )
    return kept


def profile_table(rows: list[dict]) -> pa.Table:
    """Rows as a table in PROFILE_SCHEMA (columns a row lacks are null)."""
    return pa.Table.from_pylist(rows, schema=PROFILE_SCHEMA)
