"""Novelty churn: a new category's first triers leave fast, then the market grows on.

Theory (the novelty effect of a new consumer technology; ChatGPT's first traffic declines,
June-August 2023): extra churn of the first users lowers the early user count against the
same market without it, and the gap closes as the novelty fades, so growth after it is
faster than the plain market's.
"""

from plumbing.shipped import shipped_path
from simulator.run import run_scenario
from simulator.scenario import load_scenario

STYLISED = shipped_path("scenarios", "stylised.toml")
MONTHS = 48


def _users(*assignments: str):
    table = run_scenario(load_scenario(STYLISED, list(assignments)),
                         months=MONTHS).timeseries.to_pandas()
    return table.groupby("month").users.sum()


def test_triers_leave_early_and_the_gap_closes_as_the_novelty_fades():
    plain = _users()
    novel = _users("parameters.trial_churn_monthly=0.3", "parameters.trial_decay_months=4")
    early, late = novel[12] / plain[12], novel[MONTHS] / plain[MONTHS]
    assert early < 0.95  # the first triers left (measured 0.91)
    assert late > early and late > 0.97  # and later adopters stayed (measured 0.985)
    # Between, the novel market grows faster than the plain one.
    assert novel[24] / novel[12] > plain[24] / plain[12]


def test_a_churn_of_everyone_at_launch_exits_2_naming_the_field(tmp_path):
    from cli_text import shows
    from click.testing import CliRunner

    from simulator.cli import main

    result = CliRunner().invoke(main, [
        "run", str(STYLISED), "--horizon", "2", "--out", str(tmp_path / "run"),
        "--set", "parameters.churn_monthly=0.5", "--set", "parameters.trial_churn_monthly=0.6"])
    assert result.exit_code == 2
    assert shows(result.output, "trial_churn_monthly: expected churn_monthly + "
                 "trial_churn_monthly below 1, got 0.5 + 0.6")
    assert not (tmp_path / "run").exists()  # refused before any work
