"""`hub eval`: PyTorch and onnxruntime agree, the compressor sees the same bytes, results merge."""

import lzma
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.cli import main
from hub.measurement.compressor import compressor_baseline, scored_bytes
from hub.measurement.eval_set import evaluation_sets
from hub.measurement.evaluate import EvalSettings, evaluate
from hub.measurement.measure_target import merge_metrics, open_target
from hub.measurement.translation_eval import translation_prompts
from hub.metrics import Metric
from hub.serving import bundle
from tests.measured_hub import REGION, measured_home

# One measured hub per test worker (tests/measured_hub.py) for the modules of this group.
pytestmark = [pytest.mark.xdist_group("measured-hub"), pytest.mark.slow]  # slow: the export

SMALL = ["--chrf-rows", "2"]


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory):
    return measured_home(tmp_path_factory.getbasetemp() / "measured-hub")


@pytest.fixture(scope="module")
def evaluated(hub_home):
    home, _, _ = hub_home
    with tempfile.TemporaryDirectory() as workdir:
        target = open_target(home, REGION, None, None, Path(workdir))
        rows, facts = evaluate(target, home, EvalSettings(chrf_rows=2))
    return target, rows, facts


def values(rows, metric, precision):
    return {r.lang: r.value for r in rows if r.metric == metric and r.precision == precision}


def test_pytorch_and_onnxruntime_bits_per_byte_agree(evaluated):
    _, rows, facts = evaluated
    torch_bpb = values(rows, "bits_per_byte_pytorch", "fp32")
    ort_bpb = values(rows, "bits_per_byte", "fp32")
    assert set(torch_bpb) == set(ort_bpb) == {"de", "en", "fr"}
    for lang, value in torch_bpb.items():
        assert ort_bpb[lang] == pytest.approx(value, rel=0.005)
    assert facts["torch_ort_worst"] < 0.005
    int8 = values(rows, "bits_per_byte", "int8")
    assert set(int8) == set(ort_bpb) and all(v > 0 for v in int8.values())


def test_compressor_baseline_is_computed_on_the_scored_bytes(evaluated):
    _, rows, facts = evaluated
    baseline = values(rows, "compressor_bits_per_byte", "n/a")
    for lang, sample in facts["samples"].items():
        data = "".join(text + "\n" for text in sample.texts).encode("utf-8")
        assert facts["scored_bytes"][lang] == len(data)
        best = min(
            len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)),
            len(zstandard.ZstdCompressor(level=22).compress(data)),
        )
        assert baseline[lang] == pytest.approx(8 * best / len(data))


def test_top1_tokenizer_and_translation_figures(evaluated):
    _, rows, _ = evaluated
    for precision in ("fp32", "int8"):
        top1 = values(rows, "top1_accuracy", precision)
        assert set(top1) == {"de", "en", "fr"} and all(0 <= v <= 1 for v in top1.values())
        assert set(values(rows, "chrf", precision)) == {"de", "fr"}  # English has no pairs
    assert set(values(rows, "token_premium_vs_en", "n/a")) == {"de", "fr"}
    assert all(v > 0 for v in values(rows, "tokens_per_char", "n/a").values())
    agreement = values(rows, "top1_agreement_vs_fp32", "int8")
    assert all(0 <= v <= 1 for v in agreement.values())


def test_translation_prompt_matches_the_training_format(hub_home):
    from hub.serving.runtime import Generator
    from hub.training.train_data import encode_region

    home, version, _ = hub_home
    generator = Generator(version.path)
    tok, special = generator.tokenizer, generator.special
    ids = {lang: tok.token_to_id(f"<{lang}>") for lang in ("de", "en")}
    table = pa.table({"lang": ["de"], "text": ["Deutschland"], "en": ["Germany"]})
    data = encode_region(table, table, tok, ["de"], ids, special)
    from hub.measurement.evaluate import LanguageSample

    samples = {"de": LanguageSample(parallel=[("Germany", "Deutschland")])}
    ((_, prompt, reference, _),) = translation_prompts(tok, special, samples, 64)
    stream = data.streams[0].tolist()
    example = stream[stream.index(ids["en"]) - 1 :]
    assert example[: len(prompt)] == prompt and reference == "Deutschland"


def test_eval_cli_on_a_bundle_updates_bundle_and_registry(hub_home):
    home, version, out = hub_home
    result = CliRunner().invoke(main, ["eval", "--bundle", str(out), "--home", str(home), *SMALL])
    assert result.exit_code == 0, result.output
    assert "bpb" in result.output and "fr" in result.output
    assert bundle.verify_bundle(out) == []  # metrics added and the manifest rewritten
    for path in (out / "metrics.parquet", version.file("metrics.parquet")):
        table = pq.read_table(path).to_pylist()
        assert {r["model_id"] for r in table} == {version.model_id}
        keys = [(r["lang"], r["metric"], r["precision"], r["device"]) for r in table]
        assert len(keys) == len(set(keys))  # merged: a rerun replaces, never duplicates


