"""Production tokenizers: what a firm's own model family costs in tokens per language.

A profile's `kind = production` rows (written by `hub profile` from tokenizers read offline
from installed packages: `cl100k_base`, `tekken`, `mistral_v3`, `qwen`, `deepseek`, ...)
give per (tokenizer, lang) the token premium over English on parallel text
(`token_premium_vs_en`: tokens for a translation over tokens for its English source, the
figure `hub premium` prints, with its 95% interval `premium_low`..`premium_high`) and the
tokens per character of the English evaluation text. A firm names its tokenizer
(`[firms.model] tokenizer`); a user-month in a country costs English-equivalent characters
x its English tokens per character x its parallel premium there: the same request asked in
the country's languages. Tokens per character on a language's own text is a different ratio
(scripts differ in characters per meaning) and never feeds cost.

Fallback (a profile with hub rows only, as shipped before production rows): the premium of
the hub's global model, and `DEFAULT_EN_TOKENS_PER_CHAR` for English; `firm_premiums`
says so in the run's notes.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np

from plumbing.errors import InputError

# English prose is about four characters per token on OpenAI's BPE tokenizers (OpenAI,
# "What are tokens and how to count them", help centre, 2023): 0.25 tokens a character.
DEFAULT_EN_TOKENS_PER_CHAR = 0.25


def production_tokenizers(path: Path, rows: list[dict]) -> tuple[dict[str, dict[str, float]],
                                                                  dict[str, float]]:
    """(tokenizer -> lang -> parallel premium over English, tokenizer -> English tokens/char)."""
    premiums: dict[str, dict[str, float]] = {}
    english: dict[str, float] = {}
    for row in rows:
        if row.get("kind") != "production":
            continue
        name, lang = row.get("tokenizer"), row["lang"]
        premium, tpc = row["token_premium_vs_en"], row["tokens_per_char"]
        if lang == "en":
            if tpc is None or not math.isfinite(tpc) or tpc <= 0:
                raise InputError(f"{path}: production row {name!r} en: expected "
                                 f"tokens_per_char > 0, got {tpc}")
            english[name] = float(tpc)
            premium = 1.0 if premium is None or not math.isfinite(premium) else premium
        if not name or premium is None or not math.isfinite(premium) or premium <= 0:
            raise InputError(f"{path}: production row {name!r} {lang}: expected a tokenizer "
                             f"name and token_premium_vs_en > 0 (parallel text), got {premium}")
        premiums.setdefault(name, {})[lang] = float(premium)
    missing = sorted(set(premiums) - set(english))
    if missing:
        raise InputError(f"{path}: production tokenizer {missing[0]!r} has no 'en' row; "
                         "expected one, a user's request is measured in English tokens")
    return premiums, english


def _match(langs: dict[str, float], lang: str, variants: dict[str, str]) -> float | None:
    """Exact code, else its base language, else the base's first variant in code order."""
    if lang in langs:
        return langs[lang]
    base = lang.split("-")[0]
    if base in langs:
        return langs[base]
    return langs[variants[base]] if base in variants else None


@cache  # a profile lives as long as its runs and is hashed by identity; read-only result
def lang_premiums(profile, tokenizer: str, lang_codes: tuple[str, ...]) -> np.ndarray | None:
    """Premium per language of a production tokenizer (None: the profile lacks it).

    A language the tokenizer was not measured on gets its worst measured premium.
    """
    langs = profile.tokenizers.get(tokenizer)
    if langs is None:
        return None
    worst = max(langs.values())
    variants: dict[str, str] = {}
    for code in sorted(langs):
        variants.setdefault(code.split("-")[0], code)
    return np.array([_match(langs, lang, variants) or worst for lang in lang_codes])


def firm_premiums(profile, tokenizer: str, lang_codes: tuple[str, ...],
                  lang_weights: np.ndarray, hub_global: np.ndarray) -> tuple[np.ndarray, float,
                                                                             str | None]:
    """(premium per country, English tokens per char, a note or None) of one tokenizer.

    Languages as `lang_premiums`; a tokenizer the profile lacks gets the hub global model's
    premiums (`hub_global`).
    """
    per_lang = lang_premiums(profile, tokenizer, lang_codes)
    if per_lang is None:
        known = ", ".join(sorted(profile.tokenizers)) or "none"
        note = (f"tokenizer {tokenizer!r} is not in the profile (production tokenizers: "
                f"{known}); its token premiums are the hub global model's")
        return hub_global, DEFAULT_EN_TOKENS_PER_CHAR, note
    return lang_weights @ per_lang, profile.tokenizer_en_tokens_per_char[tokenizer], None
