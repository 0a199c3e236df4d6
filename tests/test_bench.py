"""`hub bench` timings with their spread, and the reference serving cost that replaces them."""

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.measurement.bench import BenchSettings, Spread, prompt_rows
from hub.prices import REFERENCE_HARDWARE, ReferenceHardware, load_gpu_prices
from plumbing.errors import InputError
from tests.cli_text import shows
from tests.measured_hub import REGION, measured_home

# One measured hub per test worker (tests/measured_hub.py) for the modules of this group.
pytestmark = pytest.mark.xdist_group("measured-hub")


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory):
    return measured_home(tmp_path_factory.getbasetemp() / "measured-hub")


def test_reference_cost_formula_on_a_hand_computed_case():
    # 5M parameters: 1e7 FLOPs per token; at 100 TFLOP/s x 0.5 that is 2e-7 s per token.
    # On g6.xlarge (0.8048 USD/h): 2e-7 x 0.8048 / 3600 = 4.4711e-11 USD per token;
    # 0.5 tokens per character: 1M characters are 500,000 tokens = 2.2356e-5 USD.
    hardware = ReferenceHardware("g6.xlarge", "L4", 100e12, "hand", 0.5, "hand")
    assert hardware.usd_per_token(5_000_000) == pytest.approx(4.4711e-11, rel=1e-4)
    assert hardware.usd_per_1m_chars(0.5, 5_000_000) == pytest.approx(2.2356e-5, rel=1e-4)
    assert hardware.usd_per_token(5_000_000, usd_per_hour=3.6) == pytest.approx(2e-10)
    # Twice the parameters or twice the tokens per character: twice the cost.
    assert hardware.usd_per_1m_chars(1.0, 5_000_000) == pytest.approx(
        hardware.usd_per_1m_chars(0.5, 10_000_000)
    )


def test_reference_hardware_is_a_row_of_the_price_table():
    (row,) = [r for r in load_gpu_prices() if r.instance == REFERENCE_HARDWARE.instance]
    assert row.accelerator == REFERENCE_HARDWARE.accelerator and row.accelerator_count == 1
    assert REFERENCE_HARDWARE.usd_per_hour == row.usd_per_hour
    assert 0 < REFERENCE_HARDWARE.utilisation <= 1
    assert REFERENCE_HARDWARE.peak_source and REFERENCE_HARDWARE.utilisation_source


def test_spread_of_runs_and_rates():
    runs = Spread.of([2.0, 1.0, 4.0, 3.0, 5.0])
    assert (runs.median, runs.low, runs.high) == (3.0, 1.0, 5.0)
    rate = runs.inverse(10.0)  # the slowest run gives the lowest rate
    assert (rate.median, rate.low, rate.high) == (pytest.approx(10 / 3), 2.0, 10.0)


def test_prompts_have_the_asked_length_and_differ():
    rows = prompt_rows(list(range(10, 40)), bos=1, length=8, batch=3)
    assert [len(r) for r in rows] == [8, 8, 8] and all(r[0] == 1 for r in rows)
    assert rows[0] != rows[1]


def test_unset_lengths_fit_every_size_and_a_pair_too_long_is_refused():
    # The defaults (64 prompt + 128 new tokens) fit only contexts of 192 or more; the
    # `small` size has 128 (64 + 64) and `tiny` 64 (32 + 32), and both must run as is.
    fitted = [BenchSettings().fitted(context) for context in (64, 128, 1024)]
    assert [(s.prompt_tokens, s.new_tokens) for s in fitted] == [(32, 32), (64, 64), (64, 128)]
    assert BenchSettings(new_tokens=16).fitted(64).prompt_tokens == 32
    with pytest.raises(InputError) as error:
        BenchSettings(prompt_tokens=60, new_tokens=8).fitted(64)
    assert shows(str(error.value), "--prompt-tokens 60 plus --new-tokens 8 exceed") and shows(
        str(error.value), "context of 64 tokens")


def test_bench_writes_median_and_spread_for_both_precisions_and_prices_nothing(hub_home):
    home, version, _ = hub_home
    # Default lengths (fitted to the tiny model's context): the command runs as a user types it.
    args = ["bench", "--region", REGION, "--home", str(home), "--batches", "1,2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "tokens/s" in result.output
    rows = pq.read_table(version.file("metrics.parquet")).to_pylist()
    found = {(r["lang"], r["metric"], r["precision"]): r for r in rows if r["device"] == "cpu"}
    for precision in ("fp32", "int8"):
        speed = found[("all", "tokens_per_s", precision)]
        batches = [found[("all", f"tokens_per_s_batch{b}", precision)] for b in (1, 2)]
        assert speed["value"] == max(b["value"] for b in batches)
        for metric in ("latency_ms_per_token", "time_to_first_token_ms", "tokens_per_s"):
            row = found[("all", metric, precision)]
            assert 0 < row["low"] <= row["value"] <= row["high"], row
            assert "median of 5 runs" in row["unit"]
        assert found[("all", "peak_rss_mb", precision)]["value"] > 10
    assert not any(r["metric"] == "usd_per_1m_chars" and r["device"] == "cpu" for r in rows)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--batches", "8,32"], "starting with 1"),
        (["--batches", "1,x"], "starting with 1"),
        (["--repeats", "3"], "repeats"),
    ],
)
def test_bad_options_exit_2(hub_home, extra, message):
    home, _, _ = hub_home
    result = CliRunner().invoke(main, ["bench", "--region", REGION, "--home", str(home), *extra])
    assert result.exit_code == 2 and shows(result.output, message)
