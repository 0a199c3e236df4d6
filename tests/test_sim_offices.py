"""Offices sell where they are, and compliance costs, never sells: theory on the defaults.

Paired runs of the default scenario (shipped profile) that differ in one override, with
the same seed (common random numbers). The location choice is switched off
(`strategy.offices = 0`) so only the named sites differ.
"""

import numpy as np
import pytest

from plumbing.shipped import shipped_path
from simulator.footprint import Footprint, Level, per_level
from simulator.run import run_scenario
from simulator.scenario import load_scenario

DEFAULT = shipped_path("scenarios", "stylised.toml")
FRONTIER = "Frontier US"
NO_CHOICE = f"firms.{FRONTIER}.strategy.offices=0"
MONTHS = 36


def _revenue(*assignments: str) -> dict[str, float]:
    """The US frontier lab's revenue over the run per country."""
    table = run_scenario(load_scenario(DEFAULT, [NO_CHOICE, *assignments]),
                         months=MONTHS).timeseries.to_pandas()
    return table[table.firm == FRONTIER].groupby("country").revenue.sum().to_dict()


def _sites(*countries: str) -> str:
    listed = ", ".join(f'{{ country = "{c}", month = 1 }}' for c in countries)
    return f"firms.{FRONTIER}.strategy.sites=[{listed}]"


@pytest.fixture(scope="module")
def runs():
    return {"none": _revenue(), "JP": _revenue(_sites("JP")), "IN": _revenue(_sites("IN")),
            "JP+IN": _revenue(_sites("JP", "IN"))}


def test_an_office_in_japan_sells_in_japan_more_than_in_korea(runs):
    # An office sells in its own country (sales, support, data residency are national);
    # its region's neighbours get only the spill-over.
    gain = {c: runs["JP"][c] / runs["none"][c] - 1 for c in ("JP", "KR")}
    assert gain["JP"] > 0.1
    assert 0 < gain["KR"] < 0.5 * gain["JP"]
    assert runs["JP"]["US"] == pytest.approx(runs["none"]["US"], rel=0.02)  # another region


def test_a_second_office_in_a_region_adds_value_where_its_country_is_large(runs):
    second = sum(runs["JP+IN"].values()) - sum(runs["JP"].values())
    assert second > 0  # India is large: its own office adds its own country
    assert runs["JP+IN"]["IN"] > runs["JP"]["IN"]
    # India already had Tokyo's spill-over, so its office lifts it less than the same office
    # would with no office in the region (diminishing returns to a second office).
    assert runs["JP+IN"]["IN"] / runs["JP"]["IN"] < runs["IN"]["IN"] / runs["none"]["IN"]


# Compliance cost ten times today's, or none; the delays stay as they are.
DEAR = ("parameters.compliance_base_usd=2e6", "parameters.compliance_privacy_usd=1e7",
        "parameters.compliance_ai_usd=3e7")
FREE = tuple(f"parameters.compliance_{kind}_usd=0" for kind in ("base", "privacy", "ai"))


def test_a_higher_compliance_cost_never_raises_users_there():
    # Compliance costs money and delays launches; it gives buyers nothing to prefer. With
    # every regime ten times dearer, the EU's users do not rise
    # (a rival kept out can still leave a firm more of them: competition, not demand).
    def eu_users(*assignments):
        table = run_scenario(load_scenario(DEFAULT, list(assignments)),
                             months=MONTHS).timeseries.to_pandas()
        return table[(table.month == MONTHS) & table.country.isin(_eu_members())].users.sum()

    assert eu_users(*DEAR) <= eu_users() * (1 + 1e-9)


def test_an_office_earns_no_favour_from_a_dearer_regulator(tmp_path):
    # Two labs alike but for an office in Germany: no regime, today's, ten times dearer.
    # A dearer regime must not raise the users of the one with the office there (a utility
    # bonus for compliant incumbents did: 0 without a regime, up to 1 at $10M).
    from sim_profiles import firm_toml, scenario_file

    firms = [firm_toml("Office Lab", "US", sites='[{ country = "DE", month = 1 }]'),
             firm_toml("Remote Lab", "US")]
    path = scenario_file(tmp_path, ["US", "DE", "FR", "PL"], firms, months=MONTHS,
                         profile=shipped_path("technology_profile.parquet"))

    def german_users(*assignments):
        table = run_scenario(load_scenario(path, list(assignments))).timeseries.to_pandas()
        last = table[(table.month == MONTHS) & (table.country == "DE")]
        return last.set_index("firm").users

    free, base, dear = german_users(*FREE), german_users(), german_users(*DEAR)
    assert base["Office Lab"] <= free["Office Lab"] * (1 + 1e-9)
    assert dear["Office Lab"] <= base["Office Lab"] * (1 + 1e-9)


def _eu_members() -> list[str]:
    from simulator.calibration.metrics import eu_members

    return sorted(eu_members())


def test_spill_over_lifts_a_region_part_of_the_way_and_levels_interpolate():
    region_mask = np.array([[True, True, False], [False, False, True]])
    footprint = Footprint.start(np.array([2]), np.array([True]), region_mask,
                                np.zeros((1, 3), dtype=bool), np.array([False]), 0.25,
                                np.zeros(3, dtype=bool))
    footprint.level[0, :2] = Level.API
    footprint.open_office(0, 0, month=1)
    level = footprint.effective_level()[0]
    assert level.tolist() == [Level.OFFICE, 1.5, Level.LAB]  # API + 0.25 x (3 - 1)
    arpu = (1.0, 1.15, 1.4, 1.6)
    assert per_level(arpu, level[1]) == pytest.approx(1.075)  # halfway from API to partner
    assert per_level(arpu, 0) == per_level(arpu, 1) == 1.0
    assert per_level(arpu, Level.LAB) == 1.6


def test_a_data_region_in_germany_sells_api_in_the_eu_and_not_elsewhere():
    # Organisations buy where their data can stay in the country or its bloc: a cloud
    # partner's region in Germany keeps EU data in the EU (GDPR transfers), nothing changes
    # for buyers in the US or Japan.
    def api(*assignments):
        table = run_scenario(load_scenario(DEFAULT, [NO_CHOICE, *assignments]),
                             months=MONTHS).timeseries.to_pandas()
        return table[table.firm == FRONTIER].groupby("country").api_revenue.sum()

    region = f'firms.{FRONTIER}.strategy.data_regions=[{{ country = "DE", month = 1 }}]'
    plain, resident = api(), api(region)
    for country in ("DE", "FR", "PL"):
        assert resident[country] > 1.05 * plain[country], country
    for country in ("US", "JP"):
        assert resident[country] == pytest.approx(plain[country], rel=0.02), country
