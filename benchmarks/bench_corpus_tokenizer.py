"""Corpus build time per source and tokenizer training throughput, side by side in one run.

Usage: python benchmarks/bench_corpus_tokenizer.py [--home DIR] [--skip-build]
Prints a Markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from hub.corpus.sources import DEFAULT_SOURCES, make_sources
from hub.corpus.store import build_corpus
from hub.tokenizer import train_tokenizer


def bench_build(home: Path) -> None:
    cpu = time.process_time()
    started = time.perf_counter()
    sources = make_sources(list(DEFAULT_SOURCES), [], [])
    listed = time.perf_counter() - started
    source_of = {unit.label: source.name for source in sources for unit in source.units}
    spent: dict[str, float] = defaultdict(float)
    last = [time.perf_counter()]

    def on_unit(label: str) -> None:
        now = time.perf_counter()
        spent[source_of[label]] += now - last[0]
        last[0] = now

    manifest = build_corpus(home, sources, on_unit=on_unit)
    total = time.perf_counter() - started
    langs = manifest["languages"]
    chars = {lang: sum(c["chars"].values()) for lang, c in langs.items()}
    print("| step | seconds |\n|---|---|")
    print(f"| list sources | {listed:.1f} |")
    for name, seconds in spent.items():
        print(f"| read + clean {name} | {seconds:.1f} |")
    rest = total - listed - sum(spent.values())
    print(f"| split + write Parquet + manifest | {rest:.1f} |")
    print(f"| **total build** | **{total:.1f}** (CPU {time.process_time() - cpu:.1f}) |")
    print(
        f"\n{manifest['rows']:,} rows, {sum(chars.values()):,} characters, {len(langs)} "
        f"languages, {sum(n >= 200_000 for n in chars.values())} with >= 200,000 characters, "
        f"{len(manifest['skipped'])} inputs skipped\n"
    )


def bench_tokenizers(home: Path, runs: list[tuple[str, int]]) -> None:
    print("| region | max chars | chars drawn | seconds | CPU s | chars/s |")
    print("|---|---|---|---|---|---|")
    for region, max_chars in runs:
        cpu = time.process_time()
        started = time.perf_counter()
        path = train_tokenizer(home, region, vocab_size=8192, max_chars=max_chars)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        drawn = sum(
            json.loads(path.with_name("training.json").read_text())["chars_per_language"].values()
        )
        print(
            f"| {region} | {max_chars:,} | {drawn:,} | {seconds:.1f} | {cpu:.1f} "
            f"| {drawn / seconds:,.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-hub-"))
    print(f"machine: {os.cpu_count()} CPUs visible; home {home}\n")
    if not args.skip_build:
        bench_build(home)
    bench_tokenizers(
        home,
        [
            ("english", 1_000_000),
            ("eu", 1_000_000),
            ("eu", 3_000_000),
            ("eu", 10_000_000),
            ("global", 3_000_000),
            ("global", 10_000_000),
        ],
    )


if __name__ == "__main__":
    main()
