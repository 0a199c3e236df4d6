"""`simulator firm new`: a strategist's own firm, written as a new scenario that runs.

End to end through the CLI: the firm from flags and from prompts, the file validated by the
scenario loader and run for three months; the base's comments kept; figures as people write
them; strict refusals (exit 2) naming the option; warnings where a figure falls back.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from cli_text import shows
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from plumbing.shipped import shipped_path
from simulator.cli import main
from simulator.scenario import load_scenario
from simulator.scenario.human_units import parse_figure, toml_number

FLAGS = ["--name", "Seoul Lab", "--home", "KR", "--params", "30B", "--tokenizer", "qwen",
         "--family", "llama", "--cash", "$1B", "--researchers", "120", "--engineers", "1.2K",
         "--offices", "JP,SG", "--labs", "US", "--launch", "2025-12"]


def new_firm(tmp_path, *extra: str, name: str = "seoul.toml", flags=FLAGS):
    return CliRunner().invoke(main, ["firm", "new", *flags, "--out", str(tmp_path / name),
                                     *extra])


def test_the_new_firm_joins_the_base_scenario_keeps_its_comments_and_runs(tmp_path):
    result = new_firm(tmp_path)
    assert result.exit_code == 0, result.output
    out = tmp_path / "seoul.toml"
    text = out.read_text(encoding="utf-8")
    base = shipped_path("scenarios", "default.toml").read_text(encoding="utf-8")
    comments = [line.strip() for line in base.splitlines() if line.strip().startswith("#")]
    assert comments and all(comment in text for comment in comments)
    assert "# Seoul Lab: added by `simulator firm new`" in text
    assert "active_params = 30e9" in text and "cash_usd = 1e9" in text  # not 30000000000.0

    scenario = load_scenario(out)
    firm = scenario.firms[-1]
    assert [f.name for f in scenario.firms[:-1]] == [f.name for f in
                                                      load_scenario(shipped_path(
                                                          "scenarios", "default.toml")).firms]
    assert (firm.name, firm.home, firm.cash_usd) == ("Seoul Lab", "KR", 1e9)
    assert (firm.model.active_params, firm.model.tokenizer) == (30e9, "qwen")
    assert (firm.talent.researchers, firm.talent.engineers) == (120, 1200)
    assert [(s.country, s.kind) for s in firm.strategy.sites] == [
        ("JP", "office"), ("SG", "office"), ("US", "lab")]
    # month 1 is the scenario's start_date, 2022-11: December 2025 is month 38.
    assert scenario.month_dates(firm.launch_month)[-1].isoformat() == "2025-12-01"

    run = CliRunner().invoke(main, ["run", str(out), "--months", "3", "--out",
                                    str(tmp_path / "run")])
    assert run.exit_code == 0, run.output
    firms = pq.read_table(tmp_path / "run" / "firms.parquet").to_pydict()
    assert "Seoul Lab" in firms["firm"]


def test_prompts_ask_for_what_flags_leave_out_and_write_the_same_firm(tmp_path):
    answers = "\n".join(["Seoul Lab", "KR", "30B", "qwen", "llama", "$1B", "120", "1.2K",
                         "JP,SG", str(tmp_path / "asked.toml")]) + "\n"
    asked = CliRunner().invoke(main, ["firm", "new", "--labs", "US", "--launch", "2025-12"],
                               input=answers)
    assert asked.exit_code == 0, asked.output
    assert "Model: active parameters (e.g. 30B)" in asked.output
    # The choices offered are the data's: the profile's tokenizers, the quality table's families.
    assert "Model: tokenizer (cl100k_base, deepseek," in asked.output
    assert "Model: family for per-language quality (" in asked.output and "llama" in asked.output
    assert new_firm(tmp_path).exit_code == 0
    assert (load_scenario(tmp_path / "asked.toml").firms[-1]
            == load_scenario(tmp_path / "seoul.toml").firms[-1])


def test_a_bad_figure_is_asked_again_at_the_prompt(tmp_path):
    answers = "\n".join(["Seoul Lab", "KR", "thirty", "30B", "qwen", "none", "a lot", "1B",
                         "120", "400", "", str(tmp_path / "again.toml")]) + "\n"
    result = CliRunner().invoke(main, ["firm", "new"], input=answers)
    assert result.exit_code == 0, result.output
    assert "expected a parameter count such as 30B" in result.output
    assert "expected an amount of US dollars such as $1B" in result.output
    assert load_scenario(tmp_path / "again.toml").firms[-1].cash_usd == 1e9


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--cash", "lots", "Invalid value for '--cash': expected an amount of US dollars"),
    ("--cash", "$0", "expected an amount of US dollars above 0"),
    ("--params", "30Q", "Invalid value for '--params': expected a parameter count"),
    ("--researchers", "1.5", "expected a whole number of people, got '1.5'"),
    ("--launch", "2025-13", "expected a calendar month YYYY-MM"),
    ("--launch", "2021-01", "--launch: expected 2022-11 (the scenario's start_date) or later"),
    ("--home", "XX", "--home: expected an ISO 3166 alpha-2 country code such as 'DE'"),
    ("--offices", "JP,Mars", "--offices: expected an ISO 3166 alpha-2 country code"),
    ("--family", "gpt-17", "--family: expected one of"),
    ("--name", "US Frontier", "already has a firm named 'US Frontier'"),
])
def test_bad_input_exits_2_naming_the_option_and_what_was_expected(tmp_path, option, value,
                                                                   message):
    flags = list(FLAGS)
    flags[flags.index(option) + 1] = value
    result = new_firm(tmp_path, flags=flags)
    assert result.exit_code == 2, result.output
    assert shows(result.output, message), result.output
    assert "Traceback" not in result.output and not (tmp_path / "seoul.toml").exists()


def test_a_tokenizer_outside_the_profile_and_no_family_are_written_with_warnings(tmp_path):
    flags = list(FLAGS)
    flags[flags.index("--tokenizer") + 1] = "korean"
    flags[flags.index("--family") + 1] = "none"
    result = new_firm(tmp_path, flags=flags)
    assert result.exit_code == 0, result.output
    assert shows(result.stderr, "warning: tokenizer 'korean' is not among the profile's "
                                "production tokenizers (cl100k_base")
    assert shows(result.stderr, "prices its tokens with the hub's global model")
    assert shows(result.stderr, "warning: no model family")
    assert load_scenario(tmp_path / "seoul.toml").firms[-1].model.tokenizer == "korean"


def test_never_over_a_shipped_file_nor_an_existing_one_without_force(tmp_path):
    shipped = shipped_path("scenarios", "stylised.toml")
    before = shipped.read_bytes()
    result = CliRunner().invoke(main, ["firm", "new", *FLAGS, "--out", str(shipped), "--force"])
    assert result.exit_code == 2 and shows(result.output, "is a file shipped with the product")
    assert shipped.read_bytes() == before
    assert new_firm(tmp_path).exit_code == 0
    again = new_firm(tmp_path)
    assert again.exit_code == 2 and shows(again.output, "exists; expected a new file (or "
                                                        "--force to replace it)")
    assert new_firm(tmp_path, "--force").exit_code == 0


@given(st.integers(1, 999), st.sampled_from([("K", 1e3), ("M", 1e6), ("B", 1e9),
                                             ("bn", 1e9), ("T", 1e12)]))
def test_suffixes_scale_by_the_short_scale(number, suffix):
    letter, scale = suffix
    assert parse_figure(f"{number}{letter}") == number * scale
    assert parse_figure(f"${number}{letter}", money=True) == number * scale
    assert parse_figure(f"USD {number:,}{letter.lower()}", money=True) == number * scale


@given(st.floats(1, 1e18))
def test_toml_numbers_read_back_as_the_same_figure(value):
    assert float(toml_number(value)) == pytest.approx(value, rel=1e-12)


def test_a_base_with_its_own_profile_is_still_found_from_the_new_folder(tmp_path):
    from test_advise import case

    base = case(tmp_path / "base", "IN")  # technology_profile = "profile.parquet", beside it
    flags = [*FLAGS[:FLAGS.index("--family")], "--family", "none", "--cash", "$1B",
             "--researchers", "120", "--engineers", "400", "--offices", "",
             "--training-tokens", "2T", "--base", str(base)]
    result = new_firm(tmp_path / "elsewhere", flags=flags)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(tmp_path / "elsewhere" / "seoul.toml")
    assert scenario.profile_path().resolve() == (tmp_path / "base" / "profile.parquet").resolve()
    assert scenario.firms[-1].model.training_tokens == 2e12
    assert scenario.name == "Seoul Lab among alone in IN"
