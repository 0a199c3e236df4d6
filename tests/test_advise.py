"""`simulator advise`: constructed cases with a known answer, determinism, clear refusals.

One firm alone in one market (no rivals), on the shipped profile (Hindi costs 3.57x English
on parallel text on cl100k_base, the default tokenizer; 16,000 tokens learned for apac cut
Hindi's tokens to about half, data/vocab_extension.csv):

- India: ~250M addressable people; localising with the vocabulary extension (continued
  pre-training of the default 2e11-parameter model on ~1e11 tokens and ~$2M of
  post-training per effective language of the region's markets) pays through cheaper
  serving; continued pre-training alone buys quality, which wins no user from a rival
  where there is none, so it cannot pay;
- Iceland: ~300k addressable people; alone in its market the firm gains nothing from a
  localised model but cheaper serving of their tokens, far less than the ~$2M it costs:
  it cannot pay, and later is less bad (the same cost discounted further).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from cli_text import shows
from click.testing import CliRunner

from plumbing.shipped import shipped_path
from simulator.advice.advise import advise
from simulator.advice.report import render
from simulator.cli import main

SCENARIO = """\
name = "{name}"
seed = 3
months = 36
markets = ["{home}"]
technology_profile = "profile.parquet"
uncertain = {{ bass_q_annual = [0.4, 0.9], "compute.gpu_usd_per_hour" = [1.5, 4.0] }}

[compute]
gpus = 100_000  # every localisation takes the minimum three months

[parameters]
bass_p_annual = 0.08

[[firms]]
name = "Solo"
home = "{home}"
cash_usd = 5e9
talent = {{ researchers = 50, engineers = 200 }}
strategy = {{ hiring = {{ target_researchers = 50, target_engineers = 200 }} }}
"""
LOCALISE = """\
[[moves]]
name = "localise-{region}-now"
overrides = {{ "firms.Solo.strategy.localise" = [{{ region = "{region}", start_month = 0 }}] }}

