"""`--set dotted.key=value`: overrides validated like the file, named as the user wrote them."""

import tomllib

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator.cli import main
from simulator.scenario import Scenario, load_scenario
from simulator.scenario.overrides import apply_overrides, parse_assignment
from tests.cli_text import shows

DEFAULT = shipped_path("scenarios/stylised.toml")


def _document() -> dict:
    return tomllib.loads(DEFAULT.read_text(encoding="utf-8"))


def test_values_are_read_as_toml_and_firms_by_name_or_position():
    scenario = apply_overrides(_document(), [
        "firms.China Lab.cash_usd=1e9", "firms.0.strategy.pricing.usd_per_month=25",
        "technology.token_premium_scale=2", "markets=[\"eu\", \"US\"]", "start_date=2023-01",
        'firms.Euro Challenger.strategy.localise=[{ region = "eu", start_month = 0 }]'],
        "default.toml", Scenario)
    firms = {f.name: f for f in scenario.firms}
    assert firms["China Lab"].cash_usd == 1e9
    assert firms["Frontier US"].strategy.pricing.usd_per_month == 25.0
    assert scenario.technology.token_premium_scale == 2.0
    assert scenario.markets == ["eu", "US"] and scenario.start_date == "2023-01"
    assert firms["Euro Challenger"].strategy.localise[0].start_month == 0
    assert parse_assignment("firms.0.home = DE") == ("firms.0.home", "DE")  # not TOML: text


def test_every_bad_override_is_listed_under_the_key_given():
    with pytest.raises(InputError) as caught:
        apply_overrides(_document(), ["firms.Nobody.cash_usd=1", "compute.gpu_usd_per_hr=3",
                                      "firms.China Lab.cash_usd=-1", "start_date=2022-13"],
                        "d.toml", Scenario)
    lines = str(caught.value).splitlines()
    assert lines[0] == "bad scenario (4 problems):"
    assert ("d.toml: firms.Nobody.cash_usd: no list item named 'Nobody'; expected one of: "
            "Frontier US, China Lab, Euro Challenger, Open Weights, or a position 0..3") in lines
    [unknown] = [line for line in lines if "gpu_usd_per_hr" in line]
    assert unknown == ("d.toml: compute.gpu_usd_per_hr: unknown key; expected one of: "
                       "gpu_usd_per_hour, gpu_peak_flops, utilisation, serving_utilisation, "
                       "gpus, cost_decline_annual")
    assert "d.toml: firms.China Lab.cash_usd: expected greater than 0" in lines
    assert any(line.startswith("d.toml: start_date: expected a calendar month YYYY-MM")
               for line in lines)
    with pytest.raises(InputError, match="expected KEY=VALUE"):
        parse_assignment("months")


def test_the_run_command_takes_set_and_exits_2_on_a_bad_key(tmp_path):
    command = ["run", str(DEFAULT), "--months", "2", "--out", str(tmp_path / "o")]
    done = CliRunner().invoke(main, [*command, "--set", "start_date=2024-03"])
    assert done.exit_code == 0, done.output
    dates = pq.read_table(tmp_path / "o" / "timeseries.parquet")["date"].to_pylist()
    assert {d.date().isoformat() for d in dates} == {"2024-03-01", "2024-04-01"}
    done = CliRunner().invoke(main, [*command, "--set", "parameters.no_such=1"])
    # A refusal, not an uncaught exception (which would leave exit code 1 and a traceback).
    assert done.exit_code == 2 and isinstance(done.exception, SystemExit), done.output
    assert shows(done.output, f"{DEFAULT}: parameters.no_such: unknown key; expected one of: "
                 "bass_p_annual")


def test_no_overrides_reads_the_file_as_is():
    assert load_scenario(DEFAULT, []) == load_scenario(DEFAULT)


def test_uncertain_ranges_take_parameters_and_dotted_scenario_keys():
    scenario = apply_overrides(_document(), {"uncertain": {
        "beta_quality": [1.0, 5.0], "compute.gpu_usd_per_hour": [1.5, 4.0],
        "technology.token_premium_scale": [0.5, 2.0]}}, "default.toml", Scenario)
    assert set(scenario.uncertain) == {"beta_quality", "compute.gpu_usd_per_hour",
                                       "technology.token_premium_scale"}
    with pytest.raises(InputError, match="uncertain: expected parameter names"):
        apply_overrides(_document(), {"uncertain": {"colour": [0.0, 1.0]}}, "default.toml",
                        Scenario)
