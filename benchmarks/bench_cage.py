"""CAGE distances: the vectorised matrices against a per-pair Python loop, side by side.

Run: python benchmarks/bench_cage.py
Sizes: the first 25 countries (small) and all of them (large). The loop computes the same
four components pair by pair from the same formulas, to show what vectorising buys and to
check the two agree.
"""

import math
import time

import numpy as np

from simulator.world.cage import (
    BORDER_FACTOR,
    EARTH_RADIUS_KM,
    HALF_CIRCUMFERENCE_KM,
    MAX_GDP_RATIO,
    NEAR_KM,
    cage_graph,
    cage_matrices,
)
from simulator.world.countries import load_countries


def pair_loop(countries):
    n = len(countries)
    combined = np.zeros((n, n))
    for i, a in enumerate(countries):
        sa = {}
        for lang, share in a.languages:
            sa[lang.split("-")[0]] = sa.get(lang.split("-")[0], 0) + share
        for j, b in enumerate(countries):
            if i == j:
                continue
            sb = {}
            for lang, share in b.languages:
                sb[lang.split("-")[0]] = sb.get(lang.split("-")[0], 0) + share
            dot = sum(v * sb.get(k, 0) for k, v in sa.items())
            norm = math.sqrt(sum(v * v for v in sa.values()) * sum(v * v for v in sb.values()))
            cultural = min(1.0, max(0.0, 1 - (dot / norm if norm else 0)))
            oa = {x.split("-")[0] for x in a.official_languages}
            ob = {x.split("-")[0] for x in b.official_languages}
            admin = 0.0 if a.eu_member and b.eu_member else (0.5 if oa & ob else 1.0)
            p1, p2 = math.radians(a.lat), math.radians(b.lat)
            h = (
                math.sin((p1 - p2) / 2) ** 2
                + math.cos(p1) * math.cos(p2) * math.sin(math.radians(a.lon - b.lon) / 2) ** 2
            )
            km = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
            geo = min(
                1.0,
                max(
                    0.0,
                    math.log(max(km, NEAR_KM) / NEAR_KM)
                    / math.log(HALF_CIRCUMFERENCE_KM / NEAR_KM),
                ),
            )
            if b.iso2 in a.neighbours:
                geo *= BORDER_FACTOR
            econ = min(
                1.0, abs(math.log(a.gdp_per_capita / b.gdp_per_capita)) / math.log(MAX_GDP_RATIO)
            )
            combined[i, j] = (cultural + admin + geo + econ) / 4
    return combined


def timed(fn, *args, repeat=3):
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    countries = load_countries()
    cage_graph(countries[:2])  # warm-up: the first call pays for importing networkx
    print(
        "| countries | cage_matrices (s) | per-pair loop (s) | loop / matrices | cage_graph (s) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for subset in (countries[:25], countries):
        t_vec, m = timed(cage_matrices, subset)
        t_loop, loop = timed(pair_loop, subset, repeat=1)
        t_graph, _ = timed(cage_graph, subset, repeat=1)
        assert np.allclose(m.combined, loop), "vectorised and loop disagree"
        ratio = t_loop / t_vec
        print(f"| {len(subset)} | {t_vec:.4f} | {t_loop:.3f} | {ratio:.0f}x | {t_graph:.3f} |")


if __name__ == "__main__":
    main()