[[moves]]
name = "localise-{region}-12m"
overrides = {{ "firms.Solo.strategy.localise" = [{{ region = "{region}", start_month = 12 }}] }}
"""


def case(folder, home: str):
    """A one-firm, one-country scenario file on the shipped profile."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(shipped_path("technology_profile.parquet"), folder / "profile.parquet")
    path = folder / f"{home}.toml"
    path.write_text(SCENARIO.format(name=f"alone in {home}", home=home), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def india(tmp_path_factory):
    folder = tmp_path_factory.mktemp("india")
    return advise(case(folder, "IN"), "Solo", folder / "advice", samples=4, workers=2)


@pytest.mark.slow
def test_localising_a_large_market_pays_through_the_measured_extension(india):
    table = india.table.set_index("move")
    extended, plain = table.loc["localise-apac-now-vocab16k"], table.loc["localise-apac-now"]
    status_quo = table.loc["status-quo"]
    assert extended["p_beats_status_quo"] == 1.0 and plain["p_beats_status_quo"] == 0.0
    assert extended["npv_p50"] > status_quo["npv_p50"] > plain["npv_p50"]
    # The measured premiums behind it, like with like, in the user's terms.
    assert ("Hindi costs 3.57x English in tokens on cl100k_base (parallel text)"
            in extended["drivers"])
    assert "localising apac with 16k added tokens brings it to" in extended["drivers"]
    assert "(measured)" in extended["drivers"]
    assert "continued pre-training keeps the tokenizer" in plain["drivers"]
    assert extended["token_premium_localised"] < 0.75 * extended["token_premium"]
    assert extended["d_serving_cost"] < 0 and extended["rivals"] == 0
    # Regret is measured against the best move of each member, so the best has little.
    assert table["max_regret"].min() >= 0
    assert table["best_expected"].sum() == 1 and table["robust"].sum() == 1


@pytest.mark.slow
def test_localising_a_tiny_market_cannot_pay(tmp_path):
    scenario = case(tmp_path, "IS")
    moves = tmp_path / "moves.toml"
    moves.write_text(LOCALISE.format(region="eu"), encoding="utf-8")
    result = advise(scenario, "Solo", tmp_path / "advice", moves_file=moves, samples=4,
                    workers=2)
    table = result.table.set_index("move")
    assert list(result.table["move"]) == ["status-quo", "localise-eu-12m", "localise-eu-now"]
    assert table.loc["localise-eu-now", "p_beats_status_quo"] == 0.0
    assert table.loc["status-quo", "robust"] and table.loc["status-quo", "best_expected"]
    # The localised model costs its price (~$2M) and Iceland gives almost nothing back.
    now = table.loc["localise-eu-now"]
    assert now["d_localisation_spend"] > 1e6
    assert -now["gain_p50"] > 0.8 * now["d_localisation_spend"]


@pytest.mark.slow
def test_outputs_agree_and_the_same_seed_gives_the_same_table(india, tmp_path):
    folder = tmp_path / "again"
    scenario = case(folder, "IN")
    again = advise(scenario, "Solo", folder / "advice", samples=4, workers=1)
    pd.testing.assert_frame_equal(india.table, again.table)
    written = pd.read_parquet(folder / "advice" / "advice.parquet")
    assert list(written.columns[:6]) == ["move", "npv_p10", "npv_p50", "npv_p90",
                                         "p_beats_status_quo", "max_regret"]
    assert {"drivers", "overrides", "token_premium", "market_users", "rivals",
            "regulation_delay_months"} <= set(written.columns)
    members = pd.read_parquet(folder / "advice" / "members.parquet")
    assert len(members) == len(written) * 4
    assert members.groupby("member")["seed"].nunique().eq(1).all()  # common random numbers
    page = render(again)
    assert page.count("<svg") >= 2 and all(f">{m}<" in page for m in written["move"])
    summary = json.loads((folder / "advice" / "advice.json").read_text())
    assert summary["discount_rate_annual"] == 0.10 and "Damodaran" in summary[
        "discount_rate_source"]
    assert summary["discovery"]["move"] == written["move"].iloc[0]


def test_a_firm_not_in_the_scenario_exits_2_naming_the_firms(tmp_path):
    scenario = case(tmp_path, "IN")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Nobody"])
    assert result.exit_code == 2
    assert shows(result.output, "--firm: expected one of the scenario's firms (Solo), "
                                "got 'Nobody'")


def test_a_bad_moves_file_exits_2_naming_file_key_and_expectation(tmp_path):
    scenario = case(tmp_path, "IN")
    moves = tmp_path / "moves.toml"
    moves.write_text('[[moves]]\nname = "x"\noverrides = { "firms.Solo.strategy.bogus" = 1 }\n'
                     '[[moves]]\nname = "y"\noverrides = { "firms.Nobody.cash_usd" = 1e9 }\n'
                     '[[moves]]\nname = "z"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                       str(moves), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"{moves}: moves[2].overrides: missing")
    moves.write_text('[[moves]]\nname = "x"\noverrides = { "firms.Solo.strategy.bogus" = 1 }\n'
                     '[[moves]]\nname = "y"\noverrides = { "firms.Nobody.cash_usd" = 1e9 }\n',
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                       str(moves), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"{moves}: moves[0].overrides.firms.Solo.strategy.bogus: "
                                "unknown key")
    assert shows(result.output, f"{moves}: moves[1].overrides.firms.Nobody.cash_usd: no list "
                                "item named 'Nobody'")
    assert not (tmp_path / "o").exists()  # nothing run, nothing written


def test_outputs_are_checked_before_any_run(tmp_path):
    scenario = case(tmp_path, "IN")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--out",
                                       str(tmp_path / "file" / "advice")])
    assert result.exit_code == 2 and shows(result.output, "--out")
    assert shows(result.output, "is a file, so nothing can be made under it")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--out",
                                       str(tmp_path / "o"), "--html", str(tmp_path)])
    assert result.exit_code == 2 and shows(result.output, "--html")
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_calibrated_ensemble_is_the_non_implausible_set_with_its_seeds(tmp_path):
    from calibration_cases import UNTIL, twin_case

    from simulator.calibration.calibrate import Settings, calibrate
    from simulator.calibration.ensemble import load_ensemble

    scenario, observations = twin_case(tmp_path)
    settings = Settings(until=UNTIL, runs=48, waves=1, replicates=2, seed=5,
                        discrepancy_scale=1.0)
    calibrate(scenario, observations, tmp_path / "cal", settings, workers=2)
    moves = tmp_path / "moves.toml"
    moves.write_text('[[moves]]\nname = "cheaper"\n'
                     'overrides = { "firms.Euro.strategy.pricing.usd_per_month" = 10.0 }\n',
                     encoding="utf-8")
    result = advise(scenario, "Euro", tmp_path / "advice", moves_file=moves, samples=3,
                    calibration=tmp_path / "cal", workers=2)
    points = load_ensemble(tmp_path / "cal", limit=3)
    assert result.ensemble.names == list(points[0])
    # Each point once per replicate seed, the calibration's own seeds.
    expected = [[p[k] for k in points[0]] for p in points for _ in range(2)]
    assert result.ensemble.member_values().tolist() == expected
    calibration_seeds = pd.concat(pd.read_parquet(path) for path in (
        tmp_path / "cal").glob("waves/*/points/*.parquet"))["seed"]
    assert result.seeds[:2] == sorted(set(calibration_seeds), key=list(calibration_seeds).index)
    assert result.seeds == result.seeds[:2] * len(points)
    assert "non-implausible points of the calibration" in result.ensemble.source


