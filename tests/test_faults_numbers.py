"""One validation layer for numbers and files read (hub.checked, hub.checked_files).

Every number the product reads is finite, of its stated type and in its stated range,
refused before any work with the file (or option), the key and what was expected (exit 2,
no traceback); a file read is a regular UTF-8 file within a size limit, nested no deeper
than a limit named in the refusal. The property tests feed generated scenarios, `--set`
values, moves and observation rows through validation: a refusal is an InputError, never another
exception, and what is accepted holds only finite numbers, and runs to finite outputs.
"""

import csv
import io
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.checked import MAX_MAGNITUDE, check_column, check_number, parse_number
from hub.cli import main as hub_main
from hub.errors import InputError
from simulator.calibration.observations import COLUMNS, parse_observations
from simulator.cli import main as simulator_main
from simulator.overrides import apply_overrides
from tests.cli_text import shows

ROOT = Path(__file__).parents[1]
SCENARIO = ROOT / "data" / "scenarios" / "default.toml"
DOCUMENT = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))


def simulate(*args: str):
    return CliRunner().invoke(simulator_main, ["run", *args])


@pytest.mark.parametrize("assignment, message", [
    ("firms.0.capability=inf", "firms.0.capability: expected a finite number, got inf"),
    ("months=true", "months: expected a valid integer, got True (a flag)"),
    ('months="12"', "months: expected a valid integer, got '12' (text)"),
    ("months=inf", "months: expected a valid integer, got inf"),
    ("firms.0.talent.researchers=inf", "researchers: expected a valid integer, got inf"),
    ("firms.0.cash_usd=1e300", "cash_usd: expected a number between -1e+18 and 1e+18"),
    ("seed=100000000000000000000000", "seed: expected an integer between"),
    ('start_date="0000-01"', "start_date: expected a calendar month YYYY-MM from 2000-01"),
    ('start_date="9999-12"', "start_date: expected a calendar month YYYY-MM from 2000-01"),
    ("regulation.DE.delay_months=nan", "delay_months: expected a finite number, got nan"),
    ("parameters.commitment_arpu=[1, true, 1, 1]", "expected a valid number (item 1)"),
    ("uncertain.bass_q_annual=[0, inf]", "expected a finite number (at bass_q_annual)"),
])
def test_a_bad_number_through_set_is_refused_before_the_run(assignment, message, tmp_path):
    result = simulate(str(SCENARIO), "--months", "1", "--set", assignment,
                      "--out", str(tmp_path / "o"))
    assert result.exit_code == 2, result.output
    assert shows(result.output, message), result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


