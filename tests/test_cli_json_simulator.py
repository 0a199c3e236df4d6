"""`--json` and `--set` on the simulator's commands: the document is what the files hold.

Each command's stdout is parsed with `json.loads` and checked against the Parquet files the
same command wrote (numbers as numbers, what is not a number as null, never bare NaN), and
each command that runs a scenario takes `--set` with the same meaning as `simulator run`.
"""

import json
import math
import tomllib

import numpy as np
import pandas as pd
import pytest
from batch_sweeps import tiny_sweep
from calibration_cases import HOLDOUT, UNTIL, twin_case
from click.testing import CliRunner
from sim_profiles import firm_toml, scenario_file

from simulator.batch.store import METADATA
from simulator.cli import main

GPU = "compute.gpu_usd_per_hour"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "80"})


def document(result) -> dict:
    """stdout as JSON: the command succeeded and wrote nothing else there."""
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    firms = [firm_toml("Frontier", "US", entry_rule='"gravity"'), firm_toml("Euro", "FR")]
    return scenario_file(folder, ["DE", "FR", "US"], firms, months=6)


def test_run_json_is_the_written_report_and_set_changes_it(scenario, tmp_path):
    plain = document(invoke("run", scenario, "--json", "--out", tmp_path / "a"))
    firms = pd.read_parquet(tmp_path / "a" / "firms.parquet")
    assert [f["firm"] for f in plain["firms"]] == list(firms["firm"])
    assert [f["users"] for f in plain["firms"]] == pytest.approx(list(firms["users"]))
    assert plain["files"]["firms"] == str(tmp_path / "a" / "firms.parquet")
    # the regions' rows add up to each firm's users (the same last month)
    by_firm = pd.DataFrame(plain["regions"]).groupby("firm")["users"].sum()
    assert by_firm[firms["firm"]].to_numpy() == pytest.approx(firms["users"].to_numpy())
    doubled = document(invoke("run", scenario, "--json", "--set", f"{GPU}=8",
                              "--out", tmp_path / "b"))
    gpu = [tomllib.loads(scenario.read_text()).get("compute", {}).get("gpu_usd_per_hour")]
    serving = [[e["serving_usd_per_1m_tokens"] for e in run["unit_economics"]]
               for run in (plain, doubled)]
    assert serving[0] != serving[1], gpu  # the override reached the model
    assert doubled["run_id"] != plain["run_id"]


def test_horizon_is_the_one_option_and_months_its_former_spelling(scenario, tmp_path):
    result = invoke("run", scenario, "--json", "--months", 4, "--out", tmp_path / "m")
    assert document(result)["months"] == 4
    assert "--months is deprecated; use --horizon" in result.stderr
    assert document(invoke("run", scenario, "--json", "--horizon", 3,
                           "--out", tmp_path / "h"))["months"] == 3
    both = invoke("run", scenario, "--months", 4, "--horizon", 5)
    assert both.exit_code == 2 and "give only --horizon" in both.output
    assert "--months" not in invoke("run", "--help").output


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    sweep = tiny_sweep(folder, design='{ kind = "latin", samples = 2 }', seeds=1, months=6)
    out = folder / "out"
    result = invoke("batch", sweep, "--out", out, "-j", 1, "--set", "parameters.beta_price=-0.9",
                    "--json")
    return sweep, out, document(result)


def test_batch_json_counts_the_runs_written_and_records_set(swept):
    sweep, out, counts = swept
    runs = pd.read_parquet(out / "table_name=runs")
    assert counts["ok"] == int((runs["status"] == "ok").sum()) > 0
    assert counts["error"] == int((runs["status"] == "error").sum()) > 0  # the broken variant
    assert counts["failed_runs_query"].startswith("SELECT run_id, error FROM")
    metadata = json.loads((out / METADATA).read_text(encoding="utf-8"))
    assert metadata["scenario"]["set"] == ["parameters.beta_price=-0.9"]
    # other overrides are another batch: the folder is not resumed with them
    other = invoke("batch", sweep, "--out", out, "-j", 1, "--set", "parameters.beta_price=-0.8")
    assert other.exit_code == 2, other.output
    bad = invoke("batch", sweep, "--out", out.parent / "bad", "--set", "parameters.nosuch=1")
    assert bad.exit_code == 2 and "parameters.nosuch" in bad.output