def test_a_killed_advice_resumes_and_another_plan_is_refused(india):
    from plumbing.errors import InputError

    scenario = Path(india.scenario.source)
    out = scenario.parent / "advice"
    shards = sorted((out / "runs" / "shards").glob("*.parquet"))
    kept = {p: p.stat().st_mtime_ns for p in shards[2:]}
    for lost in shards[:2]:
        lost.unlink()  # as if killed before these runs finished
    again = advise(scenario, "Solo", out, samples=4, workers=2)
    pd.testing.assert_frame_equal(india.table, again.table)
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())  # not run again
    with pytest.raises(InputError, match=r"made from other inputs \(runs "):
        advise(scenario, "Solo", out, samples=3, workers=2)  # another ensemble


def test_discovery_finds_where_the_top_move_loses():
    import numpy as np

    from simulator.advice.valuation import discover, rank

    rng = np.random.default_rng(0)
    x = rng.random((400, 3))  # three uncertain parameters, the second decides
    status_quo = np.zeros(400)
    bold = np.where(x[:, 1] > 0.7, -1.0, 2.0) + 0.01 * rng.standard_normal(400)
    values = np.vstack([status_quo, bold])
    table = rank(["status-quo", "bold"], values)
    assert table["move"].iloc[0] == "bold" and table["p_beats_status_quo"].iloc[0] < 0.8
    found = discover(["status-quo", "bold"], values, x, ["a", "b", "c"], top=1)
    assert found.against == "status-quo" and abs(found.losses - (x[:, 1] > 0.7).mean()) < 1e-9
    assert found.box.restricted == ("b",) and found.box.limits["b"][0] > 0.6
    assert found.box.density > 0.9


