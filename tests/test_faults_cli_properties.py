"""Generated input through the real commands: a clean answer, never a traceback or a NaN.

Hypothesis writes scenarios (TOML files with any value at number keys), `--set` text,
moves files and observation rows, and the commands (`simulator run`, `advise`,
`calibrate`, through click's CliRunner, as a shell would call them) take them. Whatever
comes in, a command ends with exit 0 or 2 and no traceback, and one that ends with 0 wrote
outputs whose every number is finite (Parquet float columns and JSON alike). Tiny
scenarios (three markets, two firms, two months) keep each example under a second or two;
the examples are few, each a different corner (`test_faults_number_properties` checks the
validation functions over many more).
"""

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import tomlkit
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sim_profiles import firm_toml, scenario_file
from test_faults_number_properties import ANY_VALUE, NUMBERISH, ROW

from simulator.calibration.observations import COLUMNS
from simulator.cli import main

FIRMS = [firm_toml("Frontier", "US", entry_rule='"gravity"'), firm_toml("Euro", "FR")]
KEYS = ["months", "seed", "start_date", "firms.0.cash_usd", "firms.1.capability",
        "firms.0.talent.researchers", "compute.gpu_usd_per_hour", "compute.utilisation",
        "technology.token_premium_scale", "parameters.bass_p_annual",
        "parameters.bass_q_annual", "firms.1.strategy.entries_per_year"]
# Half the values are plausible ones, so that accepted input runs and its outputs are read.
VALUE = st.one_of(ANY_VALUE, st.integers(1, 36), st.floats(0.0, 10.0), st.floats(1e6, 1e12))
SET_TEXT = st.one_of(st.floats(0.0, 1e12).map(repr), st.integers(0, 48).map(str),
                     st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                             max_size=10))
CELL = st.one_of(NUMBERISH, st.floats(1.0, 1e9).map(repr), st.sampled_from(["0.05", "0.3"]))
FEW = settings(max_examples=12, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow])


def tiny(folder: Path) -> Path:
    return scenario_file(folder, ["DE", "FR", "US"], FIRMS, months=2,
                         extra='start_date = "2022-11"')


def set_path(document, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[int(last) if last.isdigit() else last] = value


def clean(result) -> None:
    """Exit 0 or 2, and no exception but click's own exit."""
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    event(f"exit {result.exit_code}")


def no_json_constant(name: str):
    raise AssertionError(f"JSON holds {name}")


def finite_outputs(out: Path) -> None:
    """Every float in every Parquet file and JSON document under `out` is finite."""
    for path in out.rglob("*.parquet"):
        table = pq.read_table(path)
        for column in table.column_names:
            if pa.types.is_floating(table[column].type):
                values = table[column].drop_null().to_pylist()
                assert all(math.isfinite(v) for v in values), (path, column, values[:5])
    for path in out.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=no_json_constant)


@FEW
@example({"months": 3, "firms.0.cash_usd": 1e18})
@given(st.dictionaries(st.sampled_from(KEYS), VALUE, min_size=1, max_size=3))
def test_generated_scenario_files_run_cleanly_or_are_refused(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("scenario")
    path = tiny(folder)
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key, value in values.items():
        set_path(document, key, value)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(folder / "out")])
    clean(result)
    if result.exit_code == 0:
        finite_outputs(folder / "out")
    else:
        assert not (folder / "out").exists()


@FEW
@example([("compute.gpu_usd_per_hour", "1e-300"), ("technology.token_premium_scale", "40")])
@given(st.lists(st.tuples(st.sampled_from(KEYS), SET_TEXT), min_size=1, max_size=2))
def test_generated_set_text_runs_cleanly_or_is_refused(tmp_path_factory, assignments):
    folder = tmp_path_factory.mktemp("set")
    args = [a for key, raw in assignments for a in ("--set", f"{key}={raw}")]
    result = CliRunner().invoke(main, ["run", str(tiny(folder)), *args, "--out",
                                       str(folder / "out")])
    clean(result)
    if result.exit_code == 0:
        finite_outputs(folder / "out")


MOVE_KEYS = ["firms.Euro.cash_usd", "firms.Euro.capability", "firms.Euro.talent.engineers",
             "firms.Euro.strategy.entries_per_year", "compute.gpus", "months"]


@settings(FEW, max_examples=6)
@example({"firms.Euro.cash_usd": 1e15, "compute.gpus": 1})
@given(st.dictionaries(st.sampled_from(MOVE_KEYS), VALUE, min_size=1, max_size=2))
def test_generated_moves_files_advise_cleanly_or_are_refused(tmp_path_factory, overrides):
    folder = tmp_path_factory.mktemp("moves")
    moves = folder / "moves.toml"
    moves.write_text(tomlkit.dumps({"moves": [{"name": "m", "overrides": overrides}]}),
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["advise", str(tiny(folder)), "--firm", "Euro",
                                       "--moves", str(moves), "--samples", "1", "-j", "1",
                                       "--out", str(folder / "out")])
    clean(result)
    if result.exit_code == 0:
        finite_outputs(folder / "out")


@settings(FEW, max_examples=6)
@example({"value": "1e-300"})
@example({"value": "3e9", "error": "0.9"})
@given(st.dictionaries(st.sampled_from(["value", "error", "year", "date"]), CELL,
                       min_size=1))
def test_generated_observation_rows_calibrate_cleanly_or_are_refused(tmp_path_factory, cells):
    import csv

    folder = tmp_path_factory.mktemp("observations")
    scenario = tiny(folder)
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        "[parameters]", "[uncertain]\nbass_p_annual = [0.01, 0.6]\n\n[parameters]"),
        encoding="utf-8")
    observations = folder / "observations.csv"
    with observations.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerow({**ROW, "date": "2022-12", "firm": "Frontier", "year": "2022",
                         **cells})
    result = CliRunner().invoke(main, [
        "calibrate", str(scenario), "--observations", str(observations), "--until", "2022-12",
        "--runs", "4", "--waves", "1", "--replicates", "1", "-j", "1",
        "--out", str(folder / "out")])
    clean(result)
    if result.exit_code == 0:
        finite_outputs(folder / "out")


def test_a_run_whose_figures_overflow_fails_rather_than_reporting_them():
    # The net under the stated ranges: what still overflows is a failed run (exit 1).
    import pytest

    from simulator.run import NonFiniteResult, _require_finite

    table = pa.table({"firm": ["Euro", "Euro"], "month": [1, 2], "cash": [1.0, -math.inf],
                      "share": [None, 0.5]})
    with pytest.raises(NonFiniteResult) as failed:
        _require_finite(table)
    assert failed.value.exit_code == 1
    assert "cash became -inf (firm Euro, month 2)" in failed.value.message
    _require_finite(table.drop_columns(["cash"]))  # a null is not a number: allowed
