"""`hub profile`: PROFILE_SCHEMA rows with provenance, read by the simulator's loader."""

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.profile_schema import PROFILE_SCHEMA
from simulator.technology import load_profile
from tests.cli_text import shows
from tests.measured_hub import REGION, measured_home
from tests.tiny_hub import register_tiny

# One measured hub per test worker (tests/measured_hub.py) for the modules of this group.
pytestmark = pytest.mark.xdist_group("measured-hub")

QUICK_EVAL = ["--chrf-rows", "1"]
QUICK_BENCH = ["--prompt-tokens", "8", "--new-tokens", "4", "--batches", "1,2", "--repeats", "5"]


@pytest.fixture(scope="module")
def profiled(tmp_path_factory):
    home, version, _ = measured_home(tmp_path_factory.getbasetemp() / "measured-hub")
    runner = CliRunner()
    for command in (["eval", *QUICK_EVAL], ["bench", *QUICK_BENCH]):
        result = runner.invoke(main, [*command, "--region", REGION, "--home", str(home)])
        assert result.exit_code == 0, result.output
    out = tmp_path_factory.mktemp("profile") / "technology_profile.parquet"
    args = ["profile", "--out", str(out), "--home", str(home)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    with_production = out.with_name("with_production.parquet")
    args = ["profile", "--out", str(with_production), "--home", str(home)]
    produced = runner.invoke(main, [*args, "--tokenizer", "cl100k_base"])
    assert produced.exit_code == 0, produced.output
    return home, version, out, result.output, with_production


def test_profile_has_the_schema_and_one_row_per_language(profiled):
    _, version, out, output, _ = profiled
    table = pq.read_table(out)
    assert table.schema.equals(PROFILE_SCHEMA)
    rows = table.to_pylist()
    assert sorted(r["lang"] for r in rows) == ["de", "en", "fr"]
    assert all(r["model_id"] == version.model_id and r["region"] == REGION for r in rows)
    assert all(r["kind"] == "hub" and r["tokenizer"] == f"hub:{REGION}" for r in rows)
    assert all(r["size"] == "tiny" and r["params"] > 0 for r in rows)
    assert all(r["bits_per_byte"] > 0 and r["usd_per_1m_chars"] > 0 for r in rows)
    assert {r["lang"] for r in rows if r["token_premium_vs_en"] is not None} == {"de", "fr"}
    assert {r["lang"] for r in rows if r["info_parity"] is not None} == {"de", "fr"}
    assert "de" in output and "USD" in output and "3 rows" in output


def test_profile_intervals_and_evaluation_set(profiled):
    from hub.measurement.eval_set import evaluation_sets

    home, _, out, _, _ = profiled
    sets = evaluation_sets(home, ["de", "en", "fr"])
    for row in pq.read_table(out).to_pylist():
        assert row["eval_set_sha256"] == sets[row["lang"]].sha256
        for name in ("bits_per_char", "tokens_per_char", "usd_per_1m_chars"):
            assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"], (name, row)
        if row["token_premium_vs_en"] is not None:
            assert row["premium_low"] <= row["token_premium_vs_en"] <= row["premium_high"]
        # Measured speed is there with its spread, and the cost is the reference one.
        assert row["tokens_per_s_low"] <= row["tokens_per_s"] <= row["tokens_per_s_high"]
        assert row["reference_instance"] and row["usd_per_hour"] > 0
        assert row["primed_compressor_bits_per_char"] > 0


def test_production_rows_share_the_evaluation_sets(profiled):
    _, _, out, _, with_production = profiled
    rows = pq.read_table(with_production).to_pylist()
    hub_rows = {r["lang"]: r for r in pq.read_table(out).to_pylist()}
    production = [r for r in rows if r["kind"] == "production"]
    assert {r["lang"] for r in production} == {"de", "en", "fr"}
    for row in production:
        assert row["tokenizer"] == "cl100k_base" and row["vendor"] and row["model_id"] is None
        assert row["eval_set_sha256"] == hub_rows[row["lang"]]["eval_set_sha256"]
        assert row["tokens_per_char_low"] <= row["tokens_per_char"] <= row["tokens_per_char_high"]
        assert len(row["tokenizer_sha256"]) == 64 and row["package_version"]
        assert row["bits_per_byte"] is None and row["usd_per_1m_chars"] is None


def test_profile_provenance(profiled):
    _, version, out, _, _ = profiled
    metrics = pq.read_table(version.file("metrics.parquet")).to_pylist()
    weights = version.manifest()["files"]["model.safetensors"]
    for row in pq.read_table(out).to_pylist():
        assert row["command"].startswith("hub profile")
        assert row["model_sha256"] == weights
        assert row["tokenizer_sha256"] == version.manifest()["files"]["tokenizer.json"]
        assert row["measured_at"] == max(m["measured_at"] for m in metrics)
        assert row["machine"] == metrics[0]["machine"]


def test_simulator_reads_the_profile_with_and_without_production_rows(profiled):
    _, _, out, _, with_production = profiled
    for path in (out, with_production):
        profile = load_profile(path)
        assert profile.regions == [REGION]
        assert profile.figures[REGION]["de"].usd_per_1m_chars > 0


def test_unmeasured_versions_are_named_and_nothing_is_written(tmp_path):
    register_tiny(tmp_path / "home", "eu")
    out = tmp_path / "p.parquet"
    result = CliRunner().invoke(
        main, ["profile", "--out", str(out), "--home", str(tmp_path / "home")]
    )
    assert result.exit_code == 2
    assert shows(result.output, "eu/v1: left out") and shows(result.output, "nothing to profile")
    assert not out.exists()


def test_hub_rows_carried_from_an_older_profile_keep_their_figures(profiled, tmp_path):
    # A profile written before `kind` existed: its hub rows are carried as measured, the
    # production rows measured anew on this home's evaluation sets.
    home, _, out, _, _ = profiled
    old = pq.read_table(out).drop_columns(["kind", "tokenizer", "vendor"])
    pq.write_table(old, tmp_path / "old.parquet")
    merged = tmp_path / "merged.parquet"
    args = ["profile", "--hub-rows-from", str(tmp_path / "old.parquet"), "--out", str(merged),
            "--home", str(home), "--tokenizer", "cl100k_base"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = pq.read_table(merged).to_pylist()
    hub = [r for r in rows if r["kind"] == "hub"]
    assert [(r["lang"], r["bits_per_byte"], r["command"]) for r in hub] == [
        (r["lang"], r["bits_per_byte"], r["command"]) for r in pq.read_table(out).to_pylist()]
    assert all(r["tokenizer"] == f"hub:{REGION}" for r in hub)
    assert {r["lang"] for r in rows if r["kind"] == "production"} == {"de", "en", "fr"}
    assert load_profile(merged).regions == [REGION]


def test_a_file_that_is_not_a_profile_is_refused_by_name(profiled, tmp_path):
    home = profiled[0]
    bad = tmp_path / "not-a-profile.parquet"
    bad.write_text("PAR1 truncated")
    out = tmp_path / "p.parquet"
    args = ["profile", "--hub-rows-from", str(bad), "--out", str(out), "--home", str(home)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert shows(result.output, "not-a-profile.parquet: not a readable Parquet profile")
    assert not out.exists()
