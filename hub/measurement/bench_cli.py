"""`hub bench`: serving latency, throughput, memory and cost per language, fp32 and int8."""

from __future__ import annotations

import rich_click as click

from hub.errors import InputError
from hub.home import home_option

SPEED_COLUMNS = [
    ("ms/token\nbatch 1", "latency_ms_per_token"),
    ("first token\nms", "time_to_first_token_ms"),
    ("peak RSS\nMB", "peak_rss_mb"),
]


def _batches(text: str) -> tuple[int, ...]:
    try:
        batches = tuple(int(part) for part in text.split(","))
    except ValueError:
        batches = ()
    if not batches or batches[0] != 1 or any(b < 1 for b in batches):
        raise InputError(f"--batches {text!r}: expected comma-separated sizes starting with 1")
    return batches


@click.command()
@click.option("--region", default=None, help="Benchmark this region's registered model.")
@click.option("--version", default=None, help="With --region: version N or vN (default latest).")
@click.option("--bundle", "bundle_path", type=click.Path(exists=True), help="Bundle folder or tar.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option(
    "--usd-per-hour",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Instance price in USD per hour [default: m7i.large for cpu, g6.xlarge for cuda, "
    "from data/gpu_prices.csv].",
)
@click.option("--prompt-tokens", default=64, show_default=True, type=click.IntRange(2))
@click.option("--new-tokens", default=128, show_default=True, type=click.IntRange(2))
@click.option("--batches", default="1,8,32", show_default=True, help="Batch sizes, first 1.")
@click.option("--repeats", default=3, show_default=True, type=click.IntRange(1))
@click.option(
    "--threads", default=None, type=click.IntRange(1), help="onnxruntime intra-op threads."
)
@home_option
def bench(
    region,
    version,
    bundle_path,
    device,
    usd_per_hour,
    prompt_tokens,
    new_tokens,
    batches,
    repeats,
    threads,
    home,
):
    """Measure serving speed and cost with the product's onnxruntime runtime.

    Latency per token and time to first token at batch 1 (a 64-token prompt of real test
    text, 128 new tokens), throughput at batches 8 and 32, and peak resident memory, for
    fp32 and int8, each the median of --repeats runs after a warm-up. Cost per language:
    tokens per character x 1e6 / tokens per second x the instance's USD per hour / 3600.
    Results are merged into the model's metrics.parquet and printed.

    Example: `hub bench --bundle bundles/eu-v1 --usd-per-hour 0.10`
    """
    from rich.console import Console
    from rich.table import Table

    from hub.measurement.bench import DEFAULT_GPU_INSTANCE, BenchSettings, benchmark
    from hub.measurement.measure_target import measure_and_save
    from hub.measurement.metrics_view import metrics_grid
    from hub.prices import DEFAULT_CPU_INSTANCE, instance_price

    settings = BenchSettings(prompt_tokens, new_tokens, _batches(batches), repeats, device, threads)
    instance = DEFAULT_CPU_INSTANCE if device == "cpu" else DEFAULT_GPU_INSTANCE
    if usd_per_hour is None:
        usd_per_hour = instance_price(instance)
    else:
        instance = "--usd-per-hour"
    console = Console()
    target, rows, speeds, written = measure_and_save(
        home,
        region,
        version,
        bundle_path,
        console,
        lambda target, hub_home, step: benchmark(
            target, hub_home, settings, usd_per_hour, instance, step
        ),
    )
    speed = Table(title=f"{target.model_id}: speed on {device} ({threads or 'default'} threads)")
    speed.add_column("precision")
    for heading, _ in SPEED_COLUMNS:
        speed.add_column(heading, justify="right")
    for batch in settings.batches:
        speed.add_column(f"tokens/s\nbatch {batch}", justify="right")
    for precision, figures in speeds.items():
        values = [getattr(figures, metric) for _, metric in SPEED_COLUMNS]
        values += [figures.tokens_per_s[b] for b in settings.batches]
        speed.add_row(precision, *(f"{v:.4g}" for v in values))
    console.print(speed)
    cost_rows = [r for r in rows if r.metric == "usd_per_1m_chars"]
    cost_columns = [(f"USD/1M chars\n{p}", "usd_per_1m_chars", p) for p in speeds]
    console.print(
        metrics_grid(f"cost at {usd_per_hour:g} USD/h ({instance})", cost_rows, cost_columns)
    )
    for path in written:
        console.print(f"  saved {path}")
    if not written:
        console.print("  [yellow]not saved: a bundle tar the registry does not know[/]")
