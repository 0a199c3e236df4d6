"""The technology factor: per-language quality and token premium from the hub's profile.

Reads a technology profile Parquet file (`hub.profile_schema.PROFILE_SCHEMA`) and turns it
into arrays per profile region and country of a run: the language term of quality and the
token premium over English, weighted by the country's speakers. A language the profile
lacks gets the global model's row for it, else the model's worst measured figures (a model
that never saw a language serves it worst); `coverage_notes` says which markets that affects.

Quality gap of a model in a language (0 = the global model's English, higher = worse):
- with `info_parity` (bits for a translation over bits for its English source, parallel
  rows): log(parity) + the model's English gap below;
- else (documented fallback, profiles made before the fixed evaluation set):
  log((bpb / compressor bpb) / (global bpb_en / global compressor bpb_en)). Dividing by
  a compressor's bits on the same bytes removes how many bytes a script spends per
  character, which raw bits per byte carry (Devanagari is 3 bytes a character, Latin 1).
Token premium = `token_premium_vs_en` (parallel rows: the one premium of the product); a
language without parallel rows gets the model's worst measured premium, never a ratio of
tokens per character on different texts. Production tokenizers (`kind = production` rows,
`simulator.tokenizers`) give each firm's own premiums.

Columns read: region, lang, size, params, bits_per_byte, compressor_bits_per_byte,
tokens_per_char, token_premium_vs_en, usd_per_1m_chars (kept as the hub's measured figure,
never priced), model_id; optional: kind, tokenizer, info_parity.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np

from plumbing.checked import check_column
from plumbing.checked_files import read_parquet
from plumbing.errors import InputError
from simulator.tokenizers import production_tokenizers

REQUIRED_COLUMNS = (
    "model_id",
    "region",
    "lang",
    "size",
    "params",
    "bits_per_byte",
    "compressor_bits_per_byte",
    "tokens_per_char",
    "token_premium_vs_en",
    "usd_per_1m_chars",
)
OPTIONAL_COLUMNS = ("kind", "tokenizer", "info_parity")
HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12


@dataclass(frozen=True)
class LanguageFigures:
    """Measured quality and cost of one region's model in one language."""

    bits_per_byte: float  # raw, as measured (script-dependent)
    usd_per_1m_chars: float  # the hub's measured CPU figure, kept for reference
    quality_gap: float = 0.0  # normalised, 0 = the global model's English; higher = worse
    token_premium: float | None = 1.0  # parallel premium over English, same tokenizer


@dataclass(eq=False)  # hashed by identity, so its lookups can be cached
class TechnologyProfile:
    """The profile's rows that a run uses: one model per region, its figures per language."""

    path: Path
    figures: dict[str, dict[str, LanguageFigures]]  # region -> lang -> figures
    model_ids: dict[str, str] = field(default_factory=dict)
    # Production tokenizers: name -> lang -> token premium over English, and English
    # tokens per character (`kind = production` rows; empty in a hub-only profile).
    tokenizers: dict[str, dict[str, float]] = field(default_factory=dict)
    tokenizer_en_tokens_per_char: dict[str, float] = field(default_factory=dict)

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
            max(r.bits_per_byte for r in rows), max(r.usd_per_1m_chars for r in rows),
            max(r.quality_gap for r in rows), max(r.token_premium for r in rows)
        )

    def figures_for(self, region: str, lang: str) -> tuple[LanguageFigures, bool]:
        """Figures used for `lang` under `region`'s model, and whether they were measured."""
        found = self.match(region, lang)
        if found is None and region != "global":
            found = self.match("global", lang)
        if found is not None:
            return found, True
        return self.worst(region), False


def _version_order(model_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", model_id))


def localisation_months(gpu_hours: float, gpus: int, min_months: int) -> int:
    """Months a localisation takes: wall-clock hours on the cluster, at least `min_months`."""
    return max(min_months, math.ceil(gpu_hours / gpus / HOURS_PER_MONTH))


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def _premium(row: dict) -> float | None:
    """The parallel premium; English is 1 by definition; None where it was not measured."""
    if _finite(row["token_premium_vs_en"]):
        return float(row["token_premium_vs_en"])
    return 1.0 if row["lang"].split("-")[0] == "en" else None


def _relative_bits(row: dict) -> float | None:
    bpb, cbpb = row["bits_per_byte"], row["compressor_bits_per_byte"]
    return bpb / cbpb if _finite(bpb) and _finite(cbpb) else None


# Names a row must carry (a hub model's row: all four; a production tokenizer's row:
# lang and tokenizer), and figures that must be finite and >= 0 where present (a
# tokenizer's row has no bits per byte; `plumbing.checked` bounds the magnitude).
HUB_NAMES, PRODUCTION_NAMES = ("model_id", "region", "lang", "size"), ("lang", "tokenizer")
FIGURE_COLUMNS = (*REQUIRED_COLUMNS[4:], "info_parity")


def _check_cells(table, path: Path) -> None:
    """InputError naming the column and row of the first missing name or bad figure."""
    import pyarrow as pa

    kinds = table["kind"].to_pylist() if "kind" in table.column_names else [None] * len(table)
    for name in {*HUB_NAMES, *PRODUCTION_NAMES} & set(table.column_names):
        column = table[name]
        if not (pa.types.is_string(column.type) or pa.types.is_null(column.type)):
            raise InputError(f"{path}: column {name!r} holds {column.type}, expected text")
        for row, (value, kind) in enumerate(zip(column.to_pylist(), kinds, strict=True)):
            needed = PRODUCTION_NAMES if kind == "production" else HUB_NAMES
            if value in (None, "") and name in needed:
                raise InputError(f"{path}: row {row}: column {name!r} is empty; a "
                                 f"{kind or 'hub'} row names its {', '.join(needed)}")
    for name in (c for c in FIGURE_COLUMNS if c in table.column_names):
        kind = table[name].type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)):
            raise InputError(f"{path}: column {name!r} holds {kind}, expected numbers")
        try:
            check_column(table[name].to_numpy(zero_copy_only=False), f"column {name!r}",
                         low=0, nulls=True)
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from None


