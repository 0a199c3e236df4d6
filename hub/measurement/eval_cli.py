"""`hub eval`: per-language quality of a registered model or a bundle, fp32 and int8."""

from __future__ import annotations

import rich_click as click

from hub.home import home_option

COLUMNS = [
    ("bpb\nfp32", "bits_per_byte", "fp32"),
    ("bpb\nint8", "bits_per_byte", "int8"),
    ("bpb\ntorch", "bits_per_byte_pytorch", "fp32"),
    ("xz|zstd\nbpb", "compressor_bits_per_byte", "n/a"),
    ("top-1\nfp32", "top1_accuracy", "fp32"),
    ("top-1\nint8", "top1_accuracy", "int8"),
    ("int8 =\nfp32", "top1_agreement_vs_fp32", "int8"),
    ("chrF\nfp32", "chrf", "fp32"),
    ("chrF\nint8", "chrf", "int8"),
    ("tok/\nchar", "tokens_per_char", "n/a"),
    ("prem.\nvs en", "token_premium_vs_en", "n/a"),
]


@click.command("eval")
@click.option("--region", default=None, help="Evaluate this region's registered model.")
@click.option("--version", default=None, help="With --region: version N or vN (default latest).")
@click.option("--bundle", "bundle_path", type=click.Path(exists=True), help="Bundle folder or tar.")
@click.option(
    "--max-rows",
    default=64,
    show_default=True,
    type=click.IntRange(1),
    help="Test rows scored per language, at most.",
)
@click.option(
    "--max-total-rows",
    default=4000,
    show_default=True,
    type=click.IntRange(1),
    help="Test rows over all languages, at most (split evenly, at least 8 each).",
)
@click.option(
    "--chrf-rows",
    default=8,
    show_default=True,
    type=click.IntRange(0),
    help="Parallel rows translated per language for chrF, at most.",
)
@click.option(
    "--max-total-chrf-rows",
    default=400,
    show_default=True,
    type=click.IntRange(0),
    help="Parallel rows translated over all languages, at most.",
)
@click.option(
    "--threads", default=None, type=click.IntRange(1), help="onnxruntime intra-op threads."
)
@home_option
def eval_command(
    region,
    version,
    bundle_path,
    max_rows,
    max_total_rows,
    chrf_rows,
    max_total_chrf_rows,
    threads,
    home,
):
    """Measure a model's quality per language on the corpus test split.

    Bits per byte with onnxruntime (fp32 and int8) and PyTorch (which must agree within
    0.5%), next-token top-1 accuracy, the xz/zstd compressor baseline on the same bytes,
    tokens per character, the token premium against English, and chrF of the model's
    translations of held-out parallel rows. The corpus comes from the hub home; results
    are merged into the model's metrics.parquet and printed.

    Example: `hub eval --bundle bundles/eu-v1 --max-rows 32`
    """
    from rich.console import Console

    from hub.measurement.evaluate import EvalSettings, evaluate
    from hub.measurement.measure_target import measure_and_save
    from hub.measurement.metrics_view import metrics_grid

    settings = EvalSettings(
        max_rows,
        max_total_rows,
        min(chrf_rows, max_total_chrf_rows),
        max_total_chrf_rows,
        threads=threads,
    )
    console = Console()
    target, rows, facts, written = measure_and_save(
        home,
        region,
        version,
        bundle_path,
        console,
        lambda target, hub_home, step: evaluate(target, hub_home, settings, step),
    )
    console.print(
        metrics_grid(
            f"{target.model_id}: quality per language (test split)", rows, COLUMNS, digits=3
        )
    )
    caps = f"{facts['rows']} test rows and {facts['chrf_rows']} translations per language at most"
    console.print(f"  {caps}")
    if facts["torch_ort_worst"] is not None:
        console.print(
            "  PyTorch vs onnxruntime bits per byte: worst relative difference "
            f"{facts['torch_ort_worst']:.2g}"
        )
    else:
        console.print("  PyTorch check skipped: the bundle's registry version is not in this home")
    for path in written:
        console.print(f"  saved {path}")
    if not written:
        console.print("  [yellow]not saved: a bundle tar the registry does not know[/]")