def test_report_json_holds_the_kpis_of_the_runs_table(swept):
    _, out, _ = swept
    report = document(invoke("report", out, "--json"))
    runs = pd.read_parquet(out / "table_name=runs")
    ok = runs[runs["status"] == "ok"]
    for row in report["kpis"]:
        values = ok.loc[ok["strategy"] == row["strategy"], row["kpi"]].astype(float)
        if values.empty:  # the broken variant: no figure, and null rather than NaN
            assert row["median"] is None and row["runs"] == 0
        else:
            assert row["median"] == pytest.approx(float(np.median(values)))
            assert row["runs"] == len(values)
    assert report["runs"] == len(runs) and report["failed"] == int((runs["status"] != "ok").sum())
    assert {r["strategy"] for r in report["kpis"]} == set(runs["strategy"])


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibrate")
    scenario_path, observations = twin_case(folder)
    out = folder / "cal"
    result = invoke("calibrate", scenario_path, "--observations", observations, "--until",
                    UNTIL, "--runs", 24, "--waves", 1, "--replicates", 2, "--seed", 5,
                    "--discrepancy-scale", 0, "--out", out, "-j", 2, "--set", f"{GPU}=3.25",
                    "--json")
    return out, document(result)


def test_calibrate_json_is_the_folder_and_its_set_reaches_the_calibrated_file(calibrated):
    out, summary = calibrated
    kept = pd.read_parquet(out / "non_implausible.parquet")
    fit = pd.read_parquet(out / "observations.parquet")
    assert summary["non_implausible"] == len(kept)
    assert [o["id"] for o in summary["observations"]] == list(fit["id"])
    for shown, median in zip(summary["observations"], fit["median_I"], strict=True):
        assert shown["median_I"] == (pytest.approx(median) if math.isfinite(median) else None)
    assert summary["settings"]["assignments"] == [f"{GPU}=3.25"]
    calibrated_file = tomllib.loads((out / "calibrated.toml").read_text(encoding="utf-8"))
    assert calibrated_file["compute"]["gpu_usd_per_hour"] == 3.25
    assert summary["waves"][0]["points"] == len(pd.read_parquet(out / "points.parquet"))


def test_backtest_json_is_its_predictions_and_summary(calibrated, tmp_path):
    out, _ = calibrated
    extra = ["--least-implausible", 3] if not len(pd.read_parquet(
        out / "non_implausible.parquet")) else ["--members", 3]
    result = invoke("backtest", out, "--holdout", HOLDOUT, "--out", tmp_path / "bt", "-j", 2,
                    "--json", *extra)
    shown = document(result)
    predictions = pd.read_parquet(tmp_path / "bt" / "predictions.parquet")
    assert [p["id"] for p in shown["predictions"]] == list(predictions["id"])
    assert [p["median"] for p in shown["predictions"]] == pytest.approx(
        list(predictions["median"]))
    stored = json.loads((tmp_path / "bt" / "summary.json").read_text(encoding="utf-8"))
    assert shown["summary"]["coverage_90"] == pytest.approx(stored["coverage_90"])
    assert shown["summary"]["observations"] == stored["observations"] == len(predictions)
    bad = invoke("backtest", out, "--holdout", HOLDOUT, "--out", tmp_path / "b2",
                 "--set", "parameters.nosuch=1")
    assert bad.exit_code == 2 and "parameters.nosuch" in bad.output


def test_regions_json(tmp_path):
    listed = document(invoke("regions", "--json", "--top", 2))
    eu = next(r for r in listed["regions"] if r["name"] == "eu")
    assert "DE" in eu["territories"] and isinstance(eu["population"], int)
    assert len(eu["languages"]) == 2 and eu["languages"][0]["speakers"] > 0
    one = document(invoke("regions", "--region", "eu", "--json", "--top", 3))
    assert one["population"] == eu["population"]
    assert sum(lang["share"] for lang in one["languages"]) <= 1 + 1e-9
