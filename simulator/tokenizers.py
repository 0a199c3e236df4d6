"""Production tokenizers: what a firm's own model family costs in tokens per language.

A profile's `kind = production` rows (written by `hub profile` from tokenizers read offline
from installed packages: `cl100k_base`, `tekken`, `mistral_v3`, `qwen`, `deepseek`, ...)
give tokens per character per (tokenizer, lang) on the same evaluation text for every
tokenizer. A firm names its tokenizer (`[firms.model] tokenizer`); its tokens per user-month
in a country are characters x its English tokens per character x its premium there.

Fallback (a profile with hub rows only, as shipped before production rows): the premium of
the hub's global model, and `DEFAULT_EN_TOKENS_PER_CHAR` for English; `firm_premiums`
says so in the run's notes.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from hub.errors import InputError

# English prose is about four characters per token on OpenAI's BPE tokenizers (OpenAI,
# "What are tokens and how to count them", help centre, 2023): 0.25 tokens a character.
DEFAULT_EN_TOKENS_PER_CHAR = 0.25


def production_tokenizers(path: Path, rows: list[dict]) -> tuple[dict[str, dict[str, float]],
                                                                  dict[str, float]]:
    """(tokenizer -> lang -> premium over English, tokenizer -> English tokens per char)."""
    premiums: dict[str, dict[str, float]] = {}
    english: dict[str, float] = {}
    for row in rows:
        if row.get("kind") != "production":
            continue
        name, tpc = row.get("tokenizer"), row["tokens_per_char"]
        if not name or tpc is None or not math.isfinite(tpc) or tpc <= 0:
            raise InputError(f"{path}: production row {name!r} {row['lang']}: expected a "
                             f"tokenizer name and tokens_per_char > 0, got {tpc}")
        premiums.setdefault(name, {})[row["lang"]] = float(tpc)
        if row["lang"] == "en":
            english[name] = float(tpc)
    for name, langs in premiums.items():
        base = english.get(name)
        if base is None:
            raise InputError(f"{path}: production tokenizer {name!r} has no 'en' row; "
                             "expected one, the premium is measured against English")
        premiums[name] = {lang: tpc / base for lang, tpc in langs.items()}
    return premiums, english


def _match(langs: dict[str, float], lang: str) -> float | None:
    if lang in langs:
        return langs[lang]
    base = lang.split("-")[0]
    if base in langs:
        return langs[base]
    close = sorted(code for code in langs if code.split("-")[0] == base)
    return langs[close[0]] if close else None


def firm_premiums(profile, tokenizer: str, lang_codes: tuple[str, ...],
                  lang_weights: np.ndarray, hub_global: np.ndarray) -> tuple[np.ndarray, float,
                                                                             str | None]:
    """(premium per country, English tokens per char, a note or None) of one tokenizer.

    A language the tokenizer was not measured on gets its worst measured premium; a
    tokenizer the profile lacks gets the hub global model's premiums (`hub_global`).
    """
    langs = profile.tokenizers.get(tokenizer)
    if langs is None:
        known = ", ".join(sorted(profile.tokenizers)) or "none"
        note = (f"tokenizer {tokenizer!r} is not in the profile (production tokenizers: "
                f"{known}); its token premiums are the hub global model's")
        return hub_global, DEFAULT_EN_TOKENS_PER_CHAR, note
    worst = max(langs.values())
    per_lang = np.array([_match(langs, lang) or worst for lang in lang_codes])
    return lang_weights @ per_lang, profile.tokenizer_en_tokens_per_char[tokenizer], None
