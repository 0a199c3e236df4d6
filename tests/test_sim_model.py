"""Credibility checks of the strategy model: determinism, theory, conservation."""

from dataclasses import replace

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from sim_profiles import firm_toml, profile_rows, scenario_file, write_profile

from simulator.geography import build_geography
from simulator.model import STREAMS, StrategyModel
from simulator.run import load_scenario, run_scenario
from simulator.run.report import write_report
from simulator.world.countries import get_country, load_countries

TWO_FIRMS = [
    firm_toml("Alpha", "US", entry_rule='"gravity"', entries_per_year="12"),
    firm_toml("Beta", "FR", entry_rule='"uppsala"', entries_per_year="12",
              localise='[{ region = "eu", start_month = 2 }]',
              hiring='{ countries = ["eu"], target_researchers = 400, target_engineers = 1200 }'),
]
MARKETS = ["eu", "US", "GB", "CA", "JP", "BR", "IN"]


@pytest.fixture(scope="module")
def two_firms(tmp_path_factory):
    return scenario_file(tmp_path_factory.mktemp("two"), MARKETS, TWO_FIRMS, months=36)


def test_same_seed_same_parquet_and_other_seeds_differ(two_firms, tmp_path):
    scenario = load_scenario(two_firms)
    for name in ("a", "b"):
        write_report(run_scenario(scenario, seed=5), tmp_path / name)
    other = run_scenario(scenario, seed=6)
    first = pq.read_table(tmp_path / "a" / "timeseries.parquet")
    assert first.equals(pq.read_table(tmp_path / "b" / "timeseries.parquet"))
    assert pq.read_table(tmp_path / "a" / "runs.parquet").equals(
        pq.read_table(tmp_path / "b" / "runs.parquet"))
    assert not np.array_equal(first["users"].to_numpy(), other.timeseries["users"].to_numpy())


def test_streams_are_independent_of_each_other(two_firms):
    scenario = load_scenario(two_firms)
    one, two = StrategyModel(scenario, seed=1), StrategyModel(scenario, seed=1)
    two.streams["talent"].normal(size=1000)  # draws on one stream leave the others alone
    assert one.streams["demand"].random() == two.streams["demand"].random()
    assert len(set(STREAMS)) == len(STREAMS) == len(one.streams)


def test_users_shares_and_cash_flows_are_conserved(two_firms):
    result = run_scenario(load_scenario(two_firms), seed=2)
    df = result.timeseries.to_pandas()
    model = StrategyModel(load_scenario(two_firms), seed=2)
    addressable = dict(zip(model.geo.iso2, model.addressable, strict=True))
    per_country = df.groupby(["month", "country"]).agg(users=("users", "sum"),
                                                        share=("share", "sum"))
    limit = per_country.index.get_level_values("country").map(addressable)
    assert (per_country.users <= limit * (1 + 1e-9)).all()
    assert (per_country.share <= 1 + 1e-9).all() and (df.share >= 0).all()
    # The firm-month table: the firm's cash, training and its totals over countries.
    fm = result.firm_months.to_pandas()
    by_firm = fm.assign(net=fm.revenue + fm.equity_raised + fm.parent_funding - fm.serving_cost
                        - fm.salaries - fm.localisation_spend - fm.compliance_spend
                        - fm.commitment_spend - fm.training_spend
                        ).set_index(["firm", "month"])
    for firm, cash in (("Alpha", 5e9), ("Beta", 5e9)):
        series = by_firm.loc[firm]
        expected = cash + series.net.cumsum()
        assert np.allclose(series.cash, expected, rtol=1e-9, atol=1.0)


