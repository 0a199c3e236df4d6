"""`hub bench`: the cost formula, fixed-work timing, metrics for fp32 and int8, bad input."""

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.measurement.bench import prompt_rows, usd_per_1m_chars
from tests.measured_hub import REGION, measured_home

QUICK = ["--prompt-tokens", "8", "--new-tokens", "6", "--batches", "1,2", "--repeats", "1"]


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory):
    return measured_home(tmp_path_factory.getbasetemp() / "measured-hub")


def test_cost_formula_on_a_hand_made_case():
    # 0.25 tokens/char: 1M chars = 250,000 tokens = 250 s at 1,000 tokens/s;
    # at 3.60 USD/h (0.001 USD/s) that is 0.25 USD.
    assert usd_per_1m_chars(0.25, 1000.0, 3.6) == pytest.approx(0.25)
    # Twice the throughput halves the cost; twice the tokens per char doubles it.
    assert usd_per_1m_chars(0.25, 2000.0, 3.6) == pytest.approx(0.125)
    assert usd_per_1m_chars(0.5, 1000.0, 3.6) == pytest.approx(0.5)


def test_prompts_have_the_asked_length_and_differ():
    rows = prompt_rows(list(range(10, 40)), bos=1, length=8, batch=3)
    assert [len(r) for r in rows] == [8, 8, 8] and all(r[0] == 1 for r in rows)
    assert rows[0] != rows[1]


def test_bench_writes_speed_and_cost_for_both_precisions(hub_home):
    home, version, _ = hub_home
    args = ["bench", "--region", REGION, "--home", str(home), "--usd-per-hour", "3.6", *QUICK]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "tokens/s" in result.output and "USD/1M chars" in result.output
    rows = pq.read_table(version.file("metrics.parquet")).to_pylist()
    value = {(r["lang"], r["metric"], r["precision"]): r["value"] for r in rows}
    for precision in ("fp32", "int8"):
        speed = value[("all", "tokens_per_s", precision)]
        assert speed == max(value[("all", f"tokens_per_s_batch{b}", precision)] for b in (1, 2))
        assert value[("all", "latency_ms_per_token", precision)] > 0
        assert value[("all", "time_to_first_token_ms", precision)] > 0
        assert value[("all", "peak_rss_mb", precision)] > 10
        assert value[("all", "usd_per_hour", precision)] == 3.6
        for lang in ("de", "en", "fr"):
            tokens_per_char = _tokens_per_char(home, version, lang)
            expected = usd_per_1m_chars(tokens_per_char, speed, 3.6)
            assert value[(lang, "usd_per_1m_chars", precision)] == pytest.approx(expected)


def _tokens_per_char(home, version, lang):
    from tokenizers import Tokenizer

    from hub.corpus import load_corpus

    texts = load_corpus(home, [lang], "test").column("text").to_pylist()
    tokenizer = Tokenizer.from_file(str(version.file("tokenizer.json")))
    tokens = sum(len(e.ids) for e in tokenizer.encode_batch(texts, add_special_tokens=False))
    return tokens / sum(map(len, texts))


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--batches", "8,32"], "starting with 1"),
        (["--batches", "1,x"], "starting with 1"),
        (["--usd-per-hour", "0"], "usd-per-hour"),
    ],
)
def test_bad_options_exit_2(hub_home, extra, message):
    home, _, _ = hub_home
    result = CliRunner().invoke(main, ["bench", "--region", REGION, "--home", str(home), *extra])
    assert result.exit_code == 2 and message in result.output
