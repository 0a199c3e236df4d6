"""Per-language model figures for the hub screen, from the registry or the shipped profile.

Both sources become one table with a row per (model_id, region, lang) and the columns the
screen shows, so the screen draws a registry and a profile the same way. The production
tokenizers' premiums (the profile's `kind = production` rows, `hub profile` after
`hub premium`'s measurement) are a table of their own, shown beside the hub's models.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FIGURES = ("bits_per_char", "token_premium_vs_en", "usd_per_1m_chars", "latency_ms_per_token")
"""The per-language figures shown, in the metric names of the metrics and profile tables.

Quality is bits per character, not per byte: bits per byte rank scripts whose letters take
several UTF-8 bytes best (Shavian, Deseret) only because each letter takes four bytes."""


def registry_figures(home: Path) -> pd.DataFrame:
    """Latest version per region's metrics (fp32 where measured at several precisions)."""
    import pandas as pd
    import pyarrow.parquet as pq

    from hub.registry import all_versions

    latest: dict[str, object] = {}
    for version in all_versions(home):
        latest[version.region] = version  # oldest first, so the last one wins
    frames = []
    for version in latest.values():
        path = version.file("metrics.parquet")  # type: ignore[attr-defined]
        if path.is_file():
            frames.append(pq.read_table(path).to_pandas())
    if not frames:
        return _empty()
    metrics = pd.concat(frames, ignore_index=True)
    metrics = metrics[metrics["metric"].isin(FIGURES)]
    # Prefer fp32; tokenizer-only figures (token premium) are recorded with precision n/a.
    metrics = metrics.assign(rank=metrics["precision"].map({"fp32": 0, "n/a": 1}).fillna(2))
    metrics = metrics.sort_values("rank").drop_duplicates(["model_id", "region", "lang", "metric"])
    wide = metrics.pivot_table(index=["model_id", "region", "lang"], columns="metric",
                               values="value", aggfunc="first").reset_index()
    return _with_all_figures(wide)


def profile_figures(path: Path) -> tuple[pd.DataFrame, str | None]:
    """A technology profile (PROFILE_SCHEMA) in the same shape, and its latest measurement date.

    Only the hub's models: production tokenizer rows have no model (see production_premiums).
    """
    import pyarrow.parquet as pq

    table = pq.read_table(path).to_pandas()
    if "kind" in table:
        table = table[table["kind"].fillna("hub") == "hub"]
    measured = table["measured_at"].dropna().max() if "measured_at" in table else None
    columns = ["model_id", "region", "lang", *FIGURES]
    return _with_all_figures(table[[c for c in columns if c in table]]), measured


PREMIUM_COLUMNS = ("tokenizer", "lang", "token_premium_vs_en", "premium_low", "premium_high")
"""A production tokenizer's premium on a language, with its 95% interval."""


def production_premiums(path: Path | None) -> pd.DataFrame:
    """The profile's production tokenizer rows (PREMIUM_COLUMNS); empty if it has none.

    Profiles written before production tokenizers were measured have no `kind` column.
    """
    import pandas as pd
    import pyarrow.parquet as pq

    empty = pd.DataFrame(columns=list(PREMIUM_COLUMNS))
    if path is None or not Path(path).is_file():
        return empty
    names = set(pq.read_schema(path).names)
    if not {"kind", *PREMIUM_COLUMNS} <= names:
        return empty
    table = pq.read_table(path, columns=["kind", *PREMIUM_COLUMNS]).to_pandas()
    return table[table["kind"] == "production"][list(PREMIUM_COLUMNS)].reset_index(drop=True)


def premium_bars(figures: pd.DataFrame, production: pd.DataFrame, region: str,
                 lang: str) -> list[tuple[str, float, float | None, float | None]]:
    """(label, premium, low, high) of one language's token premium, one bar each.

    The region's model, the global model, then each production tokenizer (with its
    interval); a model or tokenizer without a figure for the language is left out.
    """
    bars = []
    for model_region in dict.fromkeys((region, "global")):
        rows = figures[(figures["region"] == model_region) & (figures["lang"] == lang)]
        for row in rows.itertuples(index=False):
            if row.token_premium_vs_en == row.token_premium_vs_en:  # not NaN
                bars.append((str(row.model_id), float(row.token_premium_vs_en), None, None))
    for row in production[production["lang"] == lang].itertuples(index=False):
        if row.token_premium_vs_en == row.token_premium_vs_en:
            bars.append((str(row.tokenizer), float(row.token_premium_vs_en),
                         float(row.premium_low), float(row.premium_high)))
    return bars


def _with_all_figures(frame: pd.DataFrame) -> pd.DataFrame:
    for name in FIGURES:
        if name not in frame.columns:
            frame[name] = float("nan")
    return frame[["model_id", "region", "lang", *FIGURES]].sort_values(
        ["region", "lang"]).reset_index(drop=True)


def _empty() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=["model_id", "region", "lang", *FIGURES])
