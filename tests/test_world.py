import json

import pytest

from plumbing.errors import InputError
from simulator.world import countries as world
from simulator.world.countries import get_country, load_countries

EU_27 = set(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


def test_germany():
    de = get_country("DE")
    assert de.iso3 == "DEU" and de.name == "Germany" and de.capital == "Berlin"
    assert 7e7 < de.population < 1e8
    assert de.languages[0][0] == "de" and 0.8 < de.languages[0][1] <= 1
    assert "de" in de.official_languages
    assert de.eu_member and de.continent == "EU" and de.m49_subregion == "155"
    assert {"AT", "FR", "PL"} <= set(de.neighbours)
    assert 1e4 < de.gdp_per_capita < 2e5  # PPP dollars per person


def test_eu_members_are_the_27():
    assert {c.iso2 for c in load_countries() if c.eu_member} == EU_27


def test_tokyo():
    jp = get_country("jp")
    assert jp.capital == "Tokyo"
    assert jp.lat == pytest.approx(35.69, abs=0.05) and jp.lon == pytest.approx(139.69, abs=0.05)


def test_table_is_real_countries_sorted_and_complete():
    countries = load_countries()
    codes = [c.iso2 for c in countries]
    assert codes == sorted(codes) and len(codes) == len(set(codes))
    assert 200 < len(codes) < 260
    assert not {"ZZ", "EU", "UN", "EZ", "BV"} & set(codes)
    for c in countries:
        assert c.population > 0 and c.capital and -90 <= c.lat <= 90 and -180 <= c.lon <= 180
        shares = [share for _, share in c.languages]
        assert shares == sorted(shares, reverse=True) and all(0 <= s <= 1 for s in shares)
        assert set(c.neighbours) <= set(codes)
    # Borders are symmetric where both sides are in the table.
    by_code = {c.iso2: c for c in countries}
    assert all(c.iso2 in by_code[n].neighbours for c in countries for n in c.neighbours)


def test_unknown_country_lists_codes():
    with pytest.raises(InputError) as err:
        get_country("XX")
    assert "'XX'" in err.value.message and " DE " in err.value.message


def test_cache_is_written_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    world._countries.cache_clear()
    try:
        built = load_countries()
        files = list((tmp_path / "intl-strategy").glob("countries-*.json"))
        assert len(files) == 1 and files[0].name.startswith("countries-v")
        assert len(json.loads(files[0].read_text())) == len(built)
        world._countries.cache_clear()
        # The cached table is read back identical (tuples, not lists), not rebuilt.
        monkeypatch.setattr(world, "build_countries", lambda: pytest.fail("rebuilt"))
        assert load_countries() == built
        # A corrupt cache is rebuilt, not trusted.
        files[0].write_text("{not json")
        world._countries.cache_clear()
        monkeypatch.setattr(world, "build_countries", lambda: built[:3])
        assert load_countries() == built[:3]
    finally:
        world._countries.cache_clear()


def test_curated_tables_load_with_sources():
    from simulator.world.curated import load_regulation, load_talent

    talent = load_talent()
    key = ("CN", "top_tier_origin_share", 2022)
    cn = [r for r in talent if (r.territory, r.metric, r.data_year) == key]
    assert len(cn) == 1 and cn[0].share == 0.47 and "MacroPolo" in cn[0].source_publisher
    ai_act = [r for r in load_regulation() if r.jurisdiction == "EU" and r.kind == "ai"]
    assert ai_act and all(r.source_url.startswith("https://") for r in ai_act)
    high_risk = next(r for r in ai_act if r.compliance_cost_low is not None)
    assert high_risk.compliance_cost_currency == "EUR" and high_risk.delay_months == 26


def test_availability_rules_load_with_sources_and_bad_rows_are_named(tmp_path):
    from plumbing.tables import read_table
    from simulator.world.curated import AvailabilityRow, load_availability

    rules = load_availability()
    assert {("CN", "*"), ("IR", "US")} <= {(r.country, r.firm_home) for r in rules}
    assert all(r.source_url.startswith("https://") and r.rule in ("block", "sanction",
                                                                  "investment") for r in rules)
    path = tmp_path / "availability.csv"
    path.write_text("country,firm_home,activity,rule,start,end,note,source_publisher,"
                    "source_title,source_url,year,checked\n"
                    "IT,ZZ,serve,ban,2023-13-01,,n,P,T,https://x.org,2023,c\n")
    with pytest.raises(InputError) as err:
        read_table(path, AvailabilityRow)
    for column in ("firm_home", "rule", "start"):
        assert f"{path}:2: column '{column}'" in err.value.message


def test_bad_table_names_file_row_and_column(tmp_path):
    from plumbing.tables import read_table
    from simulator.world.curated import TalentRow

    path = tmp_path / "talent.csv"
    header = "territory,metric,share,data_year,note,source_publisher,source_title,source_url,year\n"
    path.write_text(
        header + "DE,top_tier_origin_share,0.1,2022,n,P,T,https://x.org,2023\n"
        "XX,top_tier_origin_share,1.5,2022,n,P,T,https://x.org,2023\n"
        "DE,top_tier_origin_share,abc,2022,n,P,T,http://x.org,2023\n"
    )
    with pytest.raises(InputError) as err:
        read_table(path, TalentRow)
    message = err.value.message
    assert f"{path}:3: column 'territory'" in message and f"{path}:3: column 'share'" in message
    assert f"{path}:4: column 'share'" in message
    path.write_text("territory,metric\nDE,x\n")
    with pytest.raises(InputError, match="missing columns"):
        read_table(path, TalentRow)


def test_prices():
    from hub.prices import DEFAULT_CPU_INSTANCE, instance_price, load_api_prices, load_gpu_prices

    cpu = next(r for r in load_gpu_prices() if r.instance == DEFAULT_CPU_INSTANCE)
    assert cpu.vcpus == 2 and cpu.accelerator == "cpu" and 0 < cpu.usd_per_hour < 1
    assert {"H100", "A100-40GB", "L4"} <= {r.accelerator for r in load_gpu_prices()}
    assert instance_price("g6.xlarge") < instance_price("p5.48xlarge")
    with pytest.raises(InputError, match="m7i.large"):
        instance_price("nope")
    assert all(r.output_usd_per_1m >= r.input_usd_per_1m for r in load_api_prices())
