"""The technology factor: per-language quality and serving cost from the hub's profile.

Reads a technology profile Parquet file (`hub.profile_schema.PROFILE_SCHEMA`) and turns it
into two arrays per profile region: language-weighted bits per byte and serving cost per
million characters, for every country of a run. A language the profile lacks gets the
global model's row for it, else the model's worst measured figures (a model that never saw
a language serves it worst); `coverage_notes` says which markets that affects.

Columns read: region, lang, size, params, bits_per_byte, usd_per_1m_chars, train_flops
(model_id for tie-breaking and messages).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np

from hub.errors import InputError

REQUIRED_COLUMNS = (
    "model_id",
    "region",
    "lang",
    "size",
    "params",
    "bits_per_byte",
    "usd_per_1m_chars",
    "train_flops",
)
HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12


@dataclass(frozen=True)
class LanguageFigures:
    """Measured quality and cost of one region's model in one language."""

    bits_per_byte: float
    usd_per_1m_chars: float


@dataclass(eq=False)  # hashed by identity, so its lookups can be cached
class TechnologyProfile:
    """The profile's rows that a run uses: one model per region, its figures per language."""

    path: Path
    figures: dict[str, dict[str, LanguageFigures]]  # region -> lang -> figures
    train_flops: dict[str, float]  # region -> FLOPs its model was trained with
    model_ids: dict[str, str] = field(default_factory=dict)

    @property
    def regions(self) -> list[str]:
        """Regions with a model, in sorted order."""
        return sorted(self.figures)

    def match(self, region: str, lang: str) -> LanguageFigures | None:
        """Figures for `lang` in `region`'s model: exact code, else same base language."""
        rows = self.figures[region]
        if lang in rows:
            return rows[lang]
        base = lang.split("-")[0]
        if base in rows:
            return rows[base]
        # Another variant of the language (pt-BR for pt-PT): the first in code order.
        close = self._variants(region).get(base)
        return rows[close] if close else None

    @cache  # noqa: B019 - a profile is loaded once per run and lives as long as it
    def _variants(self, region: str) -> dict[str, str]:
        first: dict[str, str] = {}
        for code in sorted(self.figures[region]):
            first.setdefault(code.split("-")[0], code)
        return first

    @cache  # noqa: B019
    def worst(self, region: str) -> LanguageFigures:
        """The region model's worst measured quality and highest cost."""
        rows = self.figures[region].values()
        return LanguageFigures(
            max(r.bits_per_byte for r in rows), max(r.usd_per_1m_chars for r in rows)
        )

    def figures_for(self, region: str, lang: str) -> tuple[LanguageFigures, bool]:
        """Figures used for `lang` under `region`'s model, and whether they were measured."""
        found = self.match(region, lang)
        if found is None and region != "global":
            found = self.match("global", lang)
        if found is not None:
            return found, True
        return self.worst(region), False

    def localisation_gpu_hours(self, region: str, compute_multiplier: float,
                               peak_flops: float, utilisation: float) -> float:
        """GPU hours to train `region`'s model: FLOPs / (peak FLOP/s x utilisation) / 3600."""
        flops = self.train_flops[region] * compute_multiplier
        return flops / (peak_flops * utilisation) / 3600.0


