"""Token premium against English, per language and tokenizer, with bootstrap intervals.

On a language's evaluation set (`hub.measurement.eval_set`: the same bytes for every
tokenizer and model), for each tokenizer:

- tokens per character: tokens of all texts / their characters;
- token premium vs English: tokens of the translations / tokens of their English originals,
  over the set's parallel rows (ratio of sums, so long rows weigh more than CLDR names).

Both carry a 95% percentile-bootstrap interval over rows (`hub.measurement.bootstrap`:
pairs are resampled together, seeded). English is the reference: its premium is 1 by
definition, with no pairs. The figures are what a bill in tokens costs per character, and
how much more a translation costs than its English source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from hub.measurement.bootstrap import RESAMPLES, SEED, Interval, ratio_interval
from hub.measurement.eval_set import EvalSet
from hub.measurement.production_tokenizers import LoadedTokenizer, TokenizerIdentity

ENGLISH = "en"

PREMIUM_SCHEMA = pa.schema(
    [
        ("tokenizer", pa.string()),
        ("kind", pa.string()),  # production | hub
        ("vendor", pa.string()),
        ("lang", pa.string()),
        ("n_texts", pa.int64()),
        ("n_chars", pa.int64()),
        ("n_pairs", pa.int64()),
        ("tokens_per_char", pa.float64()),
        ("tokens_per_char_low", pa.float64()),
        ("tokens_per_char_high", pa.float64()),
        ("premium_vs_en", pa.float64()),  # null where the set has no parallel rows
        ("premium_low", pa.float64()),
        ("premium_high", pa.float64()),
        ("eval_set_sha256", pa.string()),
        ("vocab_size", pa.int64()),
        ("tokenizer_sha256", pa.string()),
        ("package", pa.string()),
        ("package_version", pa.string()),
        ("resamples", pa.int64()),
        ("seed", pa.int64()),
        ("command", pa.string()),
        ("measured_at", pa.string()),
    ]
)


@dataclass(frozen=True)
class TokenPremium:
    """One tokenizer's figures on one language's evaluation set."""

    identity: TokenizerIdentity
    lang: str
    eval_set_sha256: str
    n_texts: int
    n_chars: int
    n_pairs: int
    tokens_per_char: Interval
    premium: Interval | None


class TokenCounter:
    """Token counts of texts under one tokenizer, each distinct text encoded once.

    English originals recur across languages (every translation of one message shares its
    source), so the cache saves most of the English encoding.
    """

    def __init__(self, tokenizer: LoadedTokenizer) -> None:
        self.tokenizer = tokenizer
        self.seen: dict[str, int] = {}

    def counts(self, texts: Iterable[str]) -> list[int]:
        """Tokens of each text, no special tokens added."""
        found = []
        for text in texts:
            if text not in self.seen:
                self.seen[text] = len(self.tokenizer.encode(text))
            found.append(self.seen[text])
        return found


def language_premium(counter: TokenCounter, eval_set: EvalSet) -> TokenPremium:
    """Tokens per character and the premium vs English of one language, with intervals.

    Raises:
        ValueError: an evaluation set without characters.
    """
    counts = counter.counts(eval_set.texts)
    per_char = ratio_interval(counts, [len(t) for t in eval_set.texts], RESAMPLES, SEED)
    pairs = eval_set.pairs
    premium = None
    if eval_set.lang == ENGLISH:
        premium = Interval(1.0, 1.0, 1.0)  # the reference, by definition
    elif pairs:
        english = counter.counts(en for en, _ in pairs)
        if sum(english):
            translated = counter.counts(text for _, text in pairs)
            premium = ratio_interval(translated, english, RESAMPLES, SEED)
    return TokenPremium(
        counter.tokenizer.identity,
        eval_set.lang,
        eval_set.sha256,
        len(eval_set.texts),
        eval_set.n_chars,
        len(pairs),
        per_char,
        premium,
    )


def measure(
    tokenizers: Sequence[LoadedTokenizer], eval_sets: dict[str, EvalSet], progress=None
) -> list[TokenPremium]:
    """Every tokenizer on every language's set, tokenizer by tokenizer."""
    results = []
    for tokenizer in tokenizers:
        if progress is not None:
            progress(tokenizer.identity.name)
        counter = TokenCounter(tokenizer)
        results.extend(language_premium(counter, eval_sets[lang]) for lang in sorted(eval_sets))
    return results


def premium_table(results: Sequence[TokenPremium], command: str, measured_at: str) -> pa.Table:
    """The results as tidy rows (PREMIUM_SCHEMA), one per tokenizer and language."""
    rows = []
    for result in results:
        identity, premium = result.identity, result.premium
        rows.append(
            {
                "tokenizer": identity.name,
                "kind": identity.kind,
                "vendor": identity.vendor,
                "lang": result.lang,
                "n_texts": result.n_texts,
                "n_chars": result.n_chars,
                "n_pairs": result.n_pairs,
                "tokens_per_char": result.tokens_per_char.value,
                "tokens_per_char_low": result.tokens_per_char.low,
                "tokens_per_char_high": result.tokens_per_char.high,
                "premium_vs_en": premium.value if premium else None,
                "premium_low": premium.low if premium else None,
                "premium_high": premium.high if premium else None,
                "eval_set_sha256": result.eval_set_sha256,
                "vocab_size": identity.vocab_size,
                "tokenizer_sha256": identity.file_sha256,
                "package": identity.package,
                "package_version": identity.package_version,
                "resamples": RESAMPLES,
                "seed": SEED,
                "command": command,
                "measured_at": measured_at,
            }
        )
    return pa.Table.from_pylist(rows, schema=PREMIUM_SCHEMA)
