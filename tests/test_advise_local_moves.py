"""Moves in a named country (issues 24 and 25): data regions, partner channels, price tiers.

Each kind is generated where the data allows it, and never where a row of
data/availability.csv forbids it; the move then is absent with that row as its reason:

- a data region needs the firm to serve and sell to organisations there: China's licensing
  of foreign generative-AI services blocks every foreign lab's region in CN; the EU's 19th
  sanctions package (from 2025-10-23) bars EU labs from selling AI to Russian organisations,
  so a French lab gets no region in RU from December 2025;
- a partner channel where data/partner_bases.csv names a base (KakaoTalk, LINE, Weixin),
  reach = the partner's users over the country's people; Weixin is for the Chinese lab only;
- a price tier at the country's median willingness to pay where the price is far above it
  (India and Indonesia for a $20 plan); none in China for a foreign lab.
"""

from __future__ import annotations

import pytest
from advice_cases import four_labs

from simulator.advice.decision import decide_from
from simulator.advice.forbidden import Forbidden, why_absent
from simulator.advice.local_moves import (
    CHANNEL_CONVERSION,
    channel_moves,
    partner_bases,
    region_moves,
    tier_moves,
)
from simulator.advice.moves import absent_moves, find_firm
from simulator.geography import build_geography
from simulator.run import load_scenario
from simulator.scenario.overrides import apply


@pytest.fixture(scope="module")
def world():
    scenario = load_scenario(four_labs())
    return scenario, decide_from(scenario, "2025-12"), build_geography(scenario)


def generated(world, firm_name, kind):
    scenario, decision, geo = world
    firm = find_firm(scenario, firm_name)
    rules = Forbidden(scenario, firm, decision)
    moves = kind(scenario, firm, f"firms.{firm_name}", rules, decision, geo)
    return {m.name: m for m in moves}, dict(rules.absent)


def test_data_regions_in_the_largest_markets_abroad_never_where_forbidden(world):
    scenario, decision, _ = world
    moves, absent = generated(world, "Frontier US", region_moves)
    assert set(moves) == {"region-IN-cloud", "region-IN-own", "region-JP-cloud"}
    edit = moves["region-JP-cloud"].overrides["firms.Frontier US.strategy.data_regions"]
    assert edit == [{"country": "JP", "month": decision.month, "via": "cloud"}]
    apply(scenario, moves["region-JP-cloud"].overrides)  # a valid scenario edit
    assert "CN" not in {m.place for m in moves.values()}
    assert "data/availability.csv" in absent["region-CN-cloud"]
    assert "Cyberspace Administration of China" in absent["region-CN-cloud"]
    assert why_absent(scenario, "Frontier US", "region-CN-cloud", decision) == absent[
        "region-CN-cloud"]


def test_an_eu_lab_gets_no_data_region_in_russia_after_the_19th_package():
    scenario = load_scenario(four_labs())
    firm = find_firm(scenario, "Euro Challenger")
    names = {}
    # A horizon that ends before the package (2025-10-23), and one from December 2025.
    for months, date in ((30, "2024-01"), (120, "2025-12")):
        world = apply(scenario, {"markets": ["FR", "RU", "KZ"], "months": months})
        decision, geo = decide_from(world, date), build_geography(world)
        rules = Forbidden(world, firm, decision)
        names[date] = ({m.name for m in region_moves(
            world, firm, "firms.Euro Challenger", rules, decision, geo)}, dict(rules.absent))
    assert "region-RU-cloud" in names["2024-01"][0]
    moves, absent = names["2025-12"]
    assert "region-RU-cloud" not in moves and "region-KZ-cloud" in moves
    assert "sell to organisations in RU" in absent["region-RU-cloud"]
    assert "Regulation (EU) 2025/2033" in absent["region-RU-cloud"]


def test_partner_channels_where_the_data_names_a_base(world):
    scenario, decision, geo = world
    moves, absent = generated(world, "Frontier US", channel_moves)
    assert set(moves) == {"channel-KR-kakaotalk", "channel-JP-line"}
    channel = moves["channel-KR-kakaotalk"].overrides["firms.Frontier US.channels"][0]
    kakao = next(b for b in partner_bases() if b.product == "KakaoTalk")
    assert channel["reach"] == pytest.approx(kakao.users / geo.population[geo.index("KR")],
                                             abs=1e-4)
    assert 0.8 < channel["reach"] < 0.9  # 45M of Korea's ~52M people
    assert (channel["start"], channel["countries"], channel["conversion"]) == (
        decision.date, ["KR"], CHANNEL_CONVERSION)
    apply(scenario, moves["channel-KR-kakaotalk"].overrides)
    assert "may not serve in CN" in absent["channel-CN-weixin"]
    home, _ = generated(world, "China Lab", channel_moves)
    assert "channel-CN-weixin" in home  # the Chinese lab's own market


def test_price_tiers_where_the_price_is_far_above_willingness_to_pay(world):
    scenario, _, _ = world
    moves, absent = generated(world, "Frontier US", tier_moves)
    tiers = [m for m in moves.values() if m.kind == "price_tier"]
    lites = [m for m in moves.values() if m.kind == "lite_tier"]
    assert {m.place for m in tiers} == {m.place for m in lites} == {"IN", "ID"}
    for move in tiers:
        tier = move.overrides["firms.Frontier US.strategy.pricing.tiers"][move.place]
        assert 1.0 <= tier < 20.0 / 2  # the list price is at least twice the tier
        edited = find_firm(apply(scenario, move.overrides), "Frontier US")
        assert edited.strategy.pricing.tiers == {move.place: tier}
    for move in lites:  # beside the $20 price, at ChatGPT Go's share of Plus's
        edited = find_firm(apply(scenario, move.overrides), "Frontier US")
        assert edited.strategy.pricing.lite == {move.place: 4.6}
        assert edited.strategy.pricing.usd_per_month == 20.0 and not edited.strategy.pricing.tiers
    for kind in ("tier", "lite"):
        assert "may not serve in CN" in next(why for name, why in absent.items()
                                             if name.startswith(f"{kind}-CN-"))


def test_absent_moves_list_the_new_kinds_with_their_rows(world):
    scenario, decision, _ = world
    absent = dict(absent_moves(scenario, "Frontier US", decision))
    assert {"region-CN-cloud", "channel-CN-weixin"} <= set(absent)
    assert all("data/availability.csv" in why for why in absent.values())


def test_hiring_and_labs_in_named_countries_from_the_decision_date(world):
    # Hiring where the AI researchers are, never where the firm's home state forbids it:
    # Executive Order 14071 (new US investment in Russia) and, from 2025-01-02, the US
    # outbound investment rule on AI labs in China.
    from simulator.advice.moves import _hire_moves

    scenario, decision, _ = world
    firm = find_firm(scenario, "Frontier US")
    rules = Forbidden(scenario, firm, decision)
    hires = _hire_moves(scenario, firm, "firms.Frontier US", rules)
    assert len(hires) == 3 and all(m.kind == "hire" and len(m.place) == 2 for m in hires)
    assert "14071" in why_absent(scenario, "Frontier US", "hire-RU", decision)
    assert "part 850" in why_absent(scenario, "Frontier US", "lab-CN", decision)
    assert why_absent(scenario, "Euro Challenger", "lab-CN", decision) is None  # a US rule