def test_merge_replaces_only_the_same_measurement():
    old = [
        Metric("eu/v1", "eu", "de", "bits_per_byte", 2.0, "bits/byte", "fp32"),
        Metric("eu/v1", "eu", "de", "bits_per_byte", 2.1, "bits/byte", "int8"),
    ]
    new = [Metric("eu/v1", "eu", "de", "bits_per_byte", 1.5, "bits/byte", "fp32")]
    merged = merge_metrics(merge_metrics(None, old), new).to_pylist()
    assert sorted((r["precision"], r["value"]) for r in merged) == [("fp32", 1.5), ("int8", 2.1)]


def test_an_older_metrics_file_merges_and_a_foreign_one_is_refused():
    from plumbing.errors import InputError

    old = merge_metrics(None, [Metric("eu/v1", "eu", "de", "tokens_per_s", 9.0, "tokens/s")])
    old = old.drop_columns(["low", "high", "eval_set_sha256"])  # as written before issue 14
    new = [Metric("eu/v1", "eu", "de", "bits_per_char", 3.0, "bits/char", low=2.9, high=3.1)]
    merged = merge_metrics(old, new).to_pylist()
    found = [(r["metric"], r["low"]) for r in merged]
    assert found == [("tokens_per_s", None), ("bits_per_char", 2.9)]
    with pytest.raises(InputError, match="old.parquet: not a metrics table: missing columns unit"):
        merge_metrics(old.drop_columns(["unit"]), new, "old.parquet")


def test_bad_input_exits_2_with_a_message(hub_home, tmp_path):
    home, _, _ = hub_home
    runner = CliRunner()
    both = runner.invoke(main, ["eval", "--region", REGION, "--bundle", str(tmp_path)])
    assert both.exit_code == 2 and "exactly one" in both.output
    missing = runner.invoke(main, ["eval", "--region", "na", "--home", str(home)])
    assert missing.exit_code == 2 and "no model registered" in missing.output


def test_every_language_row_names_its_evaluation_set_which_is_all_test_rows(evaluated, hub_home):
    home, _, _ = hub_home
    target, rows, facts = evaluated
    sets = evaluation_sets(home, ["de", "en", "fr"])
    for row in rows:
        assert row.eval_set_sha256 == sets[row.lang].sha256, row
    for lang, found in sets.items():
        assert list(found.texts) == facts["samples"][lang].texts
    # Another model with other languages would read the very same German bytes.
    assert evaluation_sets(home, ["de", "xx"])["de"].sha256 == sets["de"].sha256


def test_normalised_figures_and_their_intervals(evaluated):
    _, rows, facts = evaluated
    bpb, bpc = values(rows, "bits_per_byte", "fp32"), values(rows, "bits_per_char", "fp32")
    for lang, sample in facts["samples"].items():
        chars = sum(len(t) + 1 for t in sample.texts)
        # The same bits over characters instead of bytes.
        assert bpc[lang] == pytest.approx(bpb[lang] * facts["scored_bytes"][lang] / chars)
    parity = values(rows, "info_parity", "fp32")
    assert set(parity) == {"de", "fr"} and all(v > 0 for v in parity.values())
    for row in rows:
        if row.metric in ("bits_per_byte", "bits_per_char", "info_parity", "tokens_per_char"):
            assert row.low <= row.value <= row.high and row.low < row.high, row


def test_primed_baseline_and_reference_cost(evaluated):
    from hub.prices import REFERENCE_HARDWARE

    target, rows, _ = evaluated
    cold = values(rows, "compressor_bits_per_byte", "n/a")
    primed = values(rows, "primed_compressor_bits_per_byte", "n/a")
    assert set(primed) == set(cold) == {"de", "en", "fr"}
    assert all(0 < primed[lang] < 8 for lang in primed)
    params = target.config.training["params"]
    cost = values(rows, "usd_per_1m_chars", "n/a")
    for lang, tokens_per_char in values(rows, "tokens_per_char", "n/a").items():
        expected = REFERENCE_HARDWARE.usd_per_1m_chars(tokens_per_char, params)
        assert cost[lang] == pytest.approx(expected)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=8))
def test_compressor_counts_every_byte_and_separator(texts):
    result = compressor_baseline(texts)
    expected = sum(len(t.encode("utf-8")) + 1 for t in texts)
    assert result.original_bytes == expected == len(scored_bytes(texts))
    assert result.bits_per_byte == pytest.approx(8 * result.compressed_bytes / expected)
    assert result.name in ("xz", "zstd")
