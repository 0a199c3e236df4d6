import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_corpus_readers import TMX, write_mo, write_po

from hub.cli import main
from hub.corpus import load_corpus, read_manifest
from hub.corpus.cleaning import Cleaner, clean_text, script_ok
from hub.corpus.records import Row
from hub.corpus.split import SPLITS, split_of
from plumbing.errors import InputError
from tests.cli_text import shows


@pytest.fixture()
def inputs(tmp_path):
    catalogs = tmp_path / "locale"
    write_mo(write_po(catalogs, "de"))
    broken = catalogs / "fr" / "LC_MESSAGES" / "broken.mo"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"\x00" * 40)
    tmx = tmp_path / "memory.tmx"
    tmx.write_text(TMX, encoding="utf-8")
    text = tmp_path / "ja.txt"
    # The Latin line is not Japanese text and fails the script check.
    text.write_text("ファイルを保存\nファイルを保存\nSave the file\n", encoding="utf-8")
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text(
        json.dumps({"lang": "ru", "text": "Открыть {0}", "en": "Open {0}"})
        + "\n"
        + json.dumps({"lang": "de", "text": "Same", "en": "Same"})
        + "\n",
        encoding="utf-8",
    )
    return {"catalogs": catalogs, "files": [str(tmx), str(text), str(jsonl)]}


def build(home, inputs, *extra):
    args = [
        "corpus",
        "build",
        "--home",
        str(home),
        "--sources",
        "gettext",
        "--gettext-dir",
        str(inputs["catalogs"]),
    ]
    for spec in inputs["files"]:
        args += ["--add", spec]
    return CliRunner().invoke(main, [*args, *extra])


def test_build_skips_bad_files_and_records_everything(tmp_path, inputs):
    home = tmp_path / "home"
    result = build(home, inputs)
    assert result.exit_code == 0, result.output
    assert "broken.mo" in result.output
    manifest = read_manifest(home)
    assert [s["file"].endswith("broken.mo") for s in manifest["skipped"]] == [True]
    assert "corrupt MO" in manifest["skipped"][0]["reason"]
    assert {s["name"] for s in manifest["sources"]} == {"gettext", "added"}
    assert set(manifest["languages"]) == {"de", "de-DE", "en", "ja", "pt-BR", "ru"}
    assert sum(manifest["languages"]["ja"]["rows"].values()) == 1  # one line kept of three
    assert manifest["dropped"]["duplicate"] >= 1
    assert manifest["dropped"]["untranslated"] == 1  # "Same" -> "Same"
    assert manifest["dropped"]["wrong script"] == 1  # the Latin line of ja.txt
    for entry in manifest["files"].values():
        assert len(entry["sha256"]) == 64 and (home / "_corpus" / entry["name"]).is_file()

    table = load_corpus(home)
    rows = set(zip(*(table[c].to_pylist() for c in ("lang", "text", "en")), strict=True))
    assert ("ru", "Открыть {0}", "Open {0}") in rows  # placeholders kept as they are
    assert ("de", "%d Dateien", "%d files") in rows
    assert ("ja", "ファイルを保存", None) in rows
    # A translation shares the split of its English original, wherever it came from.
    by_text = {
        t: s for t, s in zip(table["text"].to_pylist(), table["split"].to_pylist(), strict=True)
    }
    assert by_text["Datei speichern"] == by_text["Salvar o arquivo"] == by_text["Save the file"]
    assert sum(sum(c["rows"].values()) for c in manifest["languages"].values()) == table.num_rows


def test_load_corpus_filters(tmp_path, inputs):
    home = tmp_path / "home"
    build(home, inputs)
    table = load_corpus(home, langs=["de"], split="train")
    assert set(table["lang"].to_pylist()) <= {"de"}
    assert set(table["split"].to_pylist()) <= {"train"}
    assert table.column_names == ["lang", "text", "source", "en", "split"]
    assert load_corpus(home, langs=[]).num_rows == 0
    with pytest.raises(InputError, match="split 'dev'"):
        load_corpus(home, split="dev")


