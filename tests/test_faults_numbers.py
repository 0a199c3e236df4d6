"""One validation layer for numbers and files read (plumbing.checked, plumbing.checked_files).

Every number the product reads is finite, of its stated type and in its stated range,
refused before any work with the file (or option), the key and what was expected (exit 2,
no traceback); a file read is a regular UTF-8 file within a size limit, nested no deeper
than a limit named in the refusal (properties over generated input:
`test_faults_number_properties`).
"""

import csv
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

from hub.cli import main as hub_main
from plumbing.checked import check_column, check_number, parse_number
from plumbing.errors import InputError
from simulator.cli import main as simulator_main
from tests.cli_text import shows

ROOT = Path(__file__).parents[1]
SCENARIO = ROOT / "data" / "scenarios" / "stylised.toml"
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


@pytest.mark.parametrize("column, cell, message", [
    ("max_fine_amount", "inf", "expected a number written with ASCII digits, got 'inf'"),
    ("max_fine_amount", "1e300", "expected a number between -1e+18 and 1e+18"),
    ("max_fine_turnover_pct", "700", "expected a percentage 0..100, or empty"),
    ("year", "２０２４", "expected an integer written with ASCII digits"),
])
def test_a_curated_table_with_a_bad_number_is_refused_by_row_and_column(column, cell, message,
                                                                        tmp_path):
    from plumbing.tables import read_table
    from simulator.world.curated import RegulationRow

    with open(ROOT / "data" / "regulation.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0][column] = cell
    path = tmp_path / "regulation.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InputError) as refused:
        read_table(path, RegulationRow)
    assert f"{path}:2: column {column!r}: {message}" in refused.value.message


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