def test_regret_and_the_robust_choice_by_hand():
    import numpy as np

    from simulator.advice.valuation import npv, rank

    values = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 2.0], [0.5, 0.5, 0.5]])
    table = rank(["status-quo", "bold", "steady"], values).set_index("move")
    # Best per member: 1, 0.5, 2; regrets: status quo 1, 0.5, 2; bold 0, 1.5, 0; steady 0.5, 0, 1.5.
    assert table["max_regret"].to_dict() == {"bold": 1.5, "steady": 1.5, "status-quo": 2.0}
    assert table.loc["bold", "robust"] and table.loc["bold", "best_expected"]  # tie: mean
    assert table.loc["bold", "p_beats_status_quo"] == 2 / 3
    assert table.loc["steady", "p_beats_status_quo"] == 1.0
    # A year of +100 a month discounted at 10% a year: month t weighs 1.1^(-t/12).
    cash = 1000.0 + 100.0 * np.arange(1, 13)
    assert npv(cash, 1000.0, 0.10) == pytest.approx(sum(100 * 1.1 ** (-t / 12)
                                                         for t in range(1, 13)))


def test_office_and_lab_moves_name_countries_the_firm_may_serve():
    # Offices and labs in named countries (strategy.sites) are moves; a country whose data
    # blocks the firm (China against services from abroad) is never offered.
    import tomllib

    from plumbing.shipped import shipped_path
    from simulator.advice.moves import generate_moves
    from simulator.scenario import Scenario, load_scenario
    from simulator.scenario.overrides import apply_overrides
    from simulator.technology import load_profile

    scenario = load_scenario(shipped_path("scenarios", "stylised.toml"))
    profile = load_profile(scenario.profile_path(), scenario.profile_size)
    sites = [m for m in generate_moves(scenario, "Euro Challenger", profile)
             if m.kind in ("office", "lab") and m.place]
    assert {m.kind for m in sites} == {"office", "lab"}
    assert all(m.place not in ("CN", "FR") for m in sites)  # blocked there; home
    path = shipped_path("scenarios", "stylised.toml")
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    for move in sites:
        edited = apply_overrides(document, move.overrides, path, Scenario)
        firm = next(f for f in edited.firms if f.name == "Euro Challenger")
        assert [(s.country, s.kind) for s in firm.strategy.sites] == [(move.place, move.kind)]


def test_a_moves_file_over_the_limit_is_refused_before_any_run(tmp_path):
    from simulator.advice.moves import MAX_FILE_MOVES

    scenario = case(tmp_path, "IS")
    moves = tmp_path / "moves.toml"
    moves.write_text("".join(
        f'[[moves]]\nname = "m{i}"\noverrides = {{ "firms.Solo.cash_usd" = {1e9 + i} }}\n'
        for i in range(MAX_FILE_MOVES + 1)), encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                       str(moves), "--out", str(tmp_path / "advice")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"at most {MAX_FILE_MOVES}")
    assert shows(result.output, "moves.toml")
    assert not (tmp_path / "advice").exists()


def test_advise_takes_set_like_run(tmp_path):
    scenario = case(tmp_path, "IS")
    moves = tmp_path / "moves.toml"
    moves.write_text(LOCALISE.format(region="eu"), encoding="utf-8")
    bad = CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                    str(moves), "--set", "parameters.no_such_key=1",
                                    "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and shows(bad.output, "no_such_key")
    result = advise(scenario, "Solo", tmp_path / "advice", moves_file=moves, samples=2,
                    workers=1, horizon=6, assignments=("firms.Solo.cash_usd=7e9",))
    assert result.scenario.firms[0].cash_usd == 7e9


def test_an_exit_value_prices_revenue_beyond_the_horizon():
    import numpy as np

    from simulator.advice.valuation import Discount

    # Two years: "harvest" banks 1 a month; "build" spends 1 a month and ends with 100 a year
    # of revenue. Cash over the horizon prefers harvesting; valued at 5x revenue at the
    # horizon, as growth firms are, building wins. The exit value is discounted two years.
    months = np.arange(1, 25)
    cash = np.stack([100.0 + months, 100.0 - months])
    exit_revenue = np.array([0.0, 100.0])
    plain = Discount().value(cash, 100.0, exit_revenue)
    assert plain[0] > plain[1]
    valued = Discount().with_exit(5).value(cash, 100.0, exit_revenue)
    assert valued[1] > valued[0]
    assert valued[1] - plain[1] == pytest.approx(500.0 * 1.1 ** -2)
    # Priced by its users instead, as investors priced OpenAI (about $600 a weekly user):
    # harvesting that loses 10 weekly users of 20 loses 10 x 600, discounted, and building
    # wins again. One exit value at a time.
    weekly_users = np.array([10.0, 20.0])
    by_users = Discount().with_exit(per_weekly_user=600).value(cash, 100.0, exit_revenue,
                                                                 weekly_users)
    assert by_users[1] > by_users[0]
    assert by_users - plain == pytest.approx(600 * weekly_users * 1.1 ** -2)
    with pytest.raises(ValueError, match="not both"):
        Discount().with_exit(5, 600)