def _version_order(model_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", model_id))


def localisation_months(gpu_hours: float, gpus: int, min_months: int) -> int:
    """Months a localisation takes: wall-clock hours on the cluster, at least `min_months`."""
    return max(min_months, math.ceil(gpu_hours / gpus / HOURS_PER_MONTH))


def load_profile(path: str | Path, size: str | None = None) -> TechnologyProfile:
    """Read a profile; keeps per region the largest model (or the given `size`)."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise InputError(
            f"{path}: technology profile not found; expected a Parquet file written by "
            "`hub profile` (set technology_profile in the scenario)"
        )
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(f"{path}: technology profile lacks columns {', '.join(missing)}")
    rows = table.select(list(REQUIRED_COLUMNS)).to_pylist()
    if size is not None:
        rows = [r for r in rows if r["size"] == size]
        if not rows:
            sizes = sorted({str(r["size"]) for r in table.select(["size"]).to_pylist()})
            raise InputError(f"{path}: no model of size {size!r}; the profile has {sizes}")
    chosen: dict[str, tuple] = {}
    for row in rows:
        # Largest model first, then the newest version ("eu@v10" after "eu@v9").
        key = (row["params"] or 0, _version_order(row["model_id"]), row["model_id"])
        if row["region"] not in chosen or key > chosen[row["region"]]:
            chosen[row["region"]] = key
    profile = TechnologyProfile(path, {}, {}, {r: k[-1] for r, k in sorted(chosen.items())})
    for row in rows:
        if chosen[row["region"]][-1] != row["model_id"]:
            continue
        bpb, cost = row["bits_per_byte"], row["usd_per_1m_chars"]
        if bpb is None or cost is None or not (bpb > 0 and cost >= 0):
            raise InputError(
                f"{path}: {row['model_id']} {row['lang']}: expected bits_per_byte > 0 and "
                f"usd_per_1m_chars >= 0, got {bpb} and {cost}"
            )
        figures = profile.figures.setdefault(row["region"], {})
        figures[row["lang"]] = LanguageFigures(float(bpb), float(cost))
        flops = row["train_flops"]
        if flops is not None:
            profile.train_flops[row["region"]] = max(
                profile.train_flops.get(row["region"], 0.0), float(flops)
            )
    if "global" not in profile.figures:
        raise InputError(
            f"{path}: technology profile has no 'global' model (regions: "
            f"{', '.join(profile.regions) or 'none'}); firms serve unlocalised markets with it"
        )
    return profile


def scale_token_premium(profile: TechnologyProfile, scale: float) -> TechnologyProfile:
    """Serving cost above English scaled by `scale` in every model (premium' = 1 + (p-1)s).

    Serving cost is proportional to tokens, so scaling the cost gap to English scales the
    token premium over English the same way.
    """
    if scale == 1.0:
        return profile
    figures = {}
    for region, langs in profile.figures.items():
        english = langs.get("en") or min(langs.values(), key=lambda f: f.usd_per_1m_chars)
        base = english.usd_per_1m_chars
        figures[region] = {
            lang: LanguageFigures(f.bits_per_byte, base + (f.usd_per_1m_chars - base) * scale)
            for lang, f in langs.items()
        }
    return replace(profile, figures=figures)


def check_localisations(profile: TechnologyProfile, regions: list[str]) -> None:
    """InputError when a scenario localises a region the profile has no trained model for."""
    missing = sorted({r for r in regions if r not in profile.figures})
    no_flops = sorted({r for r in regions if r in profile.figures and r not in profile.train_flops})
    problems = []
    if missing:
        problems.append(
            f"no model for region(s) {', '.join(missing)} that the scenario localises "
            f"(profile regions: {', '.join(profile.regions)})"
        )
    if no_flops:
        problems.append(f"no train_flops for region(s) {', '.join(no_flops)}")
    if problems:
        raise InputError(f"{profile.path}: " + "; ".join(problems))


@dataclass(frozen=True)
class CountryTechnology:
    """Language-weighted figures per (profile region, country), and coverage per country."""

    regions: tuple[str, ...]
    bits_per_byte: np.ndarray  # [regions, countries]
    usd_per_1m_chars: np.ndarray  # [regions, countries]
    measured_share: np.ndarray  # [countries] speaker share the global model has figures for


def country_technology(profile: TechnologyProfile, lang_codes: tuple[str, ...],
                       lang_weights: np.ndarray) -> CountryTechnology:
    """Weight each region model's per-language figures by each country's speaker shares."""
    regions = tuple(profile.regions)
    quality = np.zeros((len(regions), len(lang_codes)))
    cost = np.zeros_like(quality)
    measured = np.zeros(len(lang_codes))
    for r, region in enumerate(regions):
        for k, lang in enumerate(lang_codes):
            figures, found = profile.figures_for(region, lang)
            quality[r, k], cost[r, k] = figures.bits_per_byte, figures.usd_per_1m_chars
            if region == "global":
                measured[k] = float(found)
    return CountryTechnology(
        regions, quality @ lang_weights.T, cost @ lang_weights.T, lang_weights @ measured
    )


def coverage_notes(tech: CountryTechnology, iso2: tuple[str, ...], population: np.ndarray,
                   limit: int = 8) -> list[str]:
    """Plain-language notes on markets whose languages the profile does not measure."""
    gap = (1.0 - tech.measured_share) * population  # countries with no people weigh nothing
    order = np.argsort(-gap, kind="stable")
    worst = [f"{iso2[i]} ({tech.measured_share[i]:.0%} measured)" for i in order[:limit]
             if tech.measured_share[i] < 0.5 and population[i] > 0]
    if not worst:
        return []
    share = float((tech.measured_share * population).sum() / max(population.sum(), 1.0))
    return [
        f"the profile measures languages spoken by {share:.0%} of the markets' people; "
        f"least covered: {', '.join(worst)} (unmeasured languages get the model's worst "
        "measured quality and cost)"
    ]