def test_tokens_per_user_follow_the_premium_of_the_countrys_languages(tmp_path):
    firm = firm_toml("Solo", "DE")
    per_user, margins = [], []
    for name, premium in (("high", 1.6), ("low", 1.1)):
        profile = write_profile(tmp_path / f"{name}.parquet", profile_rows({"de": premium}))
        folder = tmp_path / name
        folder.mkdir()
        path = scenario_file(folder, ["DE"], [firm], months=24, profile=profile)
        df = run_scenario(load_scenario(path), seed=1).timeseries.to_pandas()
        home = df[(df.country == "DE") & (df.users > 0)]
        per_user.append(((home.tokens - home.api_tokens) / home.users).mean())
        margins.append((home.revenue.sum() - home.serving_cost.sum()) / home.revenue.sum())
    model = StrategyModel(load_scenario(path))
    weights = dict(zip(model.geo.lang_codes, model.geo.lang_weights[model.geo.index("DE")],
                       strict=True))
    # Tokens are linear in the premium: only German's weight in Germany changes them.
    other = {lang: w for lang, w in weights.items() if lang != "de"}
    premiums = {row["lang"]: row["token_premium_vs_en"] for row in profile_rows()
                if row["region"] == "global"}
    rest = sum(w * premiums.get(lang, max(premiums.values())) for lang, w in other.items())
    expected = (weights["de"] * 1.1 + rest) / (weights["de"] * 1.6 + rest)
    assert per_user[1] / per_user[0] == pytest.approx(expected, rel=1e-9)
    assert margins[1] > margins[0]


def test_localising_a_region_raises_share_there(tmp_path):
    same = dict(entry_rule='"explicit"', entry_order='["DE", "FR", "IT"]')
    firms = [firm_toml("Local", "US", localise='[{ region = "eu", start_month = 0 }]', **same),
             firm_toml("Global", "US", **same)]
    path = scenario_file(tmp_path, ["DE", "FR", "IT"], firms, months=36)
    df = run_scenario(load_scenario(path), seed=4).timeseries.to_pandas()
    last = df[df.month == 36].groupby("firm").users.sum()
    assert last["Local"] > 1.5 * last["Global"]


def _entry_month(df, firm, country):
    rows = df[(df.firm == firm) & (df.country == country) & (df.commitment > 0)]
    return int(rows.month.min()) if len(rows) else 10_000


def test_raising_compliance_cost_delays_entry(tmp_path):
    firm = firm_toml("Mover", "US", entry_rule='"uppsala"', entries_per_year="12")
    markets = ["CA", "GB", "MX", "AU", "DE", "FR", "JP", "BR"]
    months = []
    for name, extra in (("base", ""), ("costly", "[regulation.GB]\ncompliance_cost_usd = 5e8\n")):
        folder = tmp_path / name
        folder.mkdir()
        path = scenario_file(folder, markets, [firm], months=24, extra=extra)
        df = run_scenario(load_scenario(path), seed=1).timeseries.to_pandas()
        months.append(_entry_month(df, "Mover", "GB"))
    assert months[1] > months[0]


def _uppsala_entry_agreement(tmp_path, distance=None) -> float:
    """Rank correlation of a Swedish Uppsala firm's entry months with capitals' distance.

    The distance comes from independent data (great-circle km between capitals, geonames),
    not from the CAGE matrix the rule sorts by; `distance` replaces that matrix.
    """
    firm = firm_toml("Nordic", "SE", entry_rule='"uppsala"', entries_per_year="24")
    scenario = load_scenario(scenario_file(tmp_path, ["global"], [firm], months=48))
    geography = build_geography(scenario)
    if distance is not None:
        geography = replace(geography, distance=distance)
    model = StrategyModel(scenario, seed=1, geography=geography)
    for _ in range(model.months):
        model.step()
    first = np.where(model.recorder.commitment[:, 0] > 0, 1, 0).argmax(axis=0) + 1.0
    entered = model.recorder.commitment[-1, 0] > 0
    entered[geography.index("SE")] = False
    home = get_country("SE")
    km = [_km(home, get_country(code)) for code in np.array(geography.iso2)[entered]]
    assert entered.sum() >= 40
    return spearmanr(first[entered], km).statistic


