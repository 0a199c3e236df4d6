"""Medians per model of a hub home's evaluation, and regional against global on the same bytes.

Usage: `python benchmarks/profile_summary.py HUB_HOME` (after `hub eval` for each region).
Reads every registered version's metrics.parquet (fp32 rows, languages only) and prints two
Markdown tables: per model, the medians of its languages and in how many the model spends
fewer bits per character than xz primed on the training split; per regional model, in how
many of the languages it shares with `global` it spends fewer bits per character on the
same evaluation set (sha256 checked) and the median relative saving.
"""

import sys
from pathlib import Path

import pandas as pd


def language_figures(path: Path) -> pd.DataFrame:
    """One row per language, one column per metric (fp32 or precision-free rows)."""
    metrics = pd.read_parquet(path)
    metrics = metrics[metrics.precision.isin(["fp32", "n/a"]) & (metrics.lang != "all")]
    wide = metrics.pivot_table(index="lang", columns="metric", values="value", aggfunc="first")
    sha = metrics[metrics.metric == "bits_per_char"].set_index("lang").eval_set_sha256
    return wide.assign(eval_set_sha256=sha)


def main(home: Path) -> None:
    models = {path.parent.parent.name: language_figures(path)
              for path in sorted(home.glob("*/v*/metrics.parquet"))}
    medians = []
    for region, w in models.items():
        bpc, primed = w.bits_per_char, w.primed_compressor_bits_per_char
        medians.append(dict(
            model=region, languages=len(w), bits_per_byte=w.bits_per_byte.median(),
            bits_per_char=bpc.median(), info_parity=w.info_parity.median(),
            top1=w.top1_accuracy.median(), chrf=w.chrf.median(),
            primed_xz_bits_per_char=primed.median(), beats_primed_xz=int((bpc < primed).sum())))
    print(pd.DataFrame(medians).round(3).to_markdown(index=False))
    reference = models["global"]
    gaps = []
    for region, w in models.items():
        if region == "global":
            continue
        both = w.merge(reference, left_index=True, right_index=True, suffixes=("", "_global"))
        if not (both.eval_set_sha256 == both.eval_set_sha256_global).all():
            raise SystemExit(f"{region}: evaluation sets differ from global's")
        saving = 1 - both.bits_per_char / both.bits_per_char_global
        gaps.append(dict(model=region, shared=len(both), fewer_bits=int((saving > 0).sum()),
                         median_saving=f"{saving.median():.1%}"))
    print(pd.DataFrame(gaps).to_markdown(index=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
