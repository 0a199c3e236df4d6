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
from pathlib import Path

import pyarrow as pa

from hub.corpus.store import read_manifest
from hub.languages import ENGLISH_REGION, GLOBAL_REGION, region_corpus_langs
from hub.measurement.bootstrap import RESAMPLES, SEED, Interval, ratio_interval
from hub.measurement.eval_set import EvalSet, evaluation_sets
from hub.measurement.production_tokenizers import (
    LoadedTokenizer,
    TokenizerIdentity,
    hub_tokenizer,
)
from hub.metrics import Metric
from hub.tokenizer import load_tokenizer, tokenizer_path
from plumbing.atomic import sha256_file

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


def region_tokenizer_metrics(home: Path, region: str) -> list[Metric]:
    """The region's trained tokenizer beside the global and English ones, per language.

    For every corpus language of the region with an evaluation set: tokens per character
    and UTF-8 bytes per token over its set, and (for translations) the token premium vs
    English over its parallel rows, each with its interval and the set's sha256: the same
    recipe (`language_premium`) as `hub premium` and the profile.

    Returns:
        hub.metrics.Metric rows (model_id `tokenizer/{name}`, region = the evaluated region).

    Raises:
        InputError: a tokenizer or the corpus is missing (naming the command that makes it).
    """
    names = list(dict.fromkeys((region, GLOBAL_REGION, ENGLISH_REGION)))
    counters = {}
    for name in names:
        path = tokenizer_path(home, name)
        loaded = hub_tokenizer(
            f"tokenizer/{name}", load_tokenizer(home, name), path, sha256_file(path),
            "hub tokenizer", name,
        )
        counters[name] = TokenCounter(loaded)
    eval_sets = evaluation_sets(home, region_corpus_langs(read_manifest(home)["languages"], region))
    metrics = []
    for lang, eval_set in sorted(eval_sets.items()):
        n_bytes = [len(text.encode("utf-8")) for text in eval_set.texts]
        for name, counter in counters.items():
            found = language_premium(counter, eval_set)
            per_token = ratio_interval(n_bytes, counter.counts(eval_set.texts), RESAMPLES, SEED)
            figures = [
                ("tokens_per_char", found.tokens_per_char, "tokens/char"),
                ("bytes_per_token", per_token, "bytes/token"),
            ]
            if found.n_pairs and found.premium is not None:  # English vs itself: 1 by definition
                figures.append(("token_premium_vs_en", found.premium, "ratio"))
            metrics.extend(
                Metric(
                    model_id=f"tokenizer/{name}", region=region, lang=lang, metric=metric,
                    value=figure.value, unit=unit, precision="n/a", device="cpu",
                    low=figure.low, high=figure.high, eval_set_sha256=eval_set.sha256,
                )
                for metric, figure, unit in figures
            )
    return metrics