def _km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(np.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return float(2 * 6371.0 * np.arcsin(np.sqrt(h)))


def test_uppsala_entry_order_follows_psychic_distance(tmp_path):
    # Johanson and Vahlne: near markets first. The order is judged on distance the rule
    # never saw, so the check holds only if CAGE distance carries psychic distance.
    assert _uppsala_entry_agreement(tmp_path) > 0.45  # measured: 0.57 (random: -0.06..0.12)


def test_the_uppsala_check_fails_on_a_random_distance_matrix(tmp_path):
    n = len(load_countries())  # markets = "global": every country
    noise = np.random.default_rng(0).uniform(0.05, 1.0, (n, n))
    random = np.triu(noise, 1) + np.triu(noise, 1).T
    # Below the check's bar (0.45): measured 0.29 (-0.06..0.12 before paid conversion
    # depended on income: the regulatory burden's market potential now ranks Sweden's rich
    # neighbours first whatever the distance matrix says).
    assert abs(_uppsala_entry_agreement(tmp_path, random)) < 0.45


def test_a_firm_out_of_cash_exits_its_markets(tmp_path):
    broke = firm_toml("Broke", "DE").replace("cash_usd = 5e9", "cash_usd = 1e6")
    path = scenario_file(tmp_path, ["DE", "AT"], [broke, firm_toml("Rich", "AT")], months=12)
    result = run_scenario(load_scenario(path), seed=1)
    firms = {row["firm"]: row for row in result.firms.to_pylist()}
    assert firms["Broke"]["exit_month"] is not None and firms["Broke"]["users"] == 0
    assert firms["Rich"]["exit_month"] is None and firms["Rich"]["users"] > 0


def test_cancel_returns_the_months_done(two_firms):
    seen = []
    result = run_scenario(load_scenario(two_firms), seed=1,
                          progress_callback=lambda done, total: seen.append((done, total)),
                          cancel=lambda: len(seen) >= 5)
    assert result.cancelled and result.months == 5
    assert seen[-1] == (5, 36) and result.timeseries["month"].to_numpy().max() == 5


def test_progress_can_hand_over_the_months_so_far(two_firms):
    tables = []
    result = run_scenario(load_scenario(two_firms), seed=1, months=4, partial_results=True,
                          progress_callback=lambda done, total, so_far: tables.append(so_far()))
    assert [t["month"].to_numpy().max() for t, _ in tables] == [1, 2, 3, 4]
    assert [f["month"].to_numpy().max() for _, f in tables] == [1, 2, 3, 4]
    assert tables[-1][0].equals(result.timeseries)
    assert tables[-1][1].equals(result.firm_months)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(p=st.floats(0.005, 0.5), q=st.floats(0.0, 2.0), churn=st.floats(0.0, 0.3),
       switch=st.floats(0.0, 1.0), beta=st.floats(0.0, 20.0), seed=st.integers(0, 1000))
def test_invariants_hold_for_any_parameters(two_firms, p, q, churn, switch, beta, seed):
    base = load_scenario(two_firms)
    parameters = base.parameters.model_copy(update={
        "bass_p_annual": p, "bass_q_annual": q, "churn_monthly": churn, "switch_share": switch,
        "beta_quality": beta})
    scenario = base.model_copy(update={"parameters": parameters})
    model = StrategyModel(scenario, seed=seed, months=12)
    cash = model.cash.copy()
    for _ in range(12):
        model.step()
        assert np.all(model.users >= -1e-6)
        assert np.all(model.users.sum(axis=0) <= model.addressable * (1 + 1e-9) + 1e-6)
        cash += model.ledger.net()
        assert np.allclose(model.cash, cash)


def test_a_finished_run_keeps_no_model_alive():
    # Mesa 3.3 keys agent id counters by model in a class-level dict; a batch worker that
    # kept every model grew ~11 MB a ten-year run until the OOM killer stopped it.
    import gc

    import mesa

    from plumbing.shipped import shipped_path
    from simulator.run import run_scenario
    from simulator.scenario import load_scenario

    scenario = load_scenario(shipped_path("scenarios", "stylised.toml"))
    before = len(mesa.Agent._ids)
    for _ in range(2):
        run_scenario(scenario, months=2)
    gc.collect()
    assert len(mesa.Agent._ids) == before
