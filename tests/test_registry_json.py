"""`hub list`, `hub show`, `hub verify`: `--json` for machines, and tables for people that
fit 80 columns when piped without cutting a number."""

import json

import pytest
import torch
from click.testing import CliRunner
from tokenizers import Tokenizer

from hub import registry
from hub.cli import main
from hub.metrics import Metric, metrics_table
from hub.model import DecoderLM
from hub.model_config import config_for
from hub.serving.model_card import CARD_METRICS
from plumbing.atomic import write_parquet
from tests.tiny_hub import make_tokenizer

# Figures whose digits a cut column would lose.
VALUES = {"de": 123456.789, "pt-BR": -0.000123456, "sr-Latn": 98.7654321}
TRAINING = {"size": "tiny", "params": 634_112, "tokens_per_param": 12.345678901234567,
            "final_valid_bpb": {"de": 2.0123456789012345, "pt-BR": 3.5}}


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    tokenizer = make_tokenizer(tmp_path / "tokenizer.json")
    torch.manual_seed(0)
    model = DecoderLM(config_for("tiny", Tokenizer.from_file(str(tokenizer)).get_vocab_size()))
    meta = {"model": model.config.to_dict(), "languages": list(VALUES), "training": TRAINING}
    version = registry.register(home, "eu", meta, model.state_dict(), tokenizer)
    rows = [
        Metric("eu/v1", "eu", lang, metric, value * (1 + index), "unit")
        for lang, value in VALUES.items()
        for index, metric in enumerate(CARD_METRICS)
    ]
    registry.attach(version, "metrics.parquet", lambda tmp: write_parquet(metrics_table(rows), tmp))
    return home


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "80"})


def test_list_json(home):
    result = invoke("list", "--json", "--home", home)
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)["models"]
    assert (entry["model_id"], entry["version"], entry["params"]) == ("eu/v1", 1, 634_112)
    assert entry["languages"] == list(VALUES) and entry["disk_bytes"] > 0
    assert entry["bits_per_byte"] == pytest.approx(sum(VALUES.values()) / 3)
    assert entry["metrics_damaged"] is False


def test_show_json_carries_full_values(home):
    result = invoke("show", "eu", "--json", "--home", home)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["training"]["final_valid_bpb"]["de"] == 2.0123456789012345
    assert shown["metrics"]["pt-BR"]["bits_per_byte"] == VALUES["pt-BR"]
    manifest = registry.resolve(home, "eu").manifest()["files"]
    assert {f["name"]: f["sha256"] for f in shown["files"]} == manifest


def test_show_table_is_readable_and_cuts_no_number_at_80_columns(home):
    result = invoke("show", "eu", "--home", home)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # the table fits; the heading's path is as long as the temporary folder makes it
    assert max(len(line) for line in lines if not line.startswith("eu/v1 ")) <= 80
    assert "2.0123456789" not in result.output and "{" not in result.output  # no raw dict
    cells = [c.strip() for line in lines for c in line.replace("┃", "│").split("│")]
    assert "de 2.012, pt-BR 3.5" in " ".join(cells) and "634,112" in cells and "12.35" in cells
    for lang, value in VALUES.items():
        for index, metric in enumerate(CARD_METRICS):
            assert f"{value * (1 + index):.4g}" in cells, (lang, metric)
    assert "…" not in result.output  # rich's mark of a cut cell


def test_list_table_cuts_no_number_at_80_columns(home):
    result = invoke("list", "--home", home)
    assert result.exit_code == 0, result.output
    assert max(map(len, result.output.splitlines())) <= 80
    assert "634.1K" in result.output and f"{sum(VALUES.values()) / 3:.3g}" in result.output


def test_verify_json_names_the_damaged_file_and_exits_1(home):
    result = invoke("verify", "--json", "--home", home)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["checked"], report["failed"]) == (1, 0) and report["versions"][0]["ok"]
    weights = home / "eu" / "v1" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4])
    result = invoke("verify", "--json", "--home", home)
    assert result.exit_code == 1
    report = json.loads(result.output)
    (entry,) = report["versions"]
    assert report["failed"] == 1 and not entry["ok"]
    assert any("model.safetensors" in problem for problem in entry["problems"])
