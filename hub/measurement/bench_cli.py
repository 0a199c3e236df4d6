"""`hub bench`: serving latency, throughput and memory, fp32 and int8, median and spread."""

from __future__ import annotations

import rich_click as click

from hub.cli_options import METRIC_ROWS, device_option, model_version_option
from hub.home import home_option
from plumbing.errors import InputError
from plumbing.json_output import echo_json, json_option

BENCH_SCHEMA = (
    '{"model_id", "device", "speeds": {precision: {figure: {"median", "low", "high", ...}, '
    '"tokens_per_s": {batch: {...}}, "peak_rss_mb", ...}}, "metrics": ' + METRIC_ROWS
    + ', "saved": [path]}'
)

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
@model_version_option()
@click.option("--bundle", "bundle_path", type=click.Path(exists=True), help="Bundle folder or tar.")
@device_option()
@click.option(
    "--prompt-tokens",
    type=click.IntRange(2),
    help="Prompt length [default: 64, or half the model's context if that is less].",
)
@click.option(
    "--new-tokens",
    type=click.IntRange(2),
    help="Tokens generated per row [default: 128, or what the context leaves].",
)
@click.option("--batches", default="1,8,32", show_default=True, help="Batch sizes, first 1.")
@click.option(
    "--repeats",
    default=5,
    show_default=True,
    type=click.IntRange(5),
    help="Timed runs per batch size (at least 5): median, min and max are kept.",
)
@click.option(
    "--threads", default=None, type=click.IntRange(1), help="onnxruntime intra-op threads."
)
@home_option
@json_option(BENCH_SCHEMA)
def bench(
    region,
    version,
    bundle_path,
    device,
    prompt_tokens,
    new_tokens,
    batches,
    repeats,
    threads,
    home,
    as_json,
):
    """Measure serving speed with the product's onnxruntime runtime.

    Latency per token and time to first token at batch 1 (a 64-token prompt of real
    evaluation text, 128 new tokens, both shortened to fit the model's context),
    throughput at batches 8 and 32, and peak resident
    memory, for fp32 and int8: the median of --repeats runs after a warm-up, with the
    fastest and slowest run. These timings are not priced: the cost per million characters
    comes from the model's size on a reference GPU (`hub eval`). Results are merged into
    the model's metrics.parquet and printed.

    Example: `hub bench --bundle bundles/eu-v1 --repeats 7`
    """
    from rich.console import Console
    from rich.table import Table

    from hub.measurement.bench import BenchSettings, benchmark
    from hub.measurement.measure_target import measure_and_save

    settings = BenchSettings(prompt_tokens, new_tokens, _batches(batches), repeats, device, threads)
    console = Console(stderr=as_json)  # with --json, stdout holds only the document
    target, rows, speeds, written = measure_and_save(
        home,
        region,
        version,
        bundle_path,
        console,
        lambda target, hub_home, step: benchmark(target, hub_home, settings, step),
    )
    if as_json:
        echo_json({"model_id": target.model_id, "device": device, "speeds": speeds,
                   "metrics": rows, "saved": written})
        return
    speed = Table(title=f"{target.model_id}: speed on {device} ({threads or 'default'} threads)")
    speed.add_column("precision")
    for heading, _ in SPEED_COLUMNS:
        speed.add_column(heading, justify="right")
    for batch in settings.batches:
        speed.add_column(f"tokens/s\nbatch {batch}", justify="right")
    for precision, figures in speeds.items():
        spreads = [getattr(figures, metric) for _, metric in SPEED_COLUMNS[:2]]
        spreads += [figures.tokens_per_s[b] for b in settings.batches]
        cells = [f"{s.median:.4g} [{s.low:.4g}-{s.high:.4g}]" for s in spreads]
        cells.insert(2, f"{figures.peak_rss_mb:.4g}")
        speed.add_row(precision, *cells)
    console.print(speed)
    console.print(f"  median [fastest-slowest run] of {repeats} runs; not priced (see `hub eval`)")
    for path in written:
        console.print(f"  saved {path}")
    if not written:
        console.print("  [yellow]not saved: a bundle tar the registry does not know[/]")
