"""The hub's own regional-vs-global gain at matched compute, beside the published one.

Run on purpose: `python benchmarks/localisation_crosscheck.py`. For each region, the
shipped profile's regional model against the global model trained on the same budget
(900 steps, 6.16e13 FLOPs): the relative fall in bits per character on the region's
languages (median, p10, p90) and on English, beside the published continued pre-training
results (data/localisation_results.csv: target-language gain and English change in points).
Direction is what compares: the published results gain in the target language and barely
move English; the hub's models should gain more in the region's languages than in English.
"""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq

from plumbing.shipped import shipped_path
from simulator.language_quality import localisation_gain, read_localisation_results


def main() -> None:
    """Print the table RESULTS.md quotes."""
    rows = pq.read_table(shipped_path("technology_profile.parquet")).to_pandas()
    hub = rows[rows.kind == "hub"]
    base = hub[hub.region == "global"].set_index("lang").bits_per_char
    print("| region | languages | fall in bits/char: median (p10..p90) | English "
          "| target > English |")
    print("| --- | --- | --- | --- | --- |")
    for region in sorted(set(hub.region) - {"global"}):
        own = hub[hub.region == region].set_index("lang").bits_per_char
        langs = own.index.intersection(base.index).drop("en", errors="ignore")
        fall = (base[langs] - own[langs]) / base[langs]
        english = (base["en"] - own["en"]) / base["en"]
        median, low, high = np.median(fall), np.percentile(fall, 10), np.percentile(fall, 90)
        print(f"| {region} | {len(langs)} | {median:.1%} ({low:.1%}..{high:.1%}) | "
              f"{english:.1%} | {'yes' if median > english else 'no'} |")
    target, english = localisation_gain(read_localisation_results())
    print(f"\npublished: target +{target.median:.2f} points (p10 {target.p10:.2f}, p90 "
          f"{target.p90:.2f}, n={target.n}); English {english.median:+.2f} "
          f"(p10 {english.p10:+.2f}, p90 {english.p90:+.2f})")


if __name__ == "__main__":
    main()
