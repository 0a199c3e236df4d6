"""Constraints as data: sanctions, investment controls and host states' blocks, both directions.

Theory (and law) each test states: a home state's sanctions bind its own firms wherever they
are (OFAC's comprehensive programmes; the EU's 19th package), a host state's licensing binds
every foreign firm and none of its own (China's generative-AI measures), an investment ban
bars establishment but not service (Executive Order 14071), and a rule lifted opens the
market from its end date (Executive Order 14312 on Syria). Each test names the row of the
shipped data/availability.csv that forbids the move, and checks both the run (the model
never does it) and the advice (the move is never generated, and `why_absent` gives the row).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.advice import moves
from simulator.advice.forbidden import Forbidden, why_absent
from simulator.availability import activity_forbidden, forbidden_by_month
from simulator.footprint import Level
from simulator.model import StrategyModel
from simulator.run import load_scenario
from simulator.scenario.overrides import apply
from simulator.world.curated import load_availability

US, CHINA, EURO = "Frontier US", "China Lab", "Euro Challenger"


@pytest.fixture(scope="module")
def default():
    return load_scenario("data/scenarios/stylised.toml")


def _row(country: str, home: str, activity: str):
    return next(r for r in load_availability()
                if (r.country, r.firm_home, r.activity) == (country, home, activity))


def _run(scenario, months: int) -> StrategyModel:
    model = StrategyModel(scenario, months=months)
    for _ in range(months):
        model.step()
    return model


def test_us_comprehensive_sanctions_bind_us_firms_only(default):
    """OFAC's CU/IR/KP programmes: no US firm serves there; a French firm may."""
    row = _row("CU", "US", "*")
    assert "OFAC" in row.source_publisher and row.end is None
    scenario = apply(default, {f"firms.{US}.strategy.exclude": ["CU"],
                               f"firms.{US}.launch_month": 0})
    assert "OFAC" in why_absent(scenario, US, "enter-CU")
    offered = moves._entry_moves(scenario, scenario.firms[0], "k",
                                 Forbidden(scenario, scenario.firms[0]))
    assert offered and "enter-CU" not in [m.name for m in offered]  # skip-R moves remain
    # with Russia no longer on its own list, EO 14071 also hides a Russian office and hiring
    left_out = [name for name, _ in moves.absent_moves(scenario, US)]
    sites = {n for n in left_out[1:] if n.split("-")[0] in ("enter", "office", "hire", "lab")}
    assert left_out[0] == "enter-CU" and sites <= {"office-RU", "hire-RU"}
    assert {n.split("-")[1] for n in left_out[1:]} <= {"RU", "CN"}  # CN: regions, channels
    model = _run(apply(scenario, {f"firms.{US}.strategy.exclude": []}), 6)
    cuba, iran = model.geo.index("CU"), model.geo.index("IR")
    us = [f.name for f in scenario.firms].index(US)
    assert model.users[us, [cuba, iran]].sum() == 0 and model.users[us].sum() > 0
    assert why_absent(scenario, EURO, "enter-CU") is None  # a US rule: not France's


def test_lifted_sanction_opens_the_market_from_its_end_date(default):
    """Executive Order 14312 ended the Syria programme effective 2025-07-01."""
    row = _row("SY", "US", "*")
    assert row.end == "2025-07-01" and "14312" in row.source_title
    start = date(2022, 11, 1)
    mask = forbidden_by_month(36, ("SY",), ["US", "FR"], np.zeros((2, 1), bool), [[], []],
                              (row,), start)
    # month 32 is 2025-06, month 33 is 2025-07
    assert mask[1:33, 0, 0].all() and not mask[33:, 0, 0].any() and not mask[:, 1, 0].any()


def test_host_block_binds_every_foreign_firm_and_not_its_own(default):
    """China's generative-AI measures: foreign assistants absent, the Chinese lab present."""
    assert _row("CN", "*", "serve").rule == "block"
    model = _run(apply(default, {f"firms.{CHINA}.launch_month": 0}), 6)
    cn, names = model.geo.index("CN"), [f.name for f in default.firms]
    assert model.users[names.index(CHINA), cn] > 0
    assert model.users[[names.index(US), names.index(EURO)], cn].sum() == 0


