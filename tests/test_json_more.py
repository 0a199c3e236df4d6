"""`--json` on the commands that print one line of what they did: `hub corpus build`,
`hub rm` and `simulator firm new`. The document on stdout is what was written or removed."""

import json
import tomllib
from collections import Counter

import pyarrow.parquet as pq
from click.testing import CliRunner

from hub import registry
from hub.cli import main as hub
from hub.corpus.store import read_manifest
from plumbing.atomic import sha256_file
from simulator.cli import main as simulator
from simulator.scenario import load_scenario
from tests.measured_hub import cldr_jsonl
from tests.tiny_hub import register_tiny


def document(result) -> dict:
    """stdout as the one JSON document it must be (messages went to stderr)."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_corpus_build_json_is_the_corpus_it_wrote(tmp_path):
    home = tmp_path / "home"
    broken = tmp_path / "broken.mo"
    broken.write_bytes(b"not a gettext catalog")
    result = CliRunner().invoke(hub, [
        "corpus", "build", "--home", str(home), "--sources", "", "--json",
        "--add", str(cldr_jsonl(tmp_path / "cldr.jsonl")), "--add", f"de={broken}"])
    found = document(result)
    manifest = read_manifest(home)
    assert found["corpus"] == str(home / "_corpus")
    assert json.loads((home / "_corpus" / "manifest.json").read_text()) == manifest
    assert found["manifest"] == str(home / "_corpus" / "manifest.json")
    assert found["files"] == manifest["files"] and found["dropped"] == manifest["dropped"]
    rows = Counter()
    for entry in found["files"].values():  # each named file is there, with that content
        path = home / "_corpus" / entry["name"]
        assert sha256_file(path) == entry["sha256"]
        rows.update(pq.read_table(path, columns=["lang"]).column("lang").to_pylist())
    assert found["languages"] == dict(rows) and set(rows) == {"de", "en", "fr"}
    assert found["rows"] == sum(rows.values()) == manifest["rows"]
    (skipped,) = found["skipped"]  # the unreadable input, named, and nothing else
    assert skipped["file"] == str(broken) and skipped["reason"]


def test_rm_json_names_what_it_removed(tmp_path):
    home = tmp_path / "home"
    first = register_tiny(home, "eu", seed=0)
    second = register_tiny(home, "eu", seed=1)
    found = document(CliRunner().invoke(hub, ["rm", "eu@v1", "--yes", "--json", "--home",
                                              str(home)]))
    assert found == {"removed": first.model_id, "region": "eu", "version": first.version,
                     "path": str(first.path)}
    assert not first.path.exists() and second.path.is_dir()
    assert [v.model_id for v in registry.versions(home, "eu")] == [second.model_id]


def test_rm_json_asks_on_stderr_so_stdout_stays_the_document(tmp_path):
    home = tmp_path / "home"
    version = register_tiny(home, "eu")
    result = CliRunner().invoke(hub, ["rm", "eu@v1", "--json", "--home", str(home)],
                                input="y\n")
    assert document(result)["removed"] == version.model_id and "Delete" in result.stderr
    assert not version.path.exists()


FLAGS = ["--name", "Seoul Lab", "--home", "KR", "--params", "30B", "--tokenizer", "qwen",
         "--family", "none", "--cash", "$1B", "--researchers", "120", "--engineers", "1.2K",
         "--offices", "JP,SG", "--labs", "US", "--launch", "2025-12"]


def test_firm_new_json_is_the_firm_it_wrote(tmp_path):
    out = tmp_path / "seoul.toml"
    found = document(CliRunner().invoke(simulator, ["firm", "new", *FLAGS, "--out", str(out),
                                                    "--json"]))
    assert found["wrote"] == str(out) and found["base"].endswith("default.toml")
    written = tomllib.loads(out.read_text(encoding="utf-8"))["firms"][-1]
    firm = found["firm"]
    assert (firm["name"], firm["home"]) == (written["name"], written["home"]) == ("Seoul Lab",
                                                                                   "KR")
    assert firm["cash_usd"] == written["cash_usd"] == 1e9
    assert firm["active_params"] == written["model"]["active_params"] == 30e9
    assert firm["launch_month"] == written["launch_month"]
    sites = written["strategy"]["sites"]
    assert firm["offices"] == [s["country"] for s in sites if s["kind"] == "office"]
    assert firm["labs"] == [s["country"] for s in sites if s["kind"] == "lab"] == ["US"]
    assert (firm["researchers"], firm["engineers"]) == (120, 1200)
    assert firm["family"] == "" and any("model family" in w for w in found["warnings"])
    assert "Seoul Lab" in {f.name for f in load_scenario(out).firms}
