"""Where int8 and fp32 pick different next tokens, for each registered region's model.

For every region given, on the corpus test split (the sample `hub eval` draws): int8's
next-token agreement with fp32 and its bits per byte against fp32 (as in
bench_generation.py), then how far apart fp32's own two best logits were at the positions
where int8 chose differently. A disagreement where fp32 itself was nearly tied says
nothing about int8; one where fp32 was sure would be a real error.

Example:
    python benchmarks/bench_int8_agreement.py --home models eu global na latam apac mena ssa cis
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from bench_generation import int8_quality

MARGIN = 0.03  # logits; fp32's top-2 gaps at disagreements were all about this or less


def top2_margins_and_flips(version, home: Path, rows_per_lang: int) -> tuple[np.ndarray, ...]:
    """fp32's top-1 minus top-2 logit, and whether int8's top-1 differs, at every position."""
    from hub.measurement.evaluate import scoring_rows_by_lang, test_sample
    from hub.serving.runtime import Generator

    fp32, int8 = Generator(version.path), Generator(version.path, int8=True)
    samples = test_sample(home, list(version.config().languages), rows_per_lang, 0)
    context = version.config().model["context_length"]
    by_lang = scoring_rows_by_lang(fp32.tokenizer, samples, fp32.special, context)
    rows = [inputs for lang_rows in by_lang.values() for inputs, _ in lang_rows]
    n_head, head_dim = fp32.cache_shape
    margins, flips = [], []
    for start in range(0, len(rows), 16):
        batch = rows[start : start + 16]
        ids = np.zeros((len(batch), max(map(len, batch))), np.int64)
        mask = np.zeros_like(ids)
        for i, row in enumerate(batch):
            ids[i, : len(row)], mask[i, : len(row)] = row, 1
        empty = np.zeros((len(batch), n_head, 0, head_dim), np.float32)
        feed = {"input_ids": ids, "attention_mask": mask}
        feed.update({name: empty for name in fp32.past_names})
        real = mask.astype(bool)
        full = fp32.session.run(["logits"], feed)[0][real]
        quant = int8.session.run(["logits"], feed)[0][real]
        two_best = np.sort(full, axis=-1)[:, -2:]
        margins.append(two_best[:, 1] - two_best[:, 0])
        flips.append(full.argmax(-1) != quant.argmax(-1))
    return np.concatenate(margins), np.concatenate(flips)


def main() -> None:
    """Print one Markdown row per region."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--rows", type=int, default=32, help="test rows per language")
    parser.add_argument("regions", nargs="+")
    args = parser.parse_args()

    from hub import registry

    print(
        "| model | test positions | int8 = fp32 | int8 bits per byte vs fp32 | "
        f"positions with fp32 top-2 gap <= {MARGIN} | int8 = fp32 above that gap | "
        "largest fp32 gap where int8 differs |\n|---|---|---|---|---|---|---|"
    )
    for region in args.regions:
        version = registry.check(registry.resolve(args.home, region))
        quality = int8_quality(version, Path(args.home), args.rows)
        margins, flips = top2_margins_and_flips(version, Path(args.home), args.rows)
        sure = margins > MARGIN
        drift = quality["bpb_int8"] / quality["bpb_fp32"] - 1
        largest = f"{margins[flips].max():.3f}" if flips.any() else "-"
        print(
            f"| {version.model_id} | {quality['positions']:,} | {quality['top1_agreement']:.2%} "
            f"| {drift:+.3%} | {1 - sure.mean():.1%} | {1 - flips[sure].mean():.3%} "
            f"| {largest} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
