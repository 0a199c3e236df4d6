"""Properties of the one number check (plumbing.checked) over generated input.

Generated scenarios (`--set` overrides and their text), moves files and observation rows go
through validation: a refusal is an InputError (exit 2), never another exception; what is
accepted holds only finite numbers within the cap, and extreme accepted values run to
finite outputs (or fail with exit 1 or 2, never exit 0 with NaN).
"""

import csv
import io
import math
import tomllib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from plumbing.checked import MAX_MAGNITUDE
from plumbing.errors import InputError
from simulator.calibration.observations import COLUMNS, parse_observations
from simulator.cli import main as simulator_main
from simulator.scenario import Scenario
from simulator.scenario.overrides import apply_overrides

ROOT = Path(__file__).parents[1]
SCENARIO = ROOT / "data" / "scenarios" / "stylised.toml"
DOCUMENT = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))

NUMERIC_KEYS = ["months", "seed", "firms.0.cash_usd", "firms.0.capability",
                "firms.0.talent.researchers", "firms.0.launch_month",
                "compute.gpu_usd_per_hour", "compute.gpus", "compute.utilisation",
                "technology.token_premium_scale", "parameters.bass_p_annual",
                "parameters.ceiling_capability_elasticity", "parameters.price_review_months",
                "regulation.DE.delay_months", "firms.0.strategy.entries_per_year"]
ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**25, 10**25),
    st.booleans(), st.text(max_size=8), st.just("12"),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3))


def finite_everywhere(value) -> bool:
    """Whether every number in a (nested) dumped scenario is finite and within the cap."""
    if isinstance(value, dict):
        return all(finite_everywhere(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(finite_everywhere(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE
    return True


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(NUMERIC_KEYS), ANY_VALUE, min_size=1, max_size=4))
def test_generated_overrides_are_refused_cleanly_or_accepted_finite(overrides):
    try:
        scenario = apply_overrides(DOCUMENT, overrides, "default.toml", Scenario)
    except InputError as refused:
        assert refused.exit_code == 2 and refused.message.startswith("bad scenario")
        return
    assert finite_everywhere(scenario.model_dump(mode="python"))


@settings(max_examples=150)
@given(st.sampled_from(NUMERIC_KEYS),
       st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12))
def test_generated_set_text_is_refused_cleanly_or_accepted_finite(key, raw):
    try:
        scenario = apply_overrides(DOCUMENT, [f"{key}={raw}"], "default.toml", Scenario)
    except InputError as refused:
        assert refused.exit_code == 2
        return
    assert finite_everywhere(scenario.model_dump(mode="python"))


@settings(max_examples=6)
@given(st.fixed_dictionaries({"firms.0.capability": st.floats(0, MAX_MAGNITUDE),
                              "firms.0.cash_usd": st.floats(1, MAX_MAGNITUDE),
                              "compute.gpu_usd_per_hour": st.floats(1e-6, MAX_MAGNITUDE)}))
def test_extreme_accepted_values_run_to_finite_outputs_or_fail_loudly(tmp_path_factory, values):
    out = tmp_path_factory.mktemp("run") / "o"
    args = [f"{k}={v!r}" for k, v in values.items()]
    result = CliRunner().invoke(simulator_main, [
        "run", str(SCENARIO), "--months", "2", "--out", str(out),
        *[a for arg in args for a in ("--set", arg)]])
    if result.exit_code == 0:
        for name in ("timeseries.parquet", "firm_months.parquet", "firms.parquet"):
            table = pq.read_table(out / name)
            for column in table.column_names:
                if pa.types.is_floating(table[column].type):  # finite; large is allowed
                    values = table[column].drop_null().to_pylist()
                    assert all(math.isfinite(v) for v in values), (name, column, values[:5])
    else:
        assert result.exit_code in (1, 2) and not out.exists(), result.output


ROW = {"id": "x-1", "date": "2023-11", "metric": "users", "firm": "US Frontier",
       "company": "OpenAI", "geography": "world", "value": "1e8", "unit": "users",
       "error_kind": "rel_sd", "error": "0.1", "error_reason": "rounded", "role": "calibrate",
       "source_publisher": "TechCrunch", "source_title": "a title", "source_url": "",
       "year": "2023"}
NUMBERISH = st.one_of(st.floats().map(repr), st.integers(-10**30, 10**30).map(str),
                      st.sampled_from(["0", "-0", "inf", "nan", "1e308", "١٢", "２０２４", "1_0",
                                       " 3 ", "", "true", "0x1f", "2023-02-30"]),
                      st.text(max_size=6))


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(["value", "error", "year", "date"]), NUMBERISH,
                       min_size=1))
def test_generated_observation_rows_are_refused_by_cell_or_accepted_finite(cells):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerow({**ROW, **cells})
    try:
        (row,) = parse_observations(buffer.getvalue(), "obs.csv")
    except InputError as refused:
        assert all(line.startswith("obs.csv: row 2: ") for line in
                   refused.message.splitlines()[1:]), refused.message
        return
    assert 0 < row.value <= MAX_MAGNITUDE and 0 < row.error <= MAX_MAGNITUDE
    assert math.isfinite(row.sd) and 2022 <= row.year <= 2030


MOVE_KEYS = ["firms.Euro Challenger.cash_usd", "firms.Euro Challenger.capability",
             "firms.Euro Challenger.strategy.pricing.usd_per_month",
             "firms.Euro Challenger.talent.engineers", "compute.gpus", "months"]


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(MOVE_KEYS), ANY_VALUE, min_size=1, max_size=3))
def test_generated_moves_are_refused_cleanly_or_accepted_finite(tmp_path_factory, overrides):
    # What `load_moves` checks before any run: the file as a MovesFile, each move's
    # overrides applied to the scenario and validated like it (simulator.advice.moves).
    import tomlkit

    from simulator.advice.moves import MovesFile
    from simulator.batch.sweep import flatten_overrides
    from simulator.scenario.overrides import check_overrides
    from simulator.scenario.toml_check import read_user_file, validate_toml

    path = tmp_path_factory.mktemp("moves") / "moves.toml"
    path.write_text(tomlkit.dumps({"moves": [{"name": "m", "overrides": overrides}]}),
                    encoding="utf-8")
    try:
        spec = validate_toml(read_user_file(path, "moves"), path, MovesFile, "moves file")
    except InputError as refused:
        assert refused.exit_code == 2 and str(path) in refused.message
        return
    base = apply_overrides(DOCUMENT, {}, "default.toml", Scenario).model_dump(exclude={"source"})
    scenario, problems = check_overrides(base, flatten_overrides(spec.moves[0].overrides),
                                         path, model=Scenario)
    assert (scenario is None) == bool(problems)
    assert all(line.startswith(f"{path}: ") for line in problems), problems
    if scenario is not None:
        assert finite_everywhere(scenario.model_dump(mode="python"))
