"""Vocabulary extension of one production tokenizer for one region, step by step, timed.

What `hub premium --tokenizer T --extend REGION:N` does, in its parts: load the tokenizer,
read and pre-tokenize the region's training text into production-token words, learn N
merges (incremental pair counts), and measure each language's premium before and after on
the fixed evaluation set. Sizes: small (4,000 tokens) and large (16,000, the target of
under 2 minutes in all), or any --added.

Usage: python benchmarks/bench_vocab_extension.py --home HUB_HOME [--tokenizer cl100k_base]
    [--region apac] [--added 4000 --added 16000]
Prints a Markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from hub.measurement.eval_set import evaluation_sets
from hub.measurement.extension_premium import region_langs
from hub.measurement.premium import ENGLISH, TokenCounter, language_premium
from hub.measurement.production_tokenizers import load_tokenizer
from hub.measurement.vocab_extension import TRAIN_CHARS, Extension, learn_merges, training_words


def timed(step: str, rows: list, work):
    cpu, started = time.process_time(), time.perf_counter()
    result = work()
    rows.append((step, time.perf_counter() - started, time.process_time() - cpu))
    return result


def bench(home: Path, name: str, region: str, added: int, max_chars: int) -> None:
    rows: list = []
    base = timed("load tokenizer", rows, lambda: load_tokenizer(name))
    words, drawn = timed(
        "training words (read, sample, pre-tokenize, encode)", rows,
        lambda: training_words(home, region, base, max_chars),
    )
    bpe = base.bpe
    merges = timed(
        f"learn {added:,} merges", rows,
        lambda: learn_merges(
            words, added, bpe.decode_single_token_bytes, set(bpe.token_byte_values()),
            bpe.n_vocab,
        ),
    )
    extension = Extension(base, region, tuple(merges), bpe.n_vocab)
    eval_sets = timed(
        "evaluation sets", rows, lambda: evaluation_sets(home, region_langs(home, region))
    )

    def measure(tokenizer):
        counter = TokenCounter(tokenizer)
        return {lang: language_premium(counter, s) for lang, s in sorted(eval_sets.items())}

    before = timed("premium before (production)", rows, lambda: measure(base))
    after = timed("premium after (extended)", rows, lambda: measure(extension.tokenizer()))
    print(f"\n{name} + {region}:{added} ({len(merges):,} learned), {sum(drawn.values()):,} "
          f"characters drawn in {len(drawn)} languages, {len(words):,} distinct words\n")
    print("| step | seconds | CPU s |\n|---|---|---|")
    for step, wall, cpu in rows:
        print(f"| {step} | {wall:.1f} | {cpu:.1f} |")
    print(f"| **total** | **{sum(r[1] for r in rows):.1f}** | {sum(r[2] for r in rows):.1f} |")
    falls = [after[lang].premium.value / before[lang].premium.value - 1
             for lang in before if lang != ENGLISH and before[lang].premium is not None]
    en = after[ENGLISH].tokens_per_char.value / before[ENGLISH].tokens_per_char.value - 1
    falls.sort()
    print(f"\npremium change over {len(falls)} languages: median {falls[len(falls) // 2]:+.1%}, "
          f"largest fall {falls[0]:+.1%}; English tokens per character {en:+.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="hub home with a corpus")
    parser.add_argument("--tokenizer", default="cl100k_base")
    parser.add_argument("--region", default="apac")
    parser.add_argument("--added", type=int, action="append", help="tokens (repeatable)")
    parser.add_argument("--train-chars", type=int, default=TRAIN_CHARS)
    args = parser.parse_args()
    for added in args.added or [4000, 16000]:
        bench(args.home, args.tokenizer, args.region, added, args.train_chars)


if __name__ == "__main__":
    main()