def test_strict_makes_a_bad_file_an_error(tmp_path, inputs):
    home = tmp_path / "home"
    result = build(home, inputs, "--strict")
    assert result.exit_code == 2
    assert "broken.mo" in result.output and shows(result.output, "corrupt MO")
    assert not (home / "_corpus" / "manifest.json").exists()


def test_rebuild_replaces_files_and_a_failed_one_keeps_the_corpus(tmp_path, inputs):
    home = tmp_path / "home"
    build(home, inputs)
    before = load_corpus(home)
    assert build(home, inputs).exit_code == 0
    assert len(list((home / "_corpus").glob("*.parquet"))) == 3  # older build's files removed
    assert build(home, inputs, "--strict").exit_code == 2
    assert load_corpus(home).equals(before)


def test_missing_or_changed_corpus(tmp_path, inputs):
    with pytest.raises(InputError, match="hub corpus build"):
        load_corpus(tmp_path / "nowhere")
    home = tmp_path / "home"
    build(home, inputs)
    path = home / "_corpus" / read_manifest(home)["files"]["test"]["name"]
    pq.write_table(pq.read_table(path).slice(0, 0), path)
    with pytest.raises(InputError, match="changed since the build"):
        load_corpus(home, split="test")


def test_empty_corpus_is_an_error(tmp_path):
    result = CliRunner().invoke(main, ["corpus", "build", "--home", str(tmp_path), "--sources", ""])
    assert result.exit_code == 2 and shows(result.output, "corpus is empty")


def test_unknown_source(tmp_path):
    result = CliRunner().invoke(
        main, ["corpus", "build", "--home", str(tmp_path), "--sources", "web"]
    )
    assert result.exit_code == 2 and shows(result.output, "unknown source 'web'")


def test_stats_prints_languages(tmp_path, inputs):
    home = tmp_path / "home"
    build(home, inputs)
    result = CliRunner().invoke(main, ["corpus", "stats", "--home", str(home)], terminal_width=150)
    assert result.exit_code == 0, result.output
    assert "pt-BR" in result.output and shows(result.output, "6 languages")


def test_cldr_source_gives_parallel_rows():
    from hub.corpus.cldr import cldr_source

    units = {u.label: u for u in cldr_source().units}
    assert {"cldr:de", "cldr:ja", "cldr:sr_Latn", "cldr:zh_Hant"} <= set(units)
    rows = list(units["cldr:de"].read())
    assert Row("de", "Deutschland", "Germany") in rows
    assert all(r.lang == "de" and r.en for r in rows)


def test_cleaning():
    assert clean_text(" Cafe\u0301\x07\n") == "Café"
    assert clean_text("a\tb\nc") == "a\tb\nc"
    assert script_ok("ja", "ファイル") and script_ok("ja", "漢字") and not script_ok("ja", "file")
    assert script_ok("ru", "Файл %s") and not script_ok("ru", "%s")
    assert script_ok("sr-Latn", "Datoteka") and not script_ok("sr-Latn", "Датотека")
    cleaner = Cleaner()
    assert cleaner.clean(Row("de", "Hallo", "Hello")) == Row("de", "Hallo", "Hello")
    assert cleaner.clean(Row("de", "Hallo ", "Hi")) is None
    assert cleaner.clean(Row("de", "OK", "OK")) is None
    assert cleaner.dropped == {"duplicate": 1, "untranslated": 1}


@given(st.text(max_size=200))
def test_split_is_stable_and_valid(key):
    assert split_of(key) in SPLITS
    assert split_of(key) == split_of(str(key))


def test_split_is_the_same_in_another_process():
    keys = ["Open", "Save the file", "日本", ""]
    code = f"from hub.corpus.split import split_of; print([split_of(k) for k in {keys!r}])"
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123"},
    )
    assert other.stdout.strip() == str([split_of(k) for k in keys])


def test_split_fractions():
    counts = {s: 0 for s in SPLITS}
    for index in range(20_000):
        counts[split_of(f"text {index}")] += 1
    assert 17_600 < counts["train"] < 18_400
    assert 800 < counts["valid"] < 1_200 and 800 < counts["test"] < 1_200
