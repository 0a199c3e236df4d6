"""`--json` on the hub's measuring commands, and one option vocabulary across the commands.

The documents are parsed with `json.loads` and checked against the Parquet files the same
command wrote. The vocabulary: `--version` is the program's version on every entry point;
a model version is `--model-version`, a device `--device`, a graph `--precision`, a horizon
`--horizon`; the former spellings still work, hidden from help and completion, with a
warning, and giving both spellings is refused (exit 2).
"""

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hub import registry
from hub.cli import main as hub
from hub.corpus.cldr import cldr_source
from hub.corpus.records import Source
from hub.corpus.store import build_corpus, read_manifest
from hub.tokenizer import train_tokenizer
from simulator.cli import main as simulator
from tests.cli_text import shows

LOCALES = {"cldr:en", "cldr:de", "cldr:fr", "cldr:ru"}
BIN = Path(sys.executable).parent  # the console scripts of this environment
SCRIPTS = ("hub", "simulator", "intl-strategy")


def invoke(*args, command=hub):
    return CliRunner().invoke(command, [str(a) for a in args], env={"COLUMNS": "80"})


def document(result) -> dict:
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A real corpus of four CLDR locales and the three tokenizers `tokenizer eval` compares."""
    home = tmp_path_factory.mktemp("hub") / "home"
    cldr = cldr_source()
    build_corpus(home, [Source("cldr", cldr.version, [u for u in cldr.units
                                                      if u.label in LOCALES])])
    for region in ("eu", "global", "english"):
        train_tokenizer(home, region, vocab_size=600, max_chars=100_000)
    return home


def test_premium_json_is_the_parquet_it_wrote(home, tmp_path):
    out, money = tmp_path / "premium.parquet", tmp_path / "money.parquet"
    shown = document(invoke("premium", "--home", home, "--tokenizer", "cl100k_base", "--lang",
                            "de", "--lang", "ru", "--out", out, "--prices-out", money, "--json"))
    table = pq.read_table(out).to_pylist()
    assert len(shown["premium"]) == len(table) > 0
    for row, stored in zip(shown["premium"], table, strict=True):
        assert (row["tokenizer"], row["lang"]) == (stored["tokenizer"], stored["lang"])
        assert row["tokens_per_char"] == pytest.approx(stored["tokens_per_char"])
        # English, the reference, has no premium against itself: null, not NaN
        assert row["premium_vs_en"] == (None if stored["premium_vs_en"] is None
                                        else pytest.approx(stored["premium_vs_en"]))
    assert len(shown["prices"]) == pq.read_table(money).num_rows
    assert shown["out"] == str(out)


def test_tokenizer_eval_json_is_the_metrics_it_wrote(home):
    shown = document(invoke("tokenizer", "eval", "--home", home, "--region", "eu", "--json"))
    stored = pq.read_table(shown["out"]).to_pylist()
    assert [(m["model_id"], m["lang"], m["metric"]) for m in shown["metrics"]] == [
        (m["model_id"], m["lang"], m["metric"]) for m in stored]
    assert [m["value"] for m in shown["metrics"]] == pytest.approx([m["value"] for m in stored])


def test_corpus_stats_json_counts_the_manifest(home):
    shown = document(invoke("corpus", "stats", "--home", home, "--json"))
    manifest = read_manifest(home)
    assert shown["rows"] == manifest["rows"]
    assert set(shown["languages"]) == set(manifest["languages"]) >= {"de", "ru"}
    small = document(invoke("corpus", "stats", "--home", home, "--json", "--min-chars", 10**12))
    assert small["languages"] == {}


@pytest.mark.parametrize("script", ["hub", "simulator", "intl-strategy"])
def test_version_is_the_programs_on_every_entry_point(script):
    result = subprocess.run([BIN / script, "--version"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert version("intl-strategy") in result.stdout


@pytest.mark.parametrize(("command", "new", "old"), [
    (["export", "--region", "eu"], "--model-version", "--version"),
    (["eval", "--region", "eu"], "--model-version", "--version"),
    (["bench", "--region", "eu"], "--model-version", "--version"),
    (["generate", "--region", "eu", "--prompt", "x"], "--model-version", "--version"),
])
def test_model_version_and_its_former_spelling(command, new, old, tmp_path):
    empty = tmp_path / "empty"
    help_text = invoke(*command[:1], "--help").output
    assert new in help_text and f"{old} " not in help_text
    # the former spelling reaches the command: the version is looked for, with a warning
    result = invoke(*command, old, "v7", "--home", empty)
    assert result.exit_code == 2
    assert f"warning: {old} is deprecated; use {new}" in result.stderr
    both = invoke(*command, old, "v7", new, "v7", "--home", empty)
    assert both.exit_code == 2 and shows(both.output, f"give only {new}")


def test_device_and_precision_replace_cuda_and_int8(tmp_path):
    empty = tmp_path / "empty"
    assert "--cuda" not in invoke("export", "--help").output
    assert "--int8" not in invoke("generate", "--help").output
    cuda = invoke("export", "--region", "eu", "--cuda", "--home", empty)
    assert "use --device cuda" in cuda.stderr and cuda.exit_code == 2
    both = invoke("export", "--region", "eu", "--cuda", "--device", "cpu", "--home", empty)
    assert both.exit_code == 2 and shows(both.output, "give only --device")
    int8 = invoke("generate", "--region", "eu", "--prompt", "x", "--int8", "--precision",
                  "int4", "--home", empty)
    assert int8.exit_code == 2 and shows(int8.output, "give only --precision")


def _complete(script: str, words: str) -> str:
    """What bash completion offers after `words` (click's protocol, as the shell asks)."""
    variable = f"_{script.upper().replace('-', '_')}_COMPLETE"
    env = {**os.environ, variable: "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    result = subprocess.run([BIN / script], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_readmes_completion_lines_work_in_bash():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    lines = [line for block in blocks for line in block.splitlines() if "_COMPLETE=" in line]
    assert len(lines) == len(SCRIPTS)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    shell = subprocess.run(["bash", "-c", "\n".join([*lines, f"complete -p {' '.join(SCRIPTS)}"])],
                           env=env, capture_output=True, text=True, timeout=300)
    assert shell.returncode == 0, shell.stderr
    for script in SCRIPTS:  # each program's completion function is registered for it
        assert re.search(rf"complete .*-F _\S+ {re.escape(script)}$", shell.stdout, re.M), script


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_are_generated_the_same_way(shell):
    for script in SCRIPTS:
        variable = f"_{script.upper().replace('-', '_')}_COMPLETE"
        result = subprocess.run([BIN / script], env={**os.environ, variable: f"{shell}_source"},
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and variable in result.stdout, result.stderr


def test_completion_offers_the_new_spellings_only():
    options = _complete("hub", "hub export --")
    assert "--device" in options and "--model-version" in options
    assert "--cuda" not in options and "\n--version" not in f"\n{options}"
    options = _complete("simulator", "simulator run x --")
    assert "--horizon" in options and "--months" not in options and "--json" in options
    assert "advise" in _complete("simulator", "simulator ")


def test_every_command_that_runs_a_scenario_takes_set_and_every_printer_json():
    for name in ("run", "batch", "calibrate", "backtest", "advise"):
        assert "--set" in invoke(name, "--help", command=simulator).output, name
    for name in ("regions", "report", "run", "batch", "calibrate", "backtest"):
        assert "--json" in invoke(name, "--help", command=simulator).output, name
    for name in (["list"], ["show"], ["verify"], ["premium"], ["eval"], ["bench"], ["profile"],
                 ["export"], ["regions"], ["tokenizer", "eval"], ["corpus", "stats"]):
        assert "--json" in invoke(*name, "--help").output, name


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    from tests.measured_hub import measured_home

    return measured_home(tmp_path_factory.getbasetemp() / "measured-hub")


def _saved(path, model_id) -> dict:
    rows = pq.read_table(path).to_pylist()
    return {(r["lang"], r["metric"], r["precision"]): r["value"] for r in rows
            if r["model_id"] == model_id}


def test_bench_json_is_the_metrics_it_saved(measured):
    home, version, bundle = measured
    shown = document(invoke("bench", "--bundle", bundle, "--home", home, "--prompt-tokens", 4,
                            "--new-tokens", 4, "--batches", 1, "--repeats", 5, "--json"))
    assert shown["model_id"] == version.model_id and shown["saved"]
    saved = _saved(shown["saved"][0], version.model_id)
    for row in shown["metrics"]:
        assert row["value"] == pytest.approx(saved[row["lang"], row["metric"], row["precision"]])
    fp32 = shown["speeds"]["fp32"]["latency_ms_per_token"]
    assert fp32["low"] <= fp32["median"] <= fp32["high"]


def test_eval_json_is_the_metrics_it_saved(measured):
    home, version, bundle = measured
    shown = document(invoke("eval", "--bundle", bundle, "--home", home, "--chrf-rows", 0,
                            "--json"))
    saved = _saved(shown["saved"][0], version.model_id)
    assert {row["metric"] for row in shown["metrics"]} >= {"bits_per_byte", "tokens_per_char"}
    for row in shown["metrics"]:
        value = saved[row["lang"], row["metric"], row["precision"]]
        assert row["value"] == (None if value != value else pytest.approx(value))


def test_generate_json_holds_what_the_stream_prints_and_int8_is_precision(measured):
    home, _, bundle = measured
    args = ["generate", "--bundle", bundle, "--home", home, "--lang", "de",
            "--max-new-tokens", 6, "--prompt"]
    streamed = invoke(*args, "Die")
    assert streamed.exit_code == 0, streamed.output
    shown = document(invoke(*args, "Die", "--prompt", "Der", "--json"))
    assert [o["prompt"] for o in shown["outputs"]] == ["Die", "Der"]
    assert streamed.stdout == "Die" + shown["outputs"][0]["text"] + "\n"  # greedy: the same
    old = invoke(*args, "Die", "--int8", "--json")
    assert document(old)["precision"] == "int8" and "use --precision int8" in old.stderr


def test_train_json_is_the_registered_version(home):
    shown = document(invoke("train", "--region", "eu", "--size", "tiny", "--steps", 4,
                            "--eval-every", 4, "--home", home, "--json"))
    version = registry.resolve(home, "eu")
    assert (shown["model_id"], shown["path"]) == (version.model_id, str(version.path))
    assert shown["steps"] == 4
    assert (version.path / "model.safetensors").is_file()
    assert "all" in shown["valid_bpb"] and all(v > 0 for v in shown["valid_bpb"].values())
