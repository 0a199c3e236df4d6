"""Technology profiles for simulator tests, in hub.profile_schema.PROFILE_SCHEMA.

Figures follow what the hub measures on a small model on this machine's CPU: English bits
per byte about 1.1, token premiums of BPE tokenizers trained mostly on English (German
~1.3, Russian ~1.9, Arabic ~2.4, Hindi ~3.4) shrinking for a region's own tokenizer, cost per
million characters = tokens per character x 1e6 / tokens per second x price per second.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hub.profile_schema import PROFILE_SCHEMA

# lang -> (bits per byte of the global model, token premium vs English of the global model)
GLOBAL = {
    "en": (1.10, 1.00), "zh-Hans": (1.45, 1.60), "es": (1.20, 1.20), "hi": (1.50, 3.40),
    "ar": (1.45, 2.40), "pt": (1.22, 1.22), "fr": (1.20, 1.25), "de": (1.22, 1.30),
    "ru": (1.30, 1.90), "ja": (1.50, 1.80), "id": (1.30, 1.35), "bn": (1.60, 3.60),
    "it": (1.22, 1.28), "tr": (1.35, 1.70), "ko": (1.50, 2.20), "pl": (1.32, 1.70),
    "nl": (1.24, 1.30), "vi": (1.35, 1.50), "sw": (1.55, 1.80), "fa": (1.50, 2.30),
}
REGION_LANGS = {
    "eu": ["de", "fr", "it", "es", "pl", "nl", "en", "pt"],
    "na": ["en", "es", "fr"],
    "latam": ["es", "pt", "en"],
    "apac": ["zh-Hans", "hi", "ja", "id", "bn", "ko", "vi", "en"],
    "mena": ["ar", "fa", "tr", "en", "fr"],
    "ssa": ["sw", "en", "fr", "pt"],
    "cis": ["ru", "en"],
}
EN_TOKENS_PER_CHAR = 0.25
TOKENS_PER_S = 1500.0
USD_PER_HOUR = 0.1008  # aws m7i.large, data/gpu_prices.csv
TRAIN_FLOPS = 2.4e16  # 6 x 20M parameters x 200M tokens


def cost_per_1m_chars(tokens_per_char: float) -> float:
    """The hub's formula: tokens per char x 1e6 / tokens per s x price per s."""
    return tokens_per_char * 1e6 / TOKENS_PER_S * USD_PER_HOUR / 3600.0


def _row(region: str, lang: str, bpb: float, premium: float) -> dict:
    tokens_per_char = EN_TOKENS_PER_CHAR * premium
    return {
        "model_id": f"{region}@v1", "region": region, "lang": lang, "size": "small",
        "params": 20_000_000, "bits_per_byte": bpb, "compressor_bits_per_byte": 2.1,
        "top1_accuracy": 0.4, "chrf": None, "tokens_per_char": tokens_per_char,
        "token_premium_vs_en": premium, "latency_ms_per_token": 1000.0 / TOKENS_PER_S,
        "tokens_per_s": TOKENS_PER_S, "usd_per_1m_chars": cost_per_1m_chars(tokens_per_char),
        "usd_per_hour": USD_PER_HOUR, "train_flops": TRAIN_FLOPS, "train_seconds": 3600.0,
        "train_device": "cpu", "command": "tests/sim_profiles.py", "measured_at": "2026-11-28",
        "machine": "test", "model_sha256": "0" * 64,
    }


def profile_rows(premium_override: dict[str, float] | None = None) -> list[dict]:
    """Rows of a realistic profile: the global model and one model per region.

    A region's own model is better (bits per byte -0.12) and cheaper (premium closer to 1)
    in its languages than the global one.
    """
    override = premium_override or {}
    rows = [_row("global", lang, bpb, override.get(lang, premium))
            for lang, (bpb, premium) in GLOBAL.items()]
    for region, langs in REGION_LANGS.items():
        for lang in langs:
            bpb, premium = GLOBAL[lang]
            local_premium = 1.0 + (override.get(lang, premium) - 1.0) * 0.4
            rows.append(_row(region, lang, bpb - 0.12, local_premium))
    return rows


def write_profile(path: Path, rows: list[dict] | None = None) -> Path:
    """Write a profile Parquet file (default: `profile_rows()`)."""
    rows = rows if rows is not None else profile_rows()
    table = pa.Table.from_pylist(rows, schema=PROFILE_SCHEMA)
    pq.write_table(table, path)
    return path


def firm_toml(name: str, home: str, **strategy: str) -> str:
    """A [[firms]] table; `strategy` values are TOML snippets, e.g. entry_rule='"uppsala"'."""
    lines = [
        "[[firms]]", f'name = "{name}"', f'home = "{home}"', "cash_usd = 5e9",
        "talent = { researchers = 300, engineers = 1000 }", "[firms.strategy]",
    ]
    lines += [f"{key} = {value}" for key, value in strategy.items()]
    return "\n".join(lines) + "\n"


def scenario_file(tmp_path: Path, markets: list[str], firms: list[str], months: int = 24,
                  parameters: str = "", extra: str = "", profile: Path | None = None) -> Path:
    """Write a scenario TOML (with a realistic test profile next to it) and return its path."""
    profile = profile or write_profile(tmp_path / "profile.parquet")
    text = (
        f'name = "test"\nseed = 3\nmonths = {months}\nmarkets = {markets!r}\n'.replace("'", '"')
        + f'technology_profile = "{profile}"\n{extra}\n[parameters]\n{parameters}\n'
        + "\n".join(firms)
    )
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path
