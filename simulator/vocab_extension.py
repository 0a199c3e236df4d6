"""What vocabulary extension buys a firm's tokenizer, as the hub measured it.

data/vocab_extension.csv (made by `hub premium --extend REGION:N`, data/SOURCES.md) holds,
per production tokenizer, region and number of added tokens, each language's parallel token
premium before and after extending the vocabulary with tokens learned on the region's
training text, with 95% intervals, on the fixed evaluation sets, and `tokens_ratio`: the
extended tokenizer's tokens over the production one's on the language's own evaluation
text (the same bytes, never above 1). A localisation plan that extends the vocabulary
(`[[firms.strategy.localise]] vocab_tokens = 16000`) serves the region's languages at the
firm's premium x that ratio: the same request, fewer tokens. (The premium after is a ratio
to the extension's own English tokens, which merges shorten too, so it is reported, not
priced.) Continued pre-training alone keeps the tokenizer, so the premium stays; languages
the table does not list for that extension keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from plumbing.tables import read_table


@dataclass(frozen=True)
class ExtensionRow:
    """One language's premium before and after one extension (data/vocab_extension.csv)."""

    tokenizer: str
    region: str
    added_tokens: int
    lang: str
    premium_before: float
    premium_before_low: float
    premium_before_high: float
    premium_after: float
    premium_after_low: float
    premium_after_high: float
    tokens_ratio: float
    eval_set_sha256: str
    command: str

    @staticmethod
    def check(values: dict) -> list[tuple[str, str]]:
        """Premiums positive, intervals around their figure, an extension never dearer."""
        problems = []
        for stage in ("before", "after"):
            low, mid, high = (values[f"premium_{stage}{s}"] for s in ("_low", "", "_high"))
            if not 0 < low <= mid <= high:
                problems.append((f"premium_{stage}", f"expected 0 < low <= premium <= high, "
                                                     f"got {low}, {mid}, {high}"))
        if not 0 < values["tokens_ratio"] <= 1:
            problems.append(("tokens_ratio", "expected a ratio in (0, 1]: an extended "
                                             f"encoding is never longer, got "
                                             f"{values['tokens_ratio']}"))
        if values["added_tokens"] < 1:
            problems.append(("added_tokens", f"expected >= 1, got {values['added_tokens']}"))
        return problems


@cache
def extensions(path: Path | None = None) -> dict[tuple[str, str, int], dict[str, ExtensionRow]]:
    """(tokenizer, region, added tokens) -> lang -> row."""
    out: dict[tuple[str, str, int], dict[str, ExtensionRow]] = {}
    for row in read_table(path or shipped_path("vocab_extension.csv"), ExtensionRow):
        out.setdefault((row.tokenizer, row.region, row.added_tokens), {})[row.lang] = row
    return out


def tokens_ratios(tokenizer: str, region: str, added_tokens: int,
                  lang_codes: tuple[str, ...]) -> list[float | None]:
    """Measured tokens after over before the extension per language (None: not measured).

    InputError naming the measured extensions when this one was not measured.
    """
    table = extensions()
    rows = table.get((tokenizer, region, added_tokens))
    if rows is None:
        measured = sorted(n for t, r, n in table if (t, r) == (tokenizer, region))
        have = f"N = {measured}" if measured else "no extension of this tokenizer and region"
        raise InputError(
            f"vocab_tokens = {added_tokens} for {tokenizer} in {region}: not measured; "
            f"data/vocab_extension.csv has {have} (make more with `hub premium --tokenizer "
            f"{tokenizer} --extend {region}:N --extend-csv FILE`)")
    return [rows[lang].tokens_ratio if lang in rows else None for lang in lang_codes]
