"""The advice hindcast on a tiny case: a move that pays by construction ranks first.

The calibration twin (three countries, two firms, calibrated through 2023-10) with the
European firm kept out of the US by its own list: entering the US, the largest market, with
nothing else changed, must pay, so the real "entry into the US" of the firm ranks first of
all candidates and beats the status quo in every member. A real office in Germany is scored
as the office move (generated or added by the same recipe); a partnership "in the world" is
not expressible and is listed with why.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from simulator.advice.hindcast import hindcast, next_month
from simulator.advice.real_moves import RealMove


def real(ident: str, when: date, kind: str, country: str, firm: str = "Euro") -> RealMove:
    return RealMove(row=2, id=ident, date=when, day_known=True, company="twin", firm=firm,
                    kind=kind, country=country, language="", detail=f"{kind} {country}",
                    value=None, unit="", source_publisher="tests", source_title="tiny case",
                    source_url="", checked="constructed")


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    from calibration_cases import UNTIL, twin_case

    from simulator.calibration.calibrate import Settings, calibrate

    folder = tmp_path_factory.mktemp("hindcast")
    scenario, observations = twin_case(folder)
    calibrate(scenario, observations, folder / "cal", Settings(
        until=UNTIL, runs=48, waves=1, replicates=2, seed=5, discrepancy_scale=1.0), workers=2)
    moves = [real("enter-us", date(2024, 1, 10), "enter", "US"),
             real("office-de", date(2024, 3, 1), "office", "DE"),
             real("world-deal", date(2024, 6, 1), "partnership", "world"),
             real("too-late", date(2030, 1, 1), "office", "US"),
             real("before", date(2023, 6, 1), "office", "DE"),
             real("rival", date(2024, 2, 1), "office", "DE", firm="Frontier")]
    scores, summary = hindcast(folder / "cal", "Euro", UNTIL, folder / "out", moves,
                               samples=2, horizon=24, workers=2,
                               assignments=('firms.Euro.strategy.exclude=["US"]',))
    return folder, {s.id: s for s in scores}, summary


def test_a_move_that_pays_by_construction_ranks_first(scored):
    _, scores, summary = scored
    entry = scores["enter-us"]
    assert entry.move == "enter-US" and not entry.added
    assert entry.rank == 1 and entry.p_beats_status_quo == 1.0
    assert entry.npv_mean > entry.status_quo_npv_mean
    assert summary["decision_date"] == next_month("2023-10") == "2023-11"
    assert summary["horizon_months"] == 24


def test_every_real_move_in_the_horizon_is_scored_or_said_why(scored):
    folder, scores, summary = scored
    # the firm's, within the horizon only (not before the decision, after it or a rival's)
    assert set(scores) == {"enter-us", "office-de", "world-deal"}
    office = scores["office-de"]
    assert office.move == "office-DE" and 1 < office.rank <= office.candidates
    deal = scores["world-deal"]
    assert deal.move is None and deal.rank is None and "no base of this partner" in deal.why
    assert summary["expressed"] == 2 and summary["real_moves"] == 3
    assert summary["not_expressed"] == [f"world-deal: {deal.why}"]
    written = json.loads((folder / "out" / "hindcast.json").read_text())
    assert written["median_rank"] == summary["median_rank"]
    table = pd.read_parquet(folder / "out" / "hindcast.parquet")
    assert list(table["id"]) == ["enter-us", "office-de", "world-deal"]
    advice = json.loads((folder / "out" / "advice" / "advice.json").read_text())
    assert advice["decision_date"] == "2023-11" and "calibration" in advice["ensemble"]["source"]


def test_a_cut_off_before_the_calibration_or_no_move_to_score_is_refused(scored):
    from calibration_cases import UNTIL

    from plumbing.errors import InputError

    folder, _, _ = scored
    moves = [real("enter-us", date(2024, 1, 10), "enter", "US")]
    with pytest.raises(InputError, match=f"--until: expected the calibration's cut-off {UNTIL}"):
        hindcast(folder / "cal", "Euro", "2023-09", folder / "early", moves, samples=1)
    with pytest.raises(InputError, match="no real move of Euro from 2023-11 to 2024-04"):
        hindcast(folder / "cal", "Euro", UNTIL, folder / "none",
                 [real("late", date(2025, 1, 1), "office", "DE")], samples=1)
    assert not (folder / "early").exists() and not (folder / "none").exists()


@pytest.fixture(scope="module")
def history_2024():
    """`express` for the history's US Frontier, deciding from 2024-01 over 24 months."""
    from plumbing.shipped import shipped_path
    from simulator.advice.decision import decide_from
    from simulator.advice.hindcast import express
    from simulator.advice.moves import find_firm
    from simulator.geography import build_geography
    from simulator.run import load_scenario
    from simulator.technology import load_profile

    scenario = load_scenario(shipped_path("scenarios", "history.toml"))
    firm, geo = find_firm(scenario, "US Frontier"), build_geography(scenario)
    decision = decide_from(scenario, "2024-01", 24)
    profile = load_profile(scenario.profile_path(), scenario.profile_size)
    return lambda real_move: express(real_move, scenario, firm, decision, profile, geo)


def test_a_real_tier_is_priced_as_published_in_us_dollars(history_2024):
    express = history_2024
    tier = replace(real("tier", date(2025, 8, 1), "price_tier", "IN", firm="US Frontier"),
                   value=4.6, unit="usd_per_month")
    move, why = express(tier)
    assert why == "" and move.name == "tier-IN-4.6usd" and move.kind == "price_tier"
    assert move.overrides == {"firms.US Frontier.strategy.pricing.tiers": {"IN": 4.6}}
    # ChatGPT Go: a lite tier beside Plus, which keeps its price
    go = replace(tier, kind="lite_tier")
    move, why = express(go)
    assert why == "" and move.name == "lite-IN-4.6usd" and move.kind == "lite_tier"
    assert move.overrides == {"firms.US Frontier.strategy.pricing.lite": {"IN": 4.6}}
    # a price in another currency, or a free promotion, is no tier the simulator can price
    for value, unit in ((399.0, "INR_per_month"), (0.0, "usd_per_month")):
        move, why = express(replace(go, value=value, unit=unit))
        assert move is None and "US dollars a month, above 0" in why


def test_a_partnership_about_the_world_reaches_the_partners_bases(history_2024):
    express = history_2024
    deal = replace(real("deal", date(2024, 6, 1), "partnership", "world", firm="US Frontier"),
                   detail="distribution through KakaoTalk")
    move, why = express(deal)
    assert why == "" and move.name == "channel-world-kakaotalk" and move.kind == "channel"
    added = [c for c in move.overrides["firms.US Frontier.channels"]
             if c["name"] == "KakaoTalk"]
    assert [c["countries"] for c in added] == [["KR"]]  # data/partner_bases.csv's one base
    assert 0.8 < added[0]["reach"] <= 1.0  # 44.97M of Korea's ~51.7M people
