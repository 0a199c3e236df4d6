"""Enterprise buying: direct sales lifted by local offices, cloud marketplaces where the
cloud keeps data in the country or its bloc (simulator.enterprise): theory on the stylised
world, paired runs with the same seed (common random numbers)."""

import csv
import re

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from plumbing.tables import read_table
from simulator import enterprise
from simulator.cli import main
from simulator.enterprise import CloudRegion, channel_spend, marketplace_from
from simulator.run import run_scenario
from simulator.scenario import load_scenario
from tests.cli_text import shows

STYLISED = shipped_path("scenarios", "stylised.toml")
FRONTIER = "Frontier US"
NO_CHOICE = f"firms.{FRONTIER}.strategy.offices=0"  # only the named office differs
OFFICE_JP = f'firms.{FRONTIER}.strategy.sites=[{{ country = "JP", month = 1 }}]'
LISTED_MONTH = 25  # November 2024, the month the listing below starts
ON_GCP = f'firms.{FRONTIER}.enterprise.marketplaces=[{{ cloud = "gcp", start = "2024-11" }}]'


def _api(*assignments: str, months: int = 36):
    table = run_scenario(load_scenario(STYLISED, list(assignments)),
                         months=months).timeseries.to_pandas()
    return table[table.firm == FRONTIER]


def test_an_office_in_japan_raises_api_revenue_in_japan_more_than_in_korea():
    def gain(*extra):
        plain = _api(NO_CHOICE, *extra).groupby("country").api_revenue.sum()
        office = _api(NO_CHOICE, OFFICE_JP, *extra).groupby("country").api_revenue.sum()
        return {c: office[c] / plain[c] - 1 for c in ("JP", "KR")}

    with_sales, without = gain(), gain("parameters.beta_office_direct=0")
    # Direct sales are local: Tokyo's team sells in Japan, Seoul gets only the spill-over.
    assert with_sales["JP"] > 0.05
    assert with_sales["KR"] < 0.5 * with_sales["JP"]
    # The office's lift to direct sales is what carries most of it.
    assert with_sales["JP"] > without["JP"] + 0.02


def test_a_marketplace_listing_raises_api_revenue_only_where_the_cloud_serves():
    # The first month listed: before it both runs are the same state, so any difference
    # is the listing's, not its money's later effects.
    def month(*extra):
        table = _api(*extra, months=LISTED_MONTH)
        return table[table.month == LISTED_MONTH].set_index("country").api_revenue

    plain, listed = month(), month(ON_GCP)
    sold = plain.index[plain > 0]
    raised = sold[listed[sold] > plain[sold] * (1 + 1e-9)]
    for country in ("US", "JP", "KR", "DE", "GB"):  # Google Cloud regions there
        assert country in raised
    assert {"FR", "IT", "ES"} <= set(raised)  # EU members: Frankfurt keeps data in the bloc
    for country in ("BR", "MX", "ZA", "NO", "CH"):  # no Google Cloud region in or for them
        assert country not in raised and listed[country] == pytest.approx(plain[country])
    untouched = sold.difference(raised)
    assert np.allclose(listed[untouched], plain[untouched], rtol=1e-12)


def test_with_only_direct_sales_marketplaces_change_nothing():
    direct = "parameters.direct_sales_share=1"
    plain = _api(direct, months=30)
    listed = _api(direct, f'firms.{FRONTIER}.enterprise.marketplaces=[{{ cloud = "azure", '
                  'start = "2023-01" }]', months=30)
    assert np.array_equal(plain.api_revenue.to_numpy(), listed.api_revenue.to_numpy())
    assert plain.api_revenue.sum() > 0


def test_marketplace_buyers_buy_direct_where_no_listed_firm_is_served():
    spend = np.array([100.0, 100.0])
    direct, market = channel_spend(spend, 0.6, np.array([True, False]))
    assert direct == pytest.approx([60.0, 100.0]) and market == pytest.approx([40.0, 0.0])
    listed = np.array([[5.0, np.inf, np.inf]])  # on the first cloud from month 5
    regions = np.array([[1.0, 9.0, np.inf], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert marketplace_from(listed, regions).tolist() == [[5.0, 9.0, np.inf]]


def test_a_bad_marketplace_entry_exits_2_naming_the_field(tmp_path):
    bad = tmp_path / "bad.toml"
    text = STYLISED.read_text(encoding="utf-8").replace(
        'home = "US"\ncash_usd = 40e9',
        'home = "US"\ncash_usd = 40e9\n'
        'enterprise = { marketplaces = [{ cloud = "oracle", start = "2024-01" }] }', 1)
    bad.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(main, ["run", str(bad), "--horizon", "2"])
    assert done.exit_code == 2 and isinstance(done.exception, SystemExit), done.output
    assert shows(done.output, f"{bad}: firms[0].enterprise.marketplaces[0].cloud: expected "
                 "'aws', 'azure' or 'gcp'")
    with pytest.raises(InputError, match=r"marketplaces\[0\]\.start: .*YYYY-MM"):
        load_scenario(STYLISED, [f'firms.{FRONTIER}.enterprise.marketplaces=[{{ cloud = '
                                 '"aws", start = "2024-13" }]'])


GOOD = {"provider": "aws", "country": "JP", "region": "ap-northeast-1", "since": "2014-12",
        "source_publisher": "AWS", "source_title": "Regions", "source_url": "https://a.example",
        "year": "2014", "checked": "test row"}


def _write(path, row):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(GOOD))
        writer.writeheader()
        writer.writerow(row)


def _valid(column: str, value: str) -> bool:
    """The rule written out independently of the loader."""
    if column == "provider":
        return value in ("aws", "azure", "gcp")
    if column == "since":
        return bool(re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value)) and (
            2000 <= int(value[:4]) <= 2100)
    return False  # no ISO 3166 code is made of X, Y, Z or lower case letters


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(["provider", "country", "since"]),
       value=st.one_of(st.text(alphabet="abcgpwszuxyXYZ-019", min_size=1, max_size=8),
                       st.sampled_from(["aws", "gcp", "2024-13", "1999-12", "2024-01"])))
def test_a_bad_cloud_region_row_names_file_row_and_column(tmp_path, column, value):
    path = tmp_path / "cloud_regions.csv"
    _write(path, dict(GOOD, **{column: value}))
    if _valid(column, value):
        assert getattr(read_table(path, CloudRegion)[0], column) == value
        return
    with pytest.raises(InputError) as error:
        read_table(path, CloudRegion)
    assert f"{path}:2: column {column!r}: expected" in str(error.value)


def test_a_bad_shipped_cloud_region_table_exits_2(tmp_path, monkeypatch):
    path = tmp_path / "cloud_regions.csv"
    _write(path, dict(GOOD, provider="oracle"))
    monkeypatch.setattr(enterprise, "shipped_path", lambda *parts: path)
    command = ["run", str(STYLISED), "--horizon", "2", "--set", ON_GCP]
    done = CliRunner().invoke(main, command)
    assert done.exit_code == 2 and isinstance(done.exception, SystemExit), done.output
    assert shows(done.output, f"{path}:2: column 'provider': expected one of aws, azure, gcp")
