"""The token premium per language before and after a vocabulary extension, as rows.

`hub premium --extend REGION:N` learns N tokens for the region on top of each production
tokenizer (`hub.measurement.vocab_extension`) and measures the region's languages with the
one premium recipe (`hub.measurement.premium.language_premium`) on the fixed evaluation set,
once with the production encoding and once with the extended one. Several N for one region
are one learning run: greedy merges are learned in rank order, so the first N of a longer
run are exactly what learning N gives.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from hub.corpus.store import read_manifest
from hub.languages import region_corpus_langs
from hub.measurement.eval_set import EvalSet
from hub.measurement.premium import (
    ENGLISH,
    TokenCounter,
    TokenPremium,
    language_premium,
    premium_table,
)
from hub.measurement.production_tokenizers import LoadedTokenizer
from hub.measurement.vocab_extension import TRAIN_CHARS, extend
from hub.regions import region_names
from plumbing.errors import InputError

# The table the simulator reads (data/vocab_extension.csv), one row per tokenizer, region,
# added tokens and language.
CSV_COLUMNS = (
    "tokenizer", "region", "added_tokens", "lang",
    "premium_before", "premium_before_low", "premium_before_high",
    "premium_after", "premium_after_low", "premium_after_high",
    "tokens_ratio", "eval_set_sha256", "command",
)


@dataclass(frozen=True)
class ExtensionPremium:
    """One language's figures under a production tokenizer and under its extension.

    Attributes:
        region: The region the tokens were learned for.
        requested: The tokens asked for.
        added_tokens: The tokens learned (fewer than asked where no pair was left that
            occurs at least `vocab_extension.MIN_PAIR_COUNT` times).
        before: The production tokenizer's figures.
        after: The extended tokenizer's figures on the same evaluation set.
    """

    region: str
    requested: int
    added_tokens: int
    before: TokenPremium
    after: TokenPremium


def parse_extend(spec: str) -> tuple[str, int]:
    """`REGION:N` as (region, N).

    Raises:
        InputError: not REGION:N with a known region and a whole N of at least 1.
    """
    region, _, count = spec.partition(":")
    known = region_names()
    if region not in known or not count.isdigit() or int(count) < 1:
        raise InputError(
            f"--extend {spec!r}: expected REGION:N, REGION one of {', '.join(sorted(known))} "
            f"and N the tokens to add (a whole number of at least 1), e.g. apac:16000"
        )
    return region, int(count)


def region_langs(home: Path, region: str) -> list[str]:
    """The corpus languages of a region (English among them, as the reference)."""
    return region_corpus_langs(read_manifest(home)["languages"], region)


def measure_extensions(
    home: Path,
    tokenizers: Sequence[LoadedTokenizer],
    specs: Sequence[tuple[str, int]],
    eval_sets: dict[str, EvalSet],
    max_chars: int = TRAIN_CHARS,
    progress: Callable[[str], None] | None = None,
) -> list[ExtensionPremium]:
    """Each tokenizer extended for each (region, N), its region's languages before and after.

    Args:
        home: The hub home whose corpus gives the training split.
        tokenizers: Production tokenizers with a tiktoken BPE.
        specs: (region, tokens to add) pairs.
        eval_sets: The evaluation sets; a region's languages without one are left out.
        max_chars: Characters of the region's training text drawn.
        progress: Called with what is being done.
    """
    sizes: dict[str, list[int]] = {}
    for region, count in specs:
        sizes.setdefault(region, []).append(count)
    results = []
    for tokenizer in tokenizers:
        before = TokenCounter(tokenizer)
        for region, counts in sizes.items():
            if progress is not None:
                progress(f"{tokenizer.identity.name}: learning {max(counts)} tokens for {region}")
            learned = extend(home, region, tokenizer, max(counts), max_chars)
            langs = [lang for lang in region_langs(home, region) if lang in eval_sets]
            base = {lang: language_premium(before, eval_sets[lang]) for lang in langs}
            for count in sorted(set(counts)):
                extension = learned.limited(count)
                after = TokenCounter(extension.tokenizer())
                results.extend(
                    ExtensionPremium(
                        region, count, len(extension.merges), base[lang],
                        language_premium(after, eval_sets[lang]),
                    )
                    for lang in langs
                )
    return results


def extension_table(
    results: Sequence[ExtensionPremium], command: str, measured_at: str
) -> pa.Table:
    """`hub premium`'s rows (PREMIUM_SCHEMA) plus `region` and `added_tokens` (0: before).

    The production tokenizer's rows appear once per region, with `added_tokens` 0.
    """
    before = {(r.before.identity.name, r.region, r.before.lang): r.before for r in results}
    parts = [(region, 0, premium) for (_, region, _), premium in before.items()]
    parts += [(r.region, r.added_tokens, r.after) for r in results]
    table = premium_table([premium for _, _, premium in parts], command, measured_at)
    table = table.append_column(
        pa.field("region", pa.string()), pa.array([region for region, _, _ in parts])
    )
    return table.append_column(
        pa.field("added_tokens", pa.int64()), pa.array([added for _, added, _ in parts])
    )


def extension_csv(results: Sequence[ExtensionPremium], command: str) -> str:
    """The results in CSV_COLUMNS, languages with a premium (English is 1 by definition).

    `tokens_ratio` is the extended tokenizer's tokens over the production one's on the
    language's own evaluation text (the same bytes; never above 1): what serving that
    language costs after the extension. The premium after is a ratio to the extension's
    English tokens, which merges shorten too, so it can rise while no text gets longer.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results:
        if r.before.lang == ENGLISH or r.before.premium is None or r.after.premium is None:
            continue
        writer.writerow(
            [r.before.identity.name, r.region, r.added_tokens, r.before.lang,
             *(f"{x:.4f}" for p in (r.before.premium, r.after.premium)
               for x in (p.value, p.low, p.high)),
             f"{r.after.tokens_per_char.value / r.before.tokens_per_char.value:.6f}",
             r.before.eval_set_sha256, command]
        )
    return out.getvalue()