def load_profile(path: str | Path, size: str | None = None) -> TechnologyProfile:
    """Read a profile; keeps per region the largest model (or the given `size`)."""
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"{path}: technology profile not found; expected a Parquet file written by "
            "`hub profile` (set technology_profile in the scenario)"
        )
    table = read_parquet(path, "technology profile", REQUIRED_COLUMNS)
    _check_cells(table, path)
    columns = [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in table.column_names)]
    every = table.select(columns).to_pylist()
    rows = [r for r in every if r.get("kind") in (None, "hub")]
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
    kept = [r for r in rows if chosen[r["region"]][-1] == r["model_id"]]
    for row in kept:
        bpb, cost = row["bits_per_byte"], row["usd_per_1m_chars"]
        if bpb is None or cost is None or not (bpb > 0 and cost >= 0):
            raise InputError(
                f"{path}: {row['model_id']} {row['lang']}: expected bits_per_byte > 0 and "
                f"usd_per_1m_chars >= 0, got {bpb} and {cost}"
            )
    regions = sorted(chosen)
    if "global" not in regions:
        raise InputError(
            f"{path}: technology profile has no 'global' model (regions: "
            f"{', '.join(regions) or 'none'}); firms serve unlocalised markets with it"
        )
    names, english_tpc = production_tokenizers(path, every)
    profile = TechnologyProfile(path, {}, {r: k[-1] for r, k in sorted(chosen.items())},
                                names, english_tpc)
    english = {r["region"]: r for r in kept if r["lang"] == "en"}
    reference = _relative_bits(english["global"]) if "global" in english else None
    for row in kept:
        own_en = english.get(row["region"])
        relative, own_relative = _relative_bits(row), own_en and _relative_bits(own_en)
        gap = 0.0
        if relative is not None and reference is not None:
            gap = math.log(relative / reference)
            parity = row.get("info_parity")
            if _finite(parity) and own_relative is not None:
                gap = math.log(parity) + math.log(own_relative / reference)
        figures = profile.figures.setdefault(row["region"], {})
        figures[row["lang"]] = LanguageFigures(float(row["bits_per_byte"]),
                                               float(row["usd_per_1m_chars"]), gap,
                                               _premium(row))
    for rows in profile.figures.values():  # unmeasured premiums: the model's worst
        worst = max((f.token_premium for f in rows.values() if f.token_premium), default=1.0)
        for lang, found in rows.items():
            if found.token_premium is None:
                rows[lang] = replace(found, token_premium=worst)
    return profile


def scaled_premium(premium: np.ndarray | float, scale: float) -> np.ndarray | float:
    """Token premium over English with its excess scaled: 1 + (premium - 1) x scale."""
    return 1.0 + (premium - 1.0) * scale


def check_localisations(profile: TechnologyProfile, regions: list[str]) -> None:
    """InputError when a scenario localises a region the profile has no trained model for."""
    missing = sorted({r for r in regions if r not in profile.figures})
    if missing:
        raise InputError(
            f"{profile.path}: no model for region(s) {', '.join(missing)} that the scenario "
            f"localises (profile regions: {', '.join(profile.regions)})"
        )


@dataclass(frozen=True)
class CountryTechnology:
    """Language-weighted figures per (profile region, country), and coverage per country."""

    regions: tuple[str, ...]
    bits_per_byte: np.ndarray  # [regions, countries], raw as measured
    quality_gap: np.ndarray  # [regions, countries], normalised (see the module docstring)
    token_premium: np.ndarray  # [regions, countries], the region model's own tokenizer
    measured_share: np.ndarray  # [countries] speaker share the global model has figures for


def country_technology(profile: TechnologyProfile, lang_codes: tuple[str, ...],
                       lang_weights: np.ndarray) -> CountryTechnology:
    """Weight each region model's per-language figures by each country's speaker shares."""
    regions = tuple(profile.regions)
    figures = np.zeros((3, len(regions), len(lang_codes)))
    measured = np.zeros(len(lang_codes))
    for r, region in enumerate(regions):
        for k, lang in enumerate(lang_codes):
            found, seen = profile.figures_for(region, lang)
            figures[:, r, k] = found.bits_per_byte, found.quality_gap, found.token_premium
            if region == "global":
                measured[k] = float(seen)
    bits, gap, premium = (f @ lang_weights.T for f in figures)
    return CountryTechnology(regions, bits, gap, premium, lang_weights @ measured)


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
