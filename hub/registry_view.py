"""What `hub list`, `hub show` and `hub verify` report, as data (their `--json`) and as text.

The data functions return plain JSON values; the commands print them as JSON or as tables
that fit the terminal (`plumbing.terminal_table`). The JSON schemas are stated once here and
quoted in each command's help.
"""

from __future__ import annotations

import statistics

from plumbing.errors import InputError

# Headline figures of `hub list`: metric -> (column title, how to summarise over languages).
HEADLINE = {
    "bits_per_byte": ("bits/byte", statistics.fmean),  # mean over languages
    "tokens_per_s": ("tokens/s", max),
}
LIST_SCHEMA = (
    '{"models": [{"model_id", "region", "version": int, "size", "params": int|null, '
    '"disk_bytes": int|null (null: folder missing), "languages": [BCP 47], '
    '"bits_per_byte": mean over languages|null, "tokens_per_s": max over languages|null, '
    '"metrics_damaged": bool}]}'
)
SHOW_SCHEMA = (
    '{"model_id", "path", "model": {config field: value}, "training": {field: value}, '
    '"languages": [BCP 47], "files": [{"name", "bytes": int|null (null: missing), "sha256"}], '
    '"metrics": {lang: {metric: value}} (fp32 on CPU where several exist)}'
)
VERIFY_SCHEMA = (
    '{"checked": int, "failed": int, "home_problems": [str], '
    '"versions": [{"model_id", "ok": bool, "files": int, "problems": [str]}]}'
)


def metrics(version) -> dict[str, dict[str, float]]:
    """A version's metrics by language; InputError naming a damaged metrics.parquet."""
    import pyarrow as pa

    from hub.serving.model_card import metrics_by_lang

    path = version.file("metrics.parquet")
    try:
        return metrics_by_lang(path)
    except (OSError, KeyError, pa.ArrowException) as error:
        raise InputError(f"{path}: damaged metrics ({error}); measure again with `hub eval` "
                         "and `hub bench`") from None


def list_entry(version, row: dict) -> dict:
    """One `hub list` entry (LIST_SCHEMA) from a version and its catalog row."""
    entry = {
        "model_id": version.model_id,
        "region": row["region"],
        "version": row["version"],
        "size": row["size"],
        "params": row["params"],
        "disk_bytes": (
            sum(p.stat().st_size for p in version.path.rglob("*") if p.is_file())
            if version.path.is_dir() else None
        ),
        "languages": row["languages"] or [],
        "metrics_damaged": False,
    }
    try:
        table = metrics(version)
    except InputError:
        table = {}
        entry["metrics_damaged"] = True  # `hub list` goes on; `hub verify` names it
    for metric, (_, summary) in HEADLINE.items():
        values = [by_metric[metric] for by_metric in table.values() if metric in by_metric]
        entry[metric] = summary(values) if values else None
    return entry


def show_entry(version) -> dict:
    """`hub show`'s facts of one version (SHOW_SCHEMA)."""
    config, manifest = version.config(), version.manifest()
    files = []
    for name, digest in sorted(manifest["files"].items()):
        path = version.file(name)
        files.append(
            {"name": name, "bytes": path.stat().st_size if path.is_file() else None,
             "sha256": digest}
        )
    return {
        "model_id": version.model_id,
        "path": str(version.path),
        "model": config.model,
        "training": config.training,
        "languages": list(config.languages),
        "files": files,
        "metrics": metrics(version),
    }


def readable(value) -> str:
    """A config or training value for people (4 significant digits, thousands separated).

    Maps and lists go on one line; a sha256 shows its first 16 digits (`--json` has all).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e4 and value.is_integer() else f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{key} {readable(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable(item) for item in value)
    text = str(value)
    is_sha256 = len(text) == 64 and all(c in "0123456789abcdef" for c in text)
    return f"{text[:16]}…" if is_sha256 else text