def test_investment_ban_bars_hiring_offices_labs_in_russia_not_service(default):
    """EO 14071 (new investment in Russia): a US strategy hiring and opening an office there
    runs, with a note naming the order; no staff and no office there, though it may serve."""
    for activity in ("hire", "office", "lab"):
        assert "14071" in _row("RU", "US", activity).source_title
    scenario = apply(default, {
        f"firms.{US}.strategy.exclude": [],
        f"firms.{US}.strategy.hiring.countries": ["US", "RU"],
        f"firms.{US}.strategy.sites": [{"country": "RU", "kind": "office"}],
        f"firms.{US}.strategy.max_commitment": 4})
    model = _run(scenario, 12)
    ru, us = model.geo.index("RU"), 0
    notes = [n for n in model.notes if n.startswith(f"{US}: may not")]
    assert any("hire in RU" in n and "14071" in n for n in notes)
    assert any("open an office in RU" in n for n in notes)
    assert model.staff[us, ru].sum() == 0 and model.staff[us].sum() > 0
    assert model.footprint.level[us, ru] < Level.OFFICE  # no office (nor lab) there
    assert model.footprint.level[us, ru] >= Level.API  # serving Russia is not what EO 14071 bars
    assert "14071" in why_absent(scenario, US, "hire-RU")
    assert "14071" in why_absent(scenario, US, "office-RU")


def test_hire_candidates_skip_russia_for_a_us_firm(default):
    """With every country above Russia in AI talent already hired in, the next US candidate
    is not Russia (EO 14071) and the left-out move carries the row; a French firm gets it."""
    scenario = apply(default, {f"firms.{US}.strategy.exclude": []})
    geo = StrategyModel(scenario, months=1).geo
    order = sorted(range(geo.size), key=lambda i: (-geo.talent_share[i, 0], geo.iso2[i]))
    above = [geo.iso2[i] for i in order[:order.index(geo.index("RU"))]]
    us = apply(scenario, {f"firms.{US}.strategy.hiring.countries": above})
    offered = [m.name for m in moves._hire_moves(us, us.firms[0], "k", Forbidden(us, us.firms[0]))]
    assert offered and "hire-RU" not in offered
    assert any(name == "hire-RU" and "14071" in why for name, why in moves.absent_moves(us, US))
    euro = apply(scenario, {f"firms.{EURO}.strategy.hiring.countries": above})
    firm = euro.firms[2]
    assert "hire-RU" in [m.name for m in moves._hire_moves(euro, firm, "k",
                                                            Forbidden(euro, firm))]


def test_outbound_rule_bars_a_us_lab_in_china_and_binds_us_firms_only(default):
    """Treasury's outbound investment rule (2025-01-02): no US research lab in CN, HK, MO;
    a French lab is not bound by it (no EU rule was found: documented in data/SOURCES.md)."""
    for country in ("CN", "HK", "MO"):
        row = _row(country, "US", "lab")
        assert row.start == "2025-01-02" and row.rule == "investment"
    assert "Countries of Concern" in why_absent(default, US, "lab-CN")
    assert why_absent(default, EURO, "lab-CN") is None
    mask = activity_forbidden("lab", 36, ("CN", "US"), ["US", "FR", "CN"], load_availability(),
                              date(2022, 11, 1))
    assert not mask[26, 0, 0] and mask[27:, 0, 0].all()  # 2025-01 is month 27
    assert not mask[:, 1:, :].any() and not mask[:, 0, 1].any()


def test_eu_ai_services_ban_closes_the_api_channel_not_consumers(default):
    """The EU's 19th package bars AI model access for Russian organisations, not natural
    persons: a French firm in Russia sells no API there but keeps its consumers."""
    row = _row("RU", "EU", "api")
    assert row.start == "2025-10-23" and "2025/2033" in row.source_title
    scenario = apply(default, {"start_date": "2026-01",
                               f"firms.{EURO}.strategy.entry_rule": "digital",
                               f"firms.{EURO}.launch_month": 0})
    model = _run(scenario, 8)
    ru, euro = model.geo.index("RU"), 2
    assert model.users[euro, ru] > 0 and model.api_share[euro, ru] == 0
    assert model.api_share[euro].sum() > 0  # it sells to organisations elsewhere


def test_loader_refuses_a_bad_row_naming_file_row_column(tmp_path, monkeypatch):
    """A bad row stops the run: exit 2, file:line, column and what was expected; no traceback."""
    from simulator import cli
    from simulator.world import curated

    path = tmp_path / "availability.csv"
    header = ("country,firm_home,activity,rule,start,end,note,source_publisher,source_title,"
              "source_url,year,checked\n")
    path.write_text(header + "RU,US,hire,investment,2022-04-06,,n,P,T,https://x.org,2022,c\n"
                    "RU,US,travel,investment,2022-04-06,,n,P,T,https://x.org,2022,c\n")
    monkeypatch.setattr(curated, "load_availability", lambda: curated.read_availability(path))
    result = CliRunner(env={"COLUMNS": "1000"}).invoke(  # wide: the message is not wrapped
        cli.main, ["run", "data/scenarios/stylised.toml", "--months", "1", "--out",
                   str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"{path}:3: column 'activity'" in result.output and "expected one of" in result.output
    assert "Traceback" not in result.output
