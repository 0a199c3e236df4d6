import pytest
from click.testing import CliRunner

from hub.regions import check_territory, get_region, region_names
from hub.regions_cli import regions
from plumbing.errors import InputError


def test_builtin_regions_resolve_with_languages_by_speakers():
    assert region_names()[:8] == ["eu", "na", "latam", "apac", "mena", "ssa", "cis", "global"]
    eu = get_region("eu")
    assert len(eu.territories) == 27 and "DE" in eu.territories and "GB" not in eu.territories
    assert list(eu.territories) == sorted(eu.territories)
    speakers = [n for _, n in eu.languages]
    assert speakers == sorted(speakers, reverse=True)
    assert {"de", "fr", "it", "es", "pl"} <= set(eu.language_codes)
    assert get_region("latam").top_languages(2)[0][0] == "es"
    assert get_region("cis").top_languages(1)[0][0] == "ru"
    assert get_region("mena").top_languages(1)[0][0] == "ar"
    assert {"US", "CA"} <= set(get_region("na").territories)
    assert "IR" in get_region("mena").territories and "IR" not in get_region("apac").territories
    world = get_region("global")
    assert world.population > 7e9 and len(world.territories) > 240
    # Traditional Chinese (Taiwan, Hong Kong) comes out as BCP 47 with '-'.
    assert "zh-Hant" in get_region("apac").language_codes
    # Germany's share of German speakers alone exceeds 70M.
    assert dict(eu.languages)["de"] > 70e6


def test_unknown_region_lists_valid_names():
    with pytest.raises(InputError) as err:
        get_region("europe")
    assert "europe" in err.value.message and "eu" in err.value.message
    assert "latam" in err.value.message


def test_territory_codes():
    assert check_territory("de") == "DE"
    with pytest.raises(InputError) as err:
        check_territory("DEU")
    assert "alpha-2" in err.value.message
    with pytest.raises(InputError) as err:
        check_territory("QQ")
    assert "'QQ'" in err.value.message and " DE " in err.value.message


def test_user_regions_from_toml(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[regions.dach]\nterritories = ["DE", "AT", "CH"]\n'
        '[regions.benelux]\nterritories = ["BE", "NL", "LU"]\n'
        '[regions.west]\nterritories = ["155"]\n'
    )
    dach = get_region("dach", path)
    assert dach.territories == ("AT", "CH", "DE") and dach.top_languages(1)[0][0] == "de"
    assert "benelux" in region_names(path)
    assert set(get_region("west", path).territories) >= {"DE", "FR", "NL"}
    with pytest.raises(InputError) as err:
        get_region("nordics", path)
    assert "dach" in err.value.message and "eu" in err.value.message


def test_bad_user_regions_report_every_problem(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[regions.eu]\nterritories = ["DE"]\n'
        '[regions.oops]\nterritories = ["DE", "XX"]\ncolour = "red"\n'
        '[regions."../x"]\nterritories = ["FR"]\n'
        "[regions.empty]\nterritories = []\n"
    )
    with pytest.raises(InputError) as err:
        get_region("oops", path)
    message = err.value.message
    assert str(path) in message
    assert "regions.eu" in message and "built-in" in message
    assert "regions.oops.territories" in message and "'XX'" in message
    assert "colour" in message
    assert "../x" in message
    assert "regions.empty.territories" in message
    path.write_text("[regions\n")
    with pytest.raises(InputError, match="not valid TOML"):
        region_names(path)
    with pytest.raises(InputError, match="not found"):
        region_names(tmp_path / "missing.toml")


def test_shipped_example_regions():
    from plumbing.shipped import shipped_path

    path = shipped_path("regions.example.toml")
    names = region_names(path)
    assert len(names) > 8
    for name in names[8:]:
        assert get_region(name, path).territories


def test_regions_command():
    runner = CliRunner()
    result = runner.invoke(regions, ["--top", "2"])
    assert result.exit_code == 0, result.output
    for name in ("eu", "apac", "global", "zh", "en"):
        assert name in result.output
    result = runner.invoke(regions, ["--region", "cis"])
    assert result.exit_code == 0 and "RU" in result.output and "ru" in result.output
    result = runner.invoke(regions, ["--region", "nope"])
    assert result.exit_code == 2 and "latam" in result.output
    result = runner.invoke(regions, ["--territories"])
    assert result.exit_code == 0 and "DE" in result.output


def test_top_sets_how_many_languages_every_listing_shows():
    """`--top N`: N languages per region, in one region's table and per territory."""
    runner = CliRunner()
    eu = get_region("eu").top_languages(10)
    shown = runner.invoke(regions, ["--region", "eu", "--top", "2"], terminal_width=120).output
    assert f"│ {eu[1][0]} " in shown and f"│ {eu[2][0]} " not in shown
    assert f"│ {eu[9][0]} " in runner.invoke(regions, ["--region", "eu"],
                                          terminal_width=120).output  # 10 by default
    one = runner.invoke(regions, ["--territories", "--top", "1"], terminal_width=120).output
    assert "ca 51%" in one and "es 43%" not in one  # Andorra: Catalan, then Spanish
    assert runner.invoke(regions, ["--top", "0"]).exit_code == 2


def test_user_regions_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "env.toml"
    path.write_text('[regions.iberia]\nterritories = ["es", "PT", "AD"]\n')
    monkeypatch.setenv("INTL_STRATEGY_REGIONS", str(path))
    assert get_region("iberia").territories == ("AD", "ES", "PT")
    assert region_names()[-1] == "iberia"
    result = CliRunner().invoke(regions, [])
    assert result.exit_code == 0 and "iberia" in result.output