def _revalued(india, tmp_path, *options: str):
    """The India advice's runs valued again with `options`: (advice.json, runs, NPV gain)."""
    import pyarrow.parquet as pq

    out = tmp_path / "advice"
    shutil.copytree(Path(india.scenario.source).parent / "advice", out)
    result = CliRunner().invoke(main, ["advise", india.scenario.source, "--firm", "Solo",
                                       "--samples", "4", "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "advice.json").read_text(encoding="utf-8"))
    runs = pq.read_table(out / "runs" / "shards").to_pandas()
    before = india.table.set_index("move")["npv_mean"]
    after = pd.read_parquet(out / "advice.parquet").set_index("move")["npv_mean"]
    return summary, runs, after - before


def test_advise_exit_multiple_adds_each_runs_last_year_of_revenue(india, tmp_path):
    import numpy as np

    summary, runs, gain = _revalued(india, tmp_path, "--exit-multiple", "8")
    assert summary["exit_multiple"] == 8 and "--exit-multiple 8" in summary["exit_multiple_source"]
    # Revenue is booked every month, so a run's last year of it is positive and below its
    # whole horizon's.
    assert (runs["exit_revenue"] > 0).all() and (runs["exit_revenue"] <= runs["revenue"]).all()
    added = 8 * runs.groupby("move")["exit_revenue"].mean() * 1.1 ** (-india.decision.horizon / 12)
    np.testing.assert_allclose(gain[added.index], added, rtol=1e-9)


def test_advise_per_weekly_user_values_each_runs_users_at_the_horizon(india, tmp_path):
    """v x users at the horizon x the weekly share, discounted; both exit values exit 2."""
    import numpy as np

    both = CliRunner().invoke(main, ["advise", india.scenario.source, "--firm", "Solo",
                                     "--samples", "4", "--out", str(tmp_path / "both"),
                                     "--exit-multiple", "8", "--exit-per-weekly-user", "600"])
    assert both.exit_code == 2 and shows(both.output, "not both")
    assert not (tmp_path / "both").exists()
    summary, runs, gain = _revalued(india, tmp_path, "--exit-per-weekly-user", "600")
    assert summary["exit_per_weekly_user"] == 600 and "$300B" in summary["exit_multiple_source"]
    users = runs["own_users"].map(sum)  # the firm's users in every country, last month
    weekly = india.scenario.parameters.weekly_active_share
    added = (600 * weekly * users.groupby(runs["move"]).mean()
             * 1.1 ** (-india.decision.horizon / 12))
    np.testing.assert_allclose(gain[added.index], added, rtol=1e-9)


@pytest.mark.parametrize(("horizon", "annual"), [(24, 12 * 30.0), (6, 12 * 30.0)])
def test_the_exit_revenue_is_a_years_run_rate_at_the_horizon(horizon, annual):
    from simulator.advice.decision import Decision
    from simulator.advice.members import FocusRecorder

    recorder = FocusRecorder(0, Decision("2025-12", 38, horizon))
    recorder.revenue[:] = 30.0  # 30 a month throughout
    # A year's revenue at the horizon, whether the horizon is longer or shorter than a year.
    assert recorder.annual_revenue() == pytest.approx(annual)