@pytest.mark.parametrize("top, uncertain, message", [
    ("", '"compute.gpu_usd_per_hour" = [1.5, inf]',
     "uncertain: expected a finite number (at compute.gpu_usd_per_hour) (item 1), got inf"),
    ("", 'beta_localised = [0.2, "1"]',
     "uncertain: expected a valid number (at beta_localised) (item 1), got '1' (text)"),
    ("seed = true", "", "seed: expected a valid integer, got True (a flag)"),
    ("seeds = 1e30", "", "seeds: expected a valid integer, got 1e+30"),
])
def test_a_bad_number_in_a_sweep_is_refused_before_any_run(top, uncertain, message, tmp_path):
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'name = "s"\nscenario = "{SCENARIO}"\n{top}\n[[variants]]\nname = "v"\n'
                     f"[uncertain]\n{uncertain}\n", encoding="utf-8")
    result = CliRunner().invoke(simulator_main, ["batch", str(sweep), "--out",
                                                 str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"{sweep}: {message}") and not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", ["-1", "100000000000000000000000", "1.5", "inf"])
def test_a_seed_option_out_of_range_is_refused(seed):
    result = simulate(str(SCENARIO), "--months", "1", "--seed", seed)
    assert result.exit_code == 2 and shows(result.output, "Invalid value for '--seed'")


@pytest.mark.parametrize("option, value, message", [
    ("--temperature", "inf", "expected a number written with ASCII digits, got 'inf'"),
    ("--temperature", "1e9", "expected a number between 0 and 100"),
    ("--threads", "1000000", "expected an integer between 1 and"),
    ("--seed", "-1", "expected an integer between 0 and 4,294,967,295"),
])
def test_generation_options_are_checked_before_a_model_is_looked_for(option, value, message,
                                                                       tmp_path):
    result = CliRunner().invoke(hub_main, ["generate", "--region", "eu", "--prompt", "hi",
                                           "--home", str(tmp_path), option, value])
    assert result.exit_code == 2 and shows(result.output, message), result.output


def test_a_prompt_that_is_not_utf8_is_named(tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_bytes(b"Guten Tag\n\xff\xfe broken\n")
    result = CliRunner().invoke(hub_main, ["generate", "--region", "eu", "--prompts",
                                           str(prompts), "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert shows(result.output, f"{prompts}: line 2: byte 0xff is not UTF-8")
    done = subprocess.run([sys.executable, "-c", "from hub.cli import main; main()",
                           "generate", "--region", "eu", "--home", str(tmp_path),
                           "--prompt", os.fsdecode(b"hi \xff")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--prompt 1: character 4 is a byte that is not UTF-8 text" in done.stderr


def test_files_that_would_hang_or_exhaust_memory_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "scenario.fifo"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 600 + "]" * 600 + "\n")  # tomllib: RecursionError
    nested = tmp_path / "nested.toml"
    nested.write_text("a = " + "[" * 40 + "]" * 40 + "\n")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('name = "Café"\n'.encode("latin-1"))
    big = tmp_path / "big.toml"
    with open(big, "wb") as handle:
        handle.truncate(17 * 2**20)  # sparse: 17 MiB of nothing, over the 16 MiB limit
    cases = {fifo: "is a FIFO, device or socket, not a regular file",
             Path("/dev/zero"): "is a FIFO, device or socket, not a regular file",
             deep: "nested deeper than the limit of 32 levels",
             nested: "nested deeper than the limit of 32 levels",
             latin1: "line 1: byte 0xe9 is not UTF-8",
             big: "over the limit of 16,777,216 for a scenario file",
             tmp_path: "is a folder, not a regular file"}
    for path, message in cases.items():
        # A subprocess with a timeout: a FIFO read would block this test forever.
        done = subprocess.run([sys.executable, "-c", "from simulator.cli import main; main()",
                               "run", str(path), "--months", "1"], capture_output=True,
                              text=True, timeout=120, env={**os.environ, "COLUMNS": "300"})
        assert done.returncode == 2, (path, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_profile_with_a_non_finite_or_text_figure_is_refused_by_column(tmp_path):
    shipped = pq.read_table(ROOT / "data" / "technology_profile.parquet")
    premium = shipped["token_premium_vs_en"].to_pylist()
    cases = {
        "inf.parquet": ("token_premium_vs_en", [math.inf, *premium[1:]],
                        "column 'token_premium_vs_en': expected finite numbers >= 0; row 0"),
        "text.parquet": ("token_premium_vs_en", [str(p) for p in premium],
                         "column 'token_premium_vs_en' holds string, expected numbers"),
        "no-lang.parquet": ("lang", [None, *shipped["lang"].to_pylist()[1:]],
                            "row 0: column 'lang' is empty"),
    }
    for name, (column, values, message) in cases.items():
        table = shipped.set_column(shipped.column_names.index(column), column, pa.array(values))
        pq.write_table(table, tmp_path / name)
        result = simulate(str(SCENARIO), "--months", "1", "--profile", str(tmp_path / name))
        assert result.exit_code == 2, result.output
        assert shows(result.output, message), result.output


def test_the_checked_number_refuses_what_python_would_accept():
    for text in ("inf", "nan", "١٢", "0x10", "1e400", " ", "1" * 65):
        with pytest.raises(ValueError):
            parse_number(text, "cell")
    with pytest.raises(ValueError, match="expected a valid integer, got True"):
        check_number(True, "x", integer=True)
    with pytest.raises(ValueError, match="expected a valid number, got '3' \\(text\\)"):
        check_number("3", "x")
    with pytest.raises(ValueError, match=r"row 2 holds inf \(1 bad of 3\)"):
        check_column([1.0, 2.0, math.inf], "column x", low=0)
    assert parse_number("1_000", "x") == 1000.0 and parse_number("-3", "x", integer=True) == -3


# --- properties ----------------------------------------------------------------------

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
        scenario = apply_overrides(DOCUMENT, overrides, "default.toml")
    except InputError as refused:
        assert refused.exit_code == 2 and refused.message.startswith("bad scenario")
        return
    assert finite_everywhere(scenario.model_dump(mode="python"))


@settings(max_examples=150)
@given(st.sampled_from(NUMERIC_KEYS),
       st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12))
def test_generated_set_text_is_refused_cleanly_or_accepted_finite(key, raw):
    try:
        scenario = apply_overrides(DOCUMENT, [f"{key}={raw}"], "default.toml")
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
    result = simulate(str(SCENARIO), "--months", "2", "--out", str(out),
                      *[a for arg in args for a in ("--set", arg)])
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
    from simulator.overrides import check_overrides
    from simulator.sweep import flatten_overrides
    from simulator.toml_check import read_user_file, validate_toml

    path = tmp_path_factory.mktemp("moves") / "moves.toml"
    path.write_text(tomlkit.dumps({"moves": [{"name": "m", "overrides": overrides}]}),
                    encoding="utf-8")
    try:
        spec = validate_toml(read_user_file(path, "moves"), path, MovesFile, "moves file")
    except InputError as refused:
        assert refused.exit_code == 2 and str(path) in refused.message
        return
    base = apply_overrides(DOCUMENT, {}, "default.toml").model_dump(exclude={"source"})
    scenario, problems = check_overrides(base, flatten_overrides(spec.moves[0].overrides),
                                         path)
    assert (scenario is None) == bool(problems)
    assert all(line.startswith(f"{path}: ") for line in problems), problems
    if scenario is not None:
        assert finite_everywhere(scenario.model_dump(mode="python"))
