"""Firms' language quality from their model family's published per-language scores."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pytest
from sim_profiles import firm_toml, scenario_file

from simulator.family_quality import FamilyQuality
from simulator.language_quality import read_language_quality, relative_quality
from simulator.model import StrategyModel
from simulator.run import load_scenario

PROFILE = Path(__file__).resolve().parents[1] / "data" / "technology_profile.parquet"
MARKETS = ["JP", "KR", "DE", "FR", "BR", "ID", "TR", "VN"]


def _run(tmp_path: Path, families: tuple[str, str], months: int = 24) -> StrategyModel:
    firms = [firm_toml(f"Lab {family}", "US").replace(
        "[firms.strategy]", f'model = {{ family = "{family}" }}\n[firms.strategy]')
        for family in families]
    model = StrategyModel(load_scenario(scenario_file(tmp_path, MARKETS, firms, months=months,
                                                      profile=PROFILE)))
    for _ in range(model.months):
        model.step()
    return model


def test_the_family_that_scores_higher_in_a_language_gains_share_where_it_is_spoken(tmp_path):
    # Two labs alike in everything but their model family: where one family's published
    # score (relative to its English) is higher, a logit buyer prefers it (McFadden 1974).
    # Each order of the two firms once, so the taste shocks of a firm's place cancel.
    runs = [_run(tmp_path, families) for families in (("gpt", "mistral"), ("mistral", "gpt"))]
    model = runs[0]
    gaps = model.quality_gap(model.region_of)  # [gpt, mistral] x C, -log(relative quality)
    markets = np.flatnonzero(model.geo.is_market & (model.users.sum(axis=0) > 0))
    gpt_share = np.mean([run.users[f, markets] / run.users[:, markets].sum(axis=0)
                         for run, f in zip(runs, (0, 1), strict=True)], axis=0)
    differ = np.abs(gaps[0, markets] - gaps[1, markets]) > 0.02
    assert differ.sum() >= 4  # the families differ in most of these markets
    for country, share in zip(markets[differ], gpt_share[differ], strict=True):
        assert (share > 0.5) == (gaps[0, country] < gaps[1, country]), model.geo.iso2[country]


def test_localising_gains_little_where_the_family_is_near_its_english_score():
    table = read_language_quality()
    langs = ("es", "sw", "yo")
    weights = np.eye(len(langs))  # one country per language
    dates = [datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)]
    quality = FamilyQuality.build(["gpt"], langs, weights, dates, gain=0.053)
    rel, _ = relative_quality(table, "gpt", langs, dates[0])
    plain = quality.gap(0, 1, np.zeros(3, dtype=bool))
    localised = quality.gap(0, 1, np.ones(3, dtype=bool))
    assert plain == pytest.approx(-np.log(rel))
    gained = plain - localised
    assert (gained >= 0).all()  # localising never lowers quality
    # Spanish is within a few percent of English: the gain is capped at English's level.
    assert rel[0] > 0.95 and gained[0] < -np.log(rel[0]) + 1e-12
    assert gained[0] < 0.5 * gained[2]  # Yoruba, far below English, gains the most
    assert gained[2] == pytest.approx(np.log((rel[2] + 0.053) / rel[2]))


def test_a_family_serves_each_generation_from_its_release(tmp_path):
    # A generation (GPT-4.1, April 2025) replaces its predecessor's figures from the first
    # month after its release.
    table = read_language_quality()
    langs = ("ja", "sw")
    start = datetime.date(2025, 1, 1)
    dates = [datetime.date(2025, m, 1) for m in range(1, 13)]
    quality = FamilyQuality.build(["gpt"], langs, np.eye(2), dates, gain=0.0)
    releases = sorted({g.release_date for g in _generations(table)})
    release = max(d for d in releases if d <= dates[-1])
    previous = max([start, *(d for d in releases if d < release)])
    month = next(i + 1 for i, d in enumerate(dates) if d >= release)
    before = relative_quality(table, "gpt", langs, previous)[0]
    after = relative_quality(table, "gpt", langs, release)[0]
    assert not np.allclose(before, after)
    none = np.zeros(2, dtype=bool)
    assert quality.gap(0, month - 1, none) == pytest.approx(-np.log(before))
    assert quality.gap(0, month, none) == pytest.approx(-np.log(after))


def _generations(table):
    from simulator.language_quality import family_generations

    return family_generations(table, "gpt")


def test_an_unknown_family_is_refused_with_the_known_ones(tmp_path):
    from plumbing.errors import InputError

    with pytest.raises(InputError, match="known families"):
        _run(tmp_path, ("gpt", "no-such-family"), months=1)
